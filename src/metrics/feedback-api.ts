import { z } from 'zod';
import type { Clock } from '../clock.ts';
import { parseDuration } from '../duration.ts';
import type { RouteRegistry } from '../http/http-types.ts';
import { queryObject, validate } from '../http/json-body.ts';
import type { TrendSettings } from '../settings/policy-schema.ts';
import type { Store } from '../store/contract.ts';
import { feedbackCsv, feedbackExport } from './feedback.ts';

const feedbackQuery = z
  .object({
    since: z
      .string()
      .regex(/^\d+(ms|s|m|h|d)$/, 'must be a duration such as 24h or 30d')
      .default('30d'),
    format: z.enum(['json', 'csv']).default('json'),
  })
  .strict();

/** GET /api/feedback?since=30d&format=csv: feature requests, bug reports … of the period, for the product team. */
export function registerFeedbackApi(
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
    { auth: 'admin' },
  );
}
