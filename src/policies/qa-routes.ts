import { z } from 'zod';
import type { Clock } from '../clock.ts';
import { parseDuration } from '../duration.ts';
import { badRequest, unauthorized } from '../errors.ts';
import type { RouteRegistry } from '../http/http-types.ts';
import { jsonBody } from '../http/json-body.ts';
import type { ReviewSettings } from '../settings/operations-schema.ts';
import type { Store } from '../store/contract.ts';
import { qaByAgent, rubricOf, scoreBody, scoreReview } from './qa-scores.ts';

function since(query: URLSearchParams, fallback: string): number {
  const text = query.get('since') ?? fallback;
  try {
    return parseDuration(text);
  } catch {
    throw badRequest(`since must be a duration such as 7d or 28d, got "${text}"`);
  }
}

/**
 * QA reviews in the API: `GET /api/qa/reviews?since=7d[&agent=ID]` (the
 * samples, scored or not), `GET /api/qa/agents?since=28d` (scores per agent),
 * `POST /api/qa/reviews/:id/score` (admins) with a score for every rubric item.
 */
const sinceQuery = z.object({
  since: z.string().optional().describe('How far back, e.g. 7d (default 7d; 28d per agent)'),
});
const reviewsQuery = sinceQuery.extend({ agent: z.string().optional().describe("One agent's samples") });

export function registerQaRoutes(
  routes: RouteRegistry,
  deps: { store: Store; clock: Clock; reviews: () => ReviewSettings },
): void {
  const rubric = () => rubricOf(deps.reviews());
  const list = (from: number, agent?: string) =>
    deps.store.listQaReviews({ from, to: deps.clock.now() + 1, ...(agent ? { agent } : {}), limit: 1000 });
  routes.add(
    'GET',
    '/api/qa/reviews',
    async (req) => {
      const agent = req.query.get('agent') ?? undefined;
      const reviews = await list(deps.clock.now() - since(req.query, '7d'), agent);
      return { status: 200, body: { rubric: rubric(), reviews } };
    },
    { auth: 'admin', doc: { summary: 'QA samples of the period, with their scores', query: reviewsQuery } },
  );
  routes.add(
    'GET',
    '/api/qa/agents',
    async (req) => {
      const reviews = await list(deps.clock.now() - since(req.query, '28d'));
      return { status: 200, body: { rubric: rubric(), agents: qaByAgent(reviews, rubric()) } };
    },
    { auth: 'admin', doc: { summary: 'QA scores per agent, overall and per rubric item', query: sinceQuery } },
  );
  routes.add(
    'POST',
    '/api/qa/reviews/:id/score',
    async (req) => {
      const principal = req.principal;
      if (!principal) throw unauthorized('this route needs an admin token');
      const body = jsonBody(req, scoreBody);
      const id = req.params.id as string;
      const review = await deps.store.transaction((tx) =>
        scoreReview(tx, id, body, rubric(), principal, deps.clock.now()),
      );
      return { status: 200, body: review };
    },
    {
      auth: 'admin',
      maxBodyBytes: 16 * 1024,
      doc: { summary: 'Score a QA sample against the rubric', body: scoreBody },
    },
  );
}
