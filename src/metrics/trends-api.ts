import { z } from 'zod';
import type { Clock } from '../clock.ts';
import { parseDuration } from '../duration.ts';
import type { RouteRegistry } from '../http/http-types.ts';
import { queryObject, validate } from '../http/json-body.ts';
import type { TrendSettings } from '../settings/policy-schema.ts';
import type { Store } from '../store/contract.ts';
import { complaintsBetween } from './complaints.ts';
import { feedbackCsv, feedbackExport } from './feedback.ts';

const since = (fallback: string) =>
  z
    .string()
    .regex(/^\d+(ms|s|m|h|d)$/, 'must be a duration such as 24h or 30d')
    .default(fallback);
const complaintsQuery = z.object({ since: since('56d') }).strict();
const feedbackQuery = z
  .object({
    since: since('30d'),
    format: z.enum(['json', 'csv']).default('json'),
  })
  .strict();

/**
 * GET /api/feedback?since=30d&format=csv: feature requests, bug reports … of the period, for the product team;
 * GET /api/complaints?since=56d: complaints opened per week, by category.
 */
export function registerTrendsApi(
  routes: RouteRegistry,
  deps: { store: Store; clock: Clock; trends: TrendSettings },
): void {
  routes.add(
    'GET',
    '/api/feedback',
    async (req) => {
      const q = validate(queryObject(req), feedbackQuery, 'query');
      const now = deps.clock.now();
      const items = await feedbackExport(deps.store, deps.trends, now - parseDuration(q.since), now);
      if (q.format === 'json') return { status: 200, body: { from: now - parseDuration(q.since), to: now, items } };
      return {
        status: 200,
        headers: {
          'content-type': 'text/csv; charset=utf-8',
          'content-disposition': 'attachment; filename="feedback.csv"',
        },
        body: feedbackCsv(items),
      };
    },
    {
      auth: 'admin',
      doc: { summary: 'Feature requests and bug reports of a period, as CSV or JSON', query: feedbackQuery },
    },
  );
  routes.add(
    'GET',
    '/api/complaints',
    async (req) => {
      const q = validate(queryObject(req), complaintsQuery, 'query');
      const now = deps.clock.now();
      const from = now - parseDuration(q.since);
      return {
        status: 200,
        body: { from, to: now, weeks: await complaintsBetween(deps.store, deps.trends.complaints, from, now) },
      };
    },
    { auth: 'admin', doc: { summary: 'Complaints per week of a period', query: complaintsQuery } },
  );
}
