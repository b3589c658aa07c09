import { contactView } from '../contacts/contact-view.ts';
import { notFound } from '../errors.ts';
import { escapeHtml as e } from '../http/html.ts';
import type { Conversation, Message } from '../model/types.ts';
import { attachmentsHtml, transcriptionLabel } from './attachments.ts';
import type { DashboardDeps } from './deps.ts';
import type { PageHandler } from './guard.ts';
import { htmlResponse, redirect, shell, time } from './layout.ts';

const MESSAGES = 1000;

const who = (m: Message) =>
  m.author.kind === 'contact'
    ? 'Customer'
    : m.author.kind === 'bot'
      ? 'Bot'
      : m.author.kind === 'agent'
        ? `Agent ${m.author.name ?? m.author.id ?? ''}`.trim()
        : 'System';

function message(m: Message, zone: string): string {
  const internal = m.visibility === 'internal';
  const delivery = m.direction === 'outbound' && !internal ? ` · ${m.status}${m.error ? ` (${m.error})` : ''}` : '';
  const attachments = m.attachments.length > 0 ? ` · ${m.attachments.length} attachment(s)` : '';
  const label = transcriptionLabel(m);
  return `<li class="msg ${m.direction}${internal ? ' internal' : ''}"><p class="meta">${e(who(m))}${internal ? ' · internal note' : ''} · <time datetime="${new Date(m.createdAt).toISOString()}">${e(time(m.createdAt, zone))}</time>${e(delivery)}${e(attachments)}</p>${attachmentsHtml(m)}<p class="text">${label ? `<span class="label">${label}</span>` : ''}${e(m.text)}</p></li>`;
}

function conversation(c: Conversation, messages: Message[], zone: string): string {
  const facts = [
    c.touchpoint.channel,
    c.touchpoint.kind !== c.touchpoint.channel ? c.touchpoint.kind : null,
    c.status,
    c.category,
    c.assignee ? `assigned to ${c.assignee}` : null,
  ]
    .filter((x) => x)
    .join(' · ');
  return `<section id="c-${e(c.id)}" aria-labelledby="h-${e(c.id)}">
<h2 id="h-${e(c.id)}">${e(facts)} <span class="badge">opened ${e(time(c.createdAt, zone))}</span></h2>
${messages.length === 0 ? '<p>No messages.</p>' : `<ol class="transcript">${messages.map((m) => message(m, zone)).join('\n')}</ol>`}
${messages.length === MESSAGES ? `<p>Only the first ${MESSAGES} messages are shown.</p>` : ''}
</section>`;
}

/** GET /admin/contacts/:id: who the contact is, and every conversation on every channel, oldest first, with internal notes. */
export function contactPage(d: DashboardDeps): PageHandler {
  return async (req, session) => {
    const id = req.params.id as string;
    const moved = await d.store.mergedInto(id);
    if (moved) return redirect(`/admin/contacts/${encodeURIComponent(moved)}`);
    const contact = await d.store.getContact(id);
    if (!contact) throw notFound(`no contact ${id}`);
    const view = await contactView(d.store, contact);
    const conversations = [...view.conversations].sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
    const messages = await Promise.all(
      conversations.map((c) => d.store.listMessages(c.id, { includeInternal: true, limit: MESSAGES })),
    );
    const zone = d.business.timezone;
    const identities = view.identities
      .map((i) => `<li>${e(i.kind)}: ${e(i.value)}${i.verified ? ' (verified)' : ''}</li>`)
      .join('');
    const body = `<p>${contact.vip ? '<span class="badge vip">VIP</span> ' : ''}${view.tags.map((t) => `<span class="badge">${e(t)}</span>`).join(' ')}</p>
<h2>How to reach them</h2>
<ul>${identities || '<li>no identities</li>'}</ul>
<p>${conversations.length} conversation(s) across ${new Set(conversations.map((c) => c.touchpoint.channel)).size} channel(s), oldest first. Times in ${e(zone)}.</p>
${conversations.map((c, i) => conversation(c, messages[i] ?? [], zone)).join('\n')}`;
    return htmlResponse(
      200,
      shell({
        business: d.business.name,
        title: contact.name ?? `Contact ${contact.id}`,
        section: '/admin/conversations',
        session,
        body,
      }),
    );
  };
}
