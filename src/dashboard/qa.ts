import { forbidden, notFound } from '../errors.ts';
import { escapeHtml as e } from '../http/html.ts';
import { validate } from '../http/json-body.ts';
import { qaByAgent, rubricOf, scoreBody, scoreReview } from '../policies/qa-scores.ts';
import { reviewsFile } from '../settings/operations-schema.ts';
import type { QaReview } from '../store/operations-records.ts';
import type { Session } from './auth.ts';
import type { DashboardDeps } from './deps.ts';
import type { FormHandler, PageHandler } from './guard.ts';
import { csrfField, htmlResponse, redirect, shell, time } from './layout.ts';

const DAY = 86_400_000;
/** A round posts a few per agent; this bounds the page however many agents there are. */
const LIMIT = 500;
const SCORE_LABELS = ['1 — poor', '2 — below standard', '3 — meets standard', '4 — good', '5 — excellent'];
const FIELD = 'score:';

const rubric = (d: DashboardDeps): readonly string[] => d.qaRubric ?? rubricOf(reviewsFile.parse({}));
const total = (r: QaReview) => (r.scores ? Object.values(r.scores).reduce((a, b) => a + b, 0) : 0);
const average = (n: number | null) => (n === null ? '–' : n.toFixed(2));

/** Admins score, as in the API: an agent may read the reviews, not score their colleagues (or themselves). */
function mayScore(session: Session): boolean {
  return session.principal.role === 'admin';
}

async function contactLink(d: DashboardDeps, r: QaReview): Promise<string> {
  const c = await d.store.getConversation(r.conversationId);
  if (!c) return e(r.conversationId);
  return `<a href="/admin/contacts/${encodeURIComponent(c.contactId)}#c-${e(c.id)}">${e(c.touchpoint.channel)} conversation ${e(c.id)}</a>`;
}

/**
 * GET /admin/qa: this week's QA samples (the last 7 days), each with its
 * conversation and whether it was scored, a link to score it; then the
 * average per agent over the last 28 days (what `/api/qa/agents` reports).
 */
export function qaPage(d: DashboardDeps): PageHandler {
  return async (req, session) => {
    const now = d.clock.now();
    const zone = d.business.timezone;
    const items = rubric(d);
    const week = await d.store.listQaReviews({ from: now - 7 * DAY, to: now + 1, limit: LIMIT });
    const month = await d.store.listQaReviews({ from: now - 28 * DAY, to: now + 1, limit: LIMIT });
    const scored = req.query.get('scored');
    const rows: string[] = [];
    for (const r of week) {
      const state = r.scores
        ? `Scored by ${e(r.scoredBy ?? '?')}: ${total(r)} of ${Object.keys(r.scores).length * 5}`
        : 'Not scored';
      const label = r.scores ? 'Score again' : 'Score';
      const action = mayScore(session)
        ? `<a class="button" href="/admin/qa/${encodeURIComponent(r.id)}" aria-label="${label}: the review of ${e(r.agent)}, sampled ${e(time(r.sampledAt, zone))}">${label}</a>`
        : '–';
      rows.push(
        `<tr id="qa-${e(r.id)}"><td>${e(r.agent)}</td><td>${await contactLink(d, r)}</td><td class="hide-narrow">${e(time(r.sampledAt, zone))}</td><td>${state}</td><td>${action}</td></tr>`,
      );
    }
    const agents = qaByAgent(month, items);
    const body = `${scored ? `<p class="notice" role="status">Scores saved for review ${e(scored)}.</p>` : ''}
<h2>This week's samples</h2>
${
  week.length === 0
    ? '<p id="no-samples">No conversations sampled in the last 7 days (reviews.yaml <code>qa</code> samples them weekly).</p>'
    : `<div class="table-wrap" role="region" aria-label="This week's QA samples" tabindex="0"><table id="qa-samples"><thead><tr><th scope="col">Agent</th><th scope="col">Conversation</th><th scope="col" class="hide-narrow">Sampled</th><th scope="col">Scored</th><th scope="col">Action</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody></table></div>`
}
<h2>Average per agent, last 28 days</h2>
${
  agents.length === 0
    ? '<p id="no-averages">No samples in the last 28 days.</p>'
    : `<div class="table-wrap" role="region" aria-label="QA average per agent" tabindex="0"><table id="qa-agents"><thead><tr><th scope="col">Agent</th><th scope="col">Sampled</th><th scope="col">Scored</th><th scope="col">Average (1–5)</th>${items.map((i) => `<th scope="col" class="hide-narrow">${e(i)}</th>`).join('')}</tr></thead>
<tbody>
${agents
  .map(
    (a) =>
      `<tr><th scope="row">${e(a.agent)}</th><td>${a.sampled}</td><td>${a.scored}</td><td>${average(a.average)}</td>${items.map((i) => `<td class="hide-narrow">${average(a.byItem[i] ?? null)}</td>`).join('')}</tr>`,
  )
  .join('\n')}
</tbody></table></div>`
}`;
    return htmlResponse(
      200,
      shell({ business: d.business.name, title: 'QA reviews', section: '/admin/qa', session, body }),
    );
  };
}

