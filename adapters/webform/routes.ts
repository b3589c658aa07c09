import {
  type ChannelHost,
  type CorsPolicy,
  describeIssues,
  type Envelope,
  HttpError,
  type HttpRequest,
  type HttpResponse,
  type IpRateLimit,
  newId,
  notFound,
  pageHeaders,
  type RouteRegistry,
  TooManyRequests,
} from '../../src/channel/index.ts';
import { problemPage, thanksPage } from './pages.ts';
import { FORM_ID, type WebformSettings } from './settings.ts';
import { bodyKind, providerIdOf, readFields, type Submission, submissionSchema } from './submission.ts';
import { threadKeyOf } from './thread.ts';

export interface WebformRouteDeps {
  settings: WebformSettings;
  host: ChannelHost;
  limiter: IpRateLimit;
  cors: CorsPolicy;
}

/**
 * `POST /webform/:formId` from an HTML form (answered with a redirect, or an
 * HTML page listing what is wrong) or from JavaScript with JSON (answered
 * with JSON), and the built-in thank-you page.
 */
export function registerWebformRoutes(routes: RouteRegistry, deps: WebformRouteDeps): void {
  const { settings, host, limiter, cors } = deps;
  const schema = submissionSchema(settings.maxMessageLength);
  const forms = new Set(settings.forms);
  const thanks = thanksPage(settings.thankYou);
  // Inline styles are part of these pages and nothing else loads; framed only where the form may be embedded.
  const htmlHeaders = pageHeaders({ frameAncestors: cors.frameAncestors(), inlineStyleOnly: true });

  routes.add('GET', '/webform/thanks', () => ({ status: 200, headers: htmlHeaders, body: thanks }));
  routes.add('OPTIONS', '/webform/:formId', (req) => cors.preflight(req, 'POST', 'content-type, idempotency-key'));
  routes.add(
    'POST',
    '/webform/:formId',
    async (req) => {
      const html = fromHtmlForm(req);
      try {
        return withCors(req, await submit(req, html));
      } catch (err) {
        if (html && err instanceof HttpError) return problemResponse(err, htmlHeaders);
        throw err;
      }
    },
    // Room for the longest message fully percent-encoded, plus the other fields.
    { maxBodyBytes: settings.maxMessageLength * 9 + 8192 },
  );

  async function submit(req: HttpRequest, html: boolean): Promise<HttpResponse> {
    const formId = req.params.formId as string;
    if (!FORM_ID.test(formId) || (forms.size > 0 && !forms.has(formId))) throw notFound(`there is no form "${formId}"`);
    // Any site may post a plain HTML form here, as to any contact form; script access is what the list limits.
    if (!html) cors.check(req);
    const kind = bodyKind(req);
    limiter.take(req.ip);
    const fields = readFields(req, kind);
    const honeypot = fields[settings.honeypotField];
    if (typeof honeypot === 'string' ? honeypot.trim() !== '' : honeypot != null) {
      host.log.info({ formId, ip: req.ip }, 'web form honeypot filled: dropped');
      return success(html, newId(), false);
    }
    const parsed = schema.safeParse(fields);
    if (!parsed.success) {
      throw new HttpError(400, 'invalid_request', describeIssues(parsed.error.issues, 'field'));
    }
    const idempotency = req.headers['idempotency-key'];
    const now = host.clock.now();
    const providerId = providerIdOf(
      formId,
      parsed.data,
      Array.isArray(idempotency) ? idempotency[0] : idempotency,
      now,
    );
    const result = await host.ingest(envelopeOf(formId, parsed.data, providerId, now));
    return success(html, result.eventId, result.duplicate);
  }

  function success(html: boolean, id: string, duplicate: boolean): HttpResponse {
    if (html) return { status: 303, headers: { location: settings.redirectUrl ?? 'thanks' } };
    return { status: 202, body: { id, duplicate } };
  }

  function withCors(req: HttpRequest, r: HttpResponse): HttpResponse {
    return { ...r, headers: { ...r.headers, ...cors.headers(req) } };
  }
}

function envelopeOf(formId: string, s: Submission, providerId: string, now: number): Envelope {
  return {
    channel: 'webform',
    providerId,
    touchpoint: { channel: 'webform', kind: 'webform', visibility: 'private' },
    threadKey: threadKeyOf(s.email),
    from: { kind: 'email', value: s.email, verified: false, name: s.name },
    text: s.message,
    // `to`, `name` and `subject` let the email channel start the reply thread.
    replyRef: {
      formId,
      email: s.email,
      to: s.email,
      name: s.name,
      subject: `Your message (${formId})`,
      ...(s.phone ? { phone: s.phone } : {}),
    },
    sentAt: now,
    raw: { formId, name: s.name, email: s.email, phone: s.phone ?? null, message: s.message },
  };
}

/** A browser posting an HTML form gets pages, not JSON. */
function fromHtmlForm(req: HttpRequest): boolean {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  return type === 'application/x-www-form-urlencoded' || type === 'multipart/form-data';
}

function problemResponse(err: HttpError, htmlHeaders: Record<string, string>): HttpResponse {
  const heading = err.status === 429 ? 'Please wait a moment' : 'Your message was not sent';
  const problems = err.message.split('; ').map((p) => p.replace(/^field\./, ''));
  const headers: Record<string, string> = { ...htmlHeaders };
  if (err instanceof TooManyRequests) headers['retry-after'] = String(err.retryAfterSeconds);
  return { status: err.status, headers, body: problemPage(heading, problems) };
}
