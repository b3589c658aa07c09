import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.ts';
import { escapeHtml as e } from '../http/html.ts';
import type { HttpRequest, HttpResponse, RouteRegistry } from '../http/http-types.ts';
import { IpRateLimit } from '../http/ip-rate-limit.ts';
import type { Logger } from '../log.ts';
import { type Auth, cookieOf, sameSecret, setCookie } from './auth.ts';
import type { createGuards } from './guard.ts';
import { readForm } from './guard.ts';
import { htmlResponse, redirect, shell } from './layout.ts';

/** Ties the sign-in form to the browser that loaded it, before there is a session (login CSRF). */
const FORM_COOKIE = 'tp_signin';
const FORM_MS = 30 * 60_000;

/** Only our own pages: a sign-in link cannot send the browser elsewhere. */
const safeNext = (next: string | null) =>
  next && /^\/admin(?:[/?#]|$)/.test(next) && !next.includes('\\') ? next : '/admin';

/** GET and POST /admin/sign-in (a token → a session cookie) and POST /admin/sign-out. */
export function registerSignIn(
  routes: RouteRegistry,
  o: { auth: Auth; business: string; clock: Clock; log: Logger; guards: ReturnType<typeof createGuards> },
): void {
  const { auth, business } = o;
  // Guessing a token is slow: a few tries a minute per address.
  const tries = new IpRateLimit({ max: 10, windowMs: 60_000, clock: o.clock });

  const form = (req: HttpRequest, next: string, status: number, problem?: string): HttpResponse => {
    const nonce = randomBytes(18).toString('base64url');
    const body = `<div class="signin">
${problem ? `<p class="problem" role="alert">${e(problem)}</p>` : ''}
<form method="post" action="/admin/sign-in">
<input type="hidden" name="_csrf" value="${nonce}">
<input type="hidden" name="next" value="${e(next)}">
<label for="token">Access token<input id="token" name="token" type="password" autocomplete="current-password" required></label>
<button type="submit">Sign in</button>
</form>
<p>Use the admin token (<code>TOUCHPOINT_ADMIN_TOKEN</code> or <code>server.adminToken</code> in router.yaml).</p>
</div>`;
    return htmlResponse(status, shell({ business, title: 'Sign in', body }), {
      'set-cookie': setCookie(req, FORM_COOKIE, nonce, FORM_MS),
    });
  };

  routes.add('GET', '/admin/sign-in', async (req) => {
    const next = safeNext(req.query.get('next'));
    if (await auth.session(req)) return redirect(next);
    return form(req, next, 200);
  });

  routes.add(
    'POST',
    '/admin/sign-in',
    async (req) => {
      const f = readForm(req);
      const next = safeNext(f.get('next'));
      if (!sameSecret(f.get('_csrf') ?? '', cookieOf(req, FORM_COOKIE) ?? ''))
        return form(req, next, 403, 'The sign-in form expired or came from elsewhere; please try again.');
      const wait = tries.tryTake(req.ip);
      if (wait > 0)
        return form(req, next, 429, `Too many attempts; wait ${Math.ceil(wait / 1000)} seconds and try again.`);
      const signed = await auth.signIn(req, f.get('token') ?? '');
      if (!signed) {
        o.log.warn({ ip: req.ip }, 'dashboard sign-in refused: wrong token');
        return form(req, next, 401, 'That token is not right.');
      }
      o.log.info({ ip: req.ip, name: signed.principal.name }, 'signed in to the dashboard');
      // The form cookie is left to expire: a response sets one cookie here.
      return redirect(next, { 'set-cookie': signed.cookie });
    },
    { maxBodyBytes: 8 * 1024 },
  );

  routes.add(
    'POST',
    '/admin/sign-out',
    o.guards.form(async (req) => redirect('/admin/sign-in', { 'set-cookie': await auth.signOut(req) })),
    { maxBodyBytes: 8 * 1024 },
  );
}