async function reviewOr404(d: DashboardDeps, id: string): Promise<QaReview> {
  const review = await d.store.transaction((tx) => tx.getQaReview(id));
  if (!review) throw notFound(`no QA review ${id}`);
  return review;
}

/** GET /admin/qa/:id: the scoring form, a 1–5 pick per rubric item (the current scores chosen) and a comment. */
export function qaReviewPage(d: DashboardDeps): PageHandler {
  return async (req, session) => {
    if (!mayScore(session)) throw forbidden('only admins score QA reviews');
    const review = await reviewOr404(d, req.params.id as string);
    const fields = rubric(d)
      .map((item, i) => {
        const current = review.scores?.[item];
        const options = SCORE_LABELS.map(
          (label, s) => `<option value="${s + 1}"${current === s + 1 ? ' selected' : ''}>${label}</option>`,
        ).join('');
        return `<div class="field"><label for="qa-item-${i}">${e(item)}</label><select id="qa-item-${i}" name="${e(FIELD + item)}" required><option value="">Pick a score</option>${options}</select></div>`;
      })
      .join('\n');
    const body = `<p>A conversation <strong>${e(review.agent)}</strong> resolved: ${await contactLink(d, review)} (opens its transcript). Score each item from 1 to 5.</p>
<form class="qa-form" method="post" action="/admin/qa/${encodeURIComponent(review.id)}/score">${csrfField(session)}
<fieldset><legend>Rubric</legend>
${fields}
</fieldset>
<label for="qa-comment">Comment (for the agent and their lead)<textarea id="qa-comment" name="comment" maxlength="2000" rows="4">${e(review.comment ?? '')}</textarea></label>
<button type="submit">Save score</button> <a href="/admin/qa">Back to the QA reviews</a>
</form>`;
    return htmlResponse(
      200,
      shell({ business: d.business.name, title: `Score QA review ${review.id}`, section: '/admin/qa', session, body }),
    );
  };
}

/** POST /admin/qa/:id/score: stored through the API's own checks and audit (`via: dashboard`). */
export function scoreFromDashboard(d: DashboardDeps): FormHandler {
  return async (req, session, form) => {
    if (!mayScore(session)) throw forbidden('only admins score QA reviews');
    const id = req.params.id as string;
    const scores: Record<string, number> = {};
    for (const [key, value] of form)
      if (key.startsWith(FIELD) && value !== '') scores[key.slice(FIELD.length)] = Number(value);
    const comment = form.get('comment')?.trim();
    const input = validate({ scores, ...(comment ? { comment } : {}) }, scoreBody, 'score');
    const actor = {
      agentId: session.principal.name,
      name: session.principal.name,
      role: session.principal.role,
      via: 'dashboard',
    };
    await d.store.transaction((tx) => scoreReview(tx, id, input, rubric(d), actor, d.clock.now()));
    d.log.info({ review: id, by: session.principal.name }, 'QA review scored from the dashboard');
    return redirect(`/admin/qa?scored=${encodeURIComponent(id)}`);
  };
}
