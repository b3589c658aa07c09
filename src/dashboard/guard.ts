import { HttpError } from '../errors.ts';
import type { HttpHandler, HttpRequest, HttpResponse } from '../http/http-types.ts';
import { type Auth, type Session, sameSecret } from './auth.ts';
import { errorPage, htmlResponse, redirect, shell } from './layout.ts';

export type PageHandler = (req: HttpRequest, session: Session) => Promise<HttpResponse> | HttpResponse;
export type FormHandler = (
  req: HttpRequest,
  session: Session,
  form: URLSearchParams,
) => Promise<HttpResponse> | HttpResponse;

/**
 * The dashboard's two doors. A page without a session sends the browser to
 * sign in (and back afterwards); a form post without one is refused with 401,
 * and one without the session's CSRF token with 403. Refusals and bad input
 * are answered as pages with the reason.
 */
export function createGuards(auth: Auth, business: string) {
  const answer = async (run: () => Promise<HttpResponse> | HttpResponse, session?: Session) => {
    try {
      return await run();
    } catch (err) {
      if (err instanceof HttpError) return errorPage(business, err, session);
      throw err;
    }
  };
  return {
    page(handler: PageHandler): HttpHandler {
      return async (req) => {
        const session = await auth.session(req);
        if (!session) {
          const back = req.raw.url ?? req.path;
          return redirect(`/admin/sign-in?next=${encodeURIComponent(back)}`);
        }
        return answer(() => handler(req, session), session);
      };
    },
    form(handler: FormHandler): HttpHandler {
      return async (req) => {
        const session = await auth.session(req);
        if (!session) {
          const body =
            '<p class="problem" role="alert">You are not signed in (or your session ended). <a href="/admin/sign-in">Sign in</a> and try again.</p>';
          return htmlResponse(401, shell({ business, title: 'Signed out', body }));
        }
        const form = readForm(req);
        if (!sameSecret(form.get('_csrf') ?? '', session.csrf))
          return errorPage(
            business,
            new HttpError(
              403,
              'forbidden',
              'this form is out of date or did not come from the dashboard; reload the page and try again',
            ),
            session,
          );
        return answer(() => handler(req, session, form), session);
      };
    },
  };
}

/** A posted HTML form (application/x-www-form-urlencoded). */
export function readForm(req: HttpRequest): URLSearchParams {
  const type = String(req.headers['content-type'] ?? '');
  if (!type.startsWith('application/x-www-form-urlencoded'))
    throw new HttpError(
      415,
      'unsupported_media_type',
      'dashboard forms are posted as application/x-www-form-urlencoded',
    );
  return new URLSearchParams(req.rawBody.toString('utf8'));
}
