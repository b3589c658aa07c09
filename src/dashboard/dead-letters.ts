import { audit } from '../access/audit.ts';
import { notFound } from '../errors.ts';
import { escapeHtml as e } from '../http/html.ts';
import { laneWait } from '../outbox/queue-wait.ts';
import type { DashboardDeps } from './deps.ts';
import type { FormHandler, PageHandler } from './guard.ts';
import { csrfField, htmlResponse, redirect, shell, time } from './layout.ts';

const LIMIT = 200;
const LANES = 50;

/** Replies waiting behind their sender's pace: how many per sending number or account, and when the last should be out. */
async function queuedSection(d: DashboardDeps): Promise<string> {
  const lanes = await d.store.outboxLanes(LANES);
  if (lanes.length === 0)
    return '<h2>Waiting to be sent</h2>\n<p id="no-queue">No replies waiting: every reply has gone out.</p>';
  const now = d.clock.now();
  const inChannel = new Map<string, number>();
  for (const l of lanes) inChannel.set(l.channel, (inChannel.get(l.channel) ?? 0) + l.waiting);
  const rows = lanes
    .map((l) => {
      const rate = d.rateOf?.(l.channel);
      const w = rate ? laneWait(l, rate, now, inChannel.get(l.channel) ?? l.waiting) : null;
      const pace = w && Number.isFinite(w.perSecond) ? `${Number(w.perSecond.toFixed(2))}/s` : '–';
      return `<tr><td>${e(l.channel)}</td><td>${e(l.destination)}</td><td>${l.waiting}</td><td>${pace}</td><td>${w ? e(time(w.drainedAt, d.business.timezone)) : '–'}</td></tr>`;
    })
    .join('\n');
  return `<h2>Waiting to be sent</h2>
<p>Replies queued behind their sender's pace (a US long code sends one SMS a second): use more numbers, a toll-free number or a short code to answer faster.</p>
<div class="table-wrap" role="region" aria-label="Replies waiting to be sent" tabindex="0"><table id="outbox-queue"><thead><tr><th scope="col">Channel</th><th scope="col">From</th><th scope="col">Waiting</th><th scope="col">Pace</th><th scope="col">Last expected out</th></tr></thead>
<tbody>
${rows}
</tbody></table></div>`;
}

/** GET /admin/dead-letters: messages that could not be delivered, newest first, each with a retry button. */
export function deadLettersPage(d: DashboardDeps): PageHandler {
  return async (req, session) => {
    const letters = await d.store.listDeadLetters(LIMIT);
    const retried = req.query.get('retried');
    const zone = d.business.timezone;
    const rows = letters
      .map(
        (
          l,
        ) => `<tr id="dl-${e(l.id)}"><td>${e(time(l.failedAt, zone))}</td><td>${e(l.channel)}</td><td>${e(l.customer)}</td><td>${e(l.lastError ?? '–')}</td><td>${e(l.text.length > 200 ? `${l.text.slice(0, 200)}…` : l.text)}</td><td>${l.attempts}</td>
<td><form method="post" action="/admin/dead-letters/${encodeURIComponent(l.id)}/retry">${csrfField(session)}<button type="submit" aria-label="Retry the message to ${e(l.customer)} that failed ${e(time(l.failedAt, zone))}">Retry</button></form></td></tr>`,
      )
      .join('\n');
    const body = `${await queuedSection(d)}
<h2>Dead letters</h2>
${retried ? `<p class="notice" role="status">Queued again: ${e(retried)}. The outbox sends it now; if it fails again it comes back here.</p>` : ''}
${
  letters.length === 0
    ? '<p id="no-dead-letters">No dead letters: every message was delivered or is still being tried.</p>'
    : `<p>${letters.length === LIMIT ? `The newest ${LIMIT}` : letters.length} message(s) the providers refused or never took. Retry puts one back in the queue, due now. (<code>touchpoint outbox retry --all</code> retries every one.)</p>
<div class="table-wrap" role="region" aria-label="Dead letters" tabindex="0"><table id="dead-letters"><thead><tr><th scope="col">Failed</th><th scope="col">Channel</th><th scope="col">To</th><th scope="col">Error</th><th scope="col">Message</th><th scope="col">Attempts</th><th scope="col">Action</th></tr></thead>
<tbody>
${rows}
</tbody></table></div>`
}`;
    return htmlResponse(
      200,
      shell({ business: d.business.name, title: 'Outbox', section: '/admin/dead-letters', session, body }),
    );
  };
}

/** POST /admin/dead-letters/:id/retry: back in the queue, due now. */
export function retryDeadLetter(d: DashboardDeps): FormHandler {
  return async (req, session) => {
    const id = req.params.id as string;
    const now = d.clock.now();
    // The retry and its audit entry commit together: the signed-in agent, from the dashboard.
    const retried = await d.store.transaction(async (tx) => {
      if (!(await tx.retryDeadLetter(id, now))) return false;
      const { agentId, name, role } = session.principal;
      const actor = { agentId: agentId ?? name, name, role, via: 'dashboard' };
      await audit(tx, actor, 'retry', {}, { outboxId: id }, now);
      return true;
    });
    if (!retried) throw notFound(`no dead letter ${id} (already retried?)`);
    d.log.info({ job: id, by: session.principal.name }, 'dead letter queued again from the dashboard');
    d.onRetried?.();
    return redirect(`/admin/dead-letters?retried=${encodeURIComponent(id)}`);
  };
}
