import type { RouteRegistry } from '../http/http-types.ts';
import { filePage } from './attachments.ts';
import { adminTokenCheck, createAuth } from './auth.ts';
import { contactPage } from './contact.ts';
import { conversationsPage } from './conversations.ts';
import { deadLettersPage, retryDeadLetter } from './dead-letters.ts';
import type { DashboardDeps } from './deps.ts';
import { flowPage, flowSvg, flowsPage } from './flows.ts';
import { createGuards } from './guard.ts';
import { overviewPage } from './overview.ts';
import { qaPage, qaReviewPage, scoreFromDashboard } from './qa.ts';
import { reportsPage } from './reports.ts';
import { registerSignIn } from './sign-in.ts';
import { DASHBOARD_CSS } from './style.ts';

export type { DashboardDeps } from './deps.ts';

const FORM_BYTES = 16 * 1024;

/**
 * The owner's dashboard under /admin: server-rendered pages behind a
 * session cookie, every form post checked against the session's CSRF token.
 */
export function registerDashboard(routes: RouteRegistry, d: DashboardDeps): void {
  const auth = createAuth({ store: d.store, clock: d.clock, check: d.checkToken ?? adminTokenCheck(d.adminToken) });
  const guards = createGuards(auth, d.business.name);
  registerSignIn(routes, { auth, business: d.business.name, clock: d.clock, log: d.log, guards });
  routes.add('GET', '/admin/dashboard.css', () => ({
    status: 200,
    headers: { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'max-age=300' },
    body: DASHBOARD_CSS,
  }));
  routes.add('GET', '/admin', guards.page(overviewPage(d)));
  routes.add('GET', '/admin/reports', guards.page(reportsPage(d)));
  routes.add('GET', '/admin/conversations', guards.page(conversationsPage(d)));
  routes.add('GET', '/admin/contacts/:id', guards.page(contactPage(d)));
  routes.add('GET', '/admin/conversations/:id/files/:messageId/:index', guards.page(filePage(d)));
  routes.add('GET', '/admin/dead-letters', guards.page(deadLettersPage(d)));
  routes.add('POST', '/admin/dead-letters/:id/retry', guards.form(retryDeadLetter(d)), { maxBodyBytes: FORM_BYTES });
  routes.add('GET', '/admin/qa', guards.page(qaPage(d)));
  routes.add('GET', '/admin/qa/:id', guards.page(qaReviewPage(d)));
  routes.add('POST', '/admin/qa/:id/score', guards.form(scoreFromDashboard(d)), { maxBodyBytes: FORM_BYTES });
  routes.add('GET', '/admin/flows', guards.page(flowsPage(d)));
  routes.add('GET', '/admin/flows/:id', guards.page(flowPage(d)));
  routes.add('GET', '/admin/flows/:id/diagram.svg', guards.page(flowSvg(d)));
}
