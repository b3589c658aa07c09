import { badRequest } from '../errors.ts';
import { escapeHtml as e } from '../http/html.ts';
import type { ConversationStatus } from '../model/types.ts';
import type { BrowseQuery } from '../store/contract.ts';
import type { DashboardDeps } from './deps.ts';
import type { PageHandler } from './guard.ts';
import { htmlResponse, shell, time } from './layout.ts';

const STATUSES: ConversationStatus[] = ['open', 'pending', 'snoozed', 'resolved', 'closed'];
const PAGE = 50;
const CURSOR = /^(\d{1,15})\.([\w-]{1,100})$/;
const FILTERS = ['status', 'channel', 'category', 'agent', 'vip', 'breached'] as const;

function query(params: URLSearchParams, now: number): BrowseQuery {
  const q: BrowseQuery = { now, limit: PAGE + 1 };
  const status = params.get('status');
  if (status) {
    if (!STATUSES.includes(status as ConversationStatus))
      throw badRequest(`status must be one of ${STATUSES.join(', ')}`);
    q.status = [status as ConversationStatus];
  }
  for (const name of ['channel', 'category', 'agent'] as const) {
    const v = params.get(name)?.trim();
    if (v) {
      if (v.length > 200) throw badRequest(`${name} is longer than 200 characters`);
      q[name] = v;
    }
  }
  for (const name of ['vip', 'breached'] as const) {
    const v = params.get(name);
    if (v === 'yes' || v === 'no') q[name] = v === 'yes';
    else if (v) throw badRequest(`${name} must be yes or no`);
  }
  const after = params.get('after');
  if (after) {
    const m = CURSOR.exec(after);
    if (!m) throw badRequest('after must be a cursor from a "Next page" link');
    q.after = { updatedAt: Number(m[1]), id: m[2] as string };
  }
  return q;
}

const select = (name: string, label: string, options: string[], current: string | null) =>
  `<label for="f-${name}">${label}<select id="f-${name}" name="${name}"><option value="">any</option>${options
    .map((o) => `<option value="${e(o)}"${o === current ? ' selected' : ''}>${e(o)}</option>`)
    .join('')}</select></label>`;

const text = (name: string, label: string, current: string | null) =>
  `<label for="f-${name}">${label}<input id="f-${name}" name="${name}" value="${e(current ?? '')}" maxlength="200"></label>`;

/**
 * GET /admin/conversations: newest activity first, filtered, 50 a page. The
 * "Next page" link carries the last row's (updated, id) as a keyset cursor,
 * so any page is one index range read, however deep.
 */
export function conversationsPage(d: DashboardDeps): PageHandler {
  return async (req, session) => {
    const p = req.query;
    const now = d.clock.now();
    const rows = await d.store.browseConversations(query(p, now));
    const more = rows.length > PAGE;
    const shown = rows.slice(0, PAGE);
    const kept = new URLSearchParams();
    for (const f of FILTERS) {
      const v = p.get(f);
      if (v) kept.set(f, v);
    }
    const last = shown.at(-1)?.conversation;
    const next = new URLSearchParams(kept);
    if (last) next.set('after', `${last.updatedAt}.${last.id}`);
    const zone = d.business.timezone;
    const body = `<form class="filters" method="get" action="/admin/conversations">
${select('status', 'Status', STATUSES, p.get('status'))}
${select('channel', 'Channel', d.channels, p.get('channel'))}
${text('category', 'Category', p.get('category'))}
${text('agent', 'Agent', p.get('agent'))}
${select('vip', 'VIP', ['yes', 'no'], p.get('vip'))}
${select('breached', 'SLA breached', ['yes', 'no'], p.get('breached'))}
<button type="submit">Filter</button>
<a href="/admin/conversations">Clear</a>
</form>
${
  shown.length === 0
    ? '<p id="no-conversations">No conversations match.</p>'
    : `<div class="table-wrap" role="region" aria-label="Conversations" tabindex="0"><table id="conversations"><caption class="visually-hidden">Conversations, newest activity first</caption>
<thead><tr><th scope="col">Contact</th><th scope="col">Channel</th><th scope="col">Status</th><th scope="col">Category</th><th scope="col">Agent</th><th scope="col" class="hide-narrow">Last activity</th></tr></thead>
<tbody>
${shown
  .map(
    (
      r,
    ) => `<tr><td><a href="/admin/contacts/${encodeURIComponent(r.conversation.contactId)}#c-${e(r.conversation.id)}">${e(r.contactName ?? r.conversation.contactId)}</a>${r.vip ? ' <span class="badge vip">VIP</span>' : ''}${r.breached ? ' <span class="badge breached">SLA breached</span>' : ''}</td>
<td>${e(r.conversation.touchpoint.channel)}</td><td>${e(r.conversation.status)}</td><td>${e(r.conversation.category ?? '–')}</td><td>${e(r.conversation.assignee ?? '–')}</td><td class="hide-narrow">${e(time(r.conversation.updatedAt, zone))}</td></tr>`,
  )
  .join('\n')}
</tbody></table></div>`
}
<nav class="pager" aria-label="Pages">${p.get('after') ? `<a href="/admin/conversations?${e(kept.toString())}">First page</a>` : ''}${more ? `<a href="/admin/conversations?${e(next.toString())}" rel="next">Next page</a>` : ''}</nav>`;
    return htmlResponse(
      200,
      shell({ business: d.business.name, title: 'Conversations', section: '/admin/conversations', session, body }),
    );
  };
}
