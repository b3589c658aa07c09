import type { HttpError } from '../errors.ts';
import { escapeHtml as e, pageHeaders } from '../http/html.ts';
import type { HttpResponse } from '../http/http-types.ts';
import type { Session } from './auth.ts';

/** The dashboard's pages in the order of its menu. */
const MENU = [
  ['/admin', 'Overview'],
  ['/admin/reports', 'Reports'],
  ['/admin/conversations', 'Conversations'],
  ['/admin/dead-letters', 'Outbox'],
  ['/admin/flows', 'Flows'],
  ['/admin/qa', 'QA'],
] as const;

export type Section = (typeof MENU)[number][0];

export interface Shell {
  business: string;
  title: string;
  body: string;
  /** The menu entry to mark as the current page; none on the sign-in page. */
  section?: Section;
  session?: Session;
}

/** Every page: language, viewport, the one stylesheet, a skip link, the menu and sign-out, the main content. */
export function shell(o: Shell): string {
  const nav = o.session
    ? `<nav aria-label="Dashboard"><ul>${MENU.map(
        ([href, label]) => `<li><a href="${href}"${href === o.section ? ' aria-current="page"' : ''}>${label}</a></li>`,
      ).join('')}</ul></nav>
<form method="post" action="/admin/sign-out">${csrfField(o.session)}<button type="submit">Sign out (${e(o.session.principal.name)})</button></form>`
    : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(o.title)} — ${e(o.business)}</title>
<link rel="stylesheet" href="/admin/dashboard.css">
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header><span class="brand">${e(o.business)} · Touchpoint</span>${nav}</header>
<main id="main">
<h1>${e(o.title)}</h1>
${o.body}
</main>
</body>
</html>
`;
}

export function csrfField(session: Session): string {
  return `<input type="hidden" name="_csrf" value="${e(session.csrf)}">`;
}

export function htmlResponse(status: number, html: string, headers: Record<string, string> = {}): HttpResponse {
  return { status, headers: { ...pageHeaders(), 'cache-control': 'no-store', ...headers }, body: html };
}

export function redirect(location: string, headers: Record<string, string> = {}): HttpResponse {
  return { status: 303, headers: { location, 'cache-control': 'no-store', ...headers } };
}

/** A refusal or a bad request as a page, with the reason. */
export function errorPage(business: string, err: HttpError, session?: Session): HttpResponse {
  const body = `<p class="problem" role="alert">${e(err.message)}</p><p><a href="/admin">Back to the overview</a></p>`;
  const title = err.status === 404 ? 'Not found' : err.status >= 500 ? 'Something went wrong' : 'Not allowed';
  return htmlResponse(
    err.status,
    shell({ business, title: err.status === 400 ? 'Bad request' : title, body, ...(session ? { session } : {}) }),
  );
}

export const time = (ms: number, zone: string) =>
  new Intl.DateTimeFormat('en-GB', { timeZone: zone, dateStyle: 'medium', timeStyle: 'short' }).format(ms);
