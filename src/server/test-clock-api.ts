import { z } from 'zod';
import type { VirtualClock } from '../clock.ts';
import { parseDuration } from '../duration.ts';
import type { RouteRegistry } from '../http/http-types.ts';
import { jsonBody } from '../http/json-body.ts';

const move = z.union([
  z.object({ advance: z.string().regex(/^\d+(ms|s|m|h|d)$/, 'a duration such as 30m or 3d') }).strict(),
  z.object({ to: z.iso.datetime({ offset: true }) }).strict(),
]);

/**
 * Test mode only (a virtual clock): whole-system tests move time through the
 * admin API, so a three-day follow-up or an SLA breach takes milliseconds.
 * Timers that fall due fire as the clock passes them.
 */
export function registerTestClockApi(routes: RouteRegistry, clock: VirtualClock): void {
  const now = () => ({ status: 200, body: { now: new Date(clock.now()).toISOString(), epochMs: clock.now() } });
  routes.add('GET', '/api/test/clock', now, { auth: 'admin', doc: { summary: 'The virtual clock (test mode only)' } });
  routes.add(
    'POST',
    '/api/test/clock',
    (req) => {
      const body = jsonBody(req, move);
      if ('advance' in body) clock.advance(parseDuration(body.advance));
      else clock.set(Math.max(clock.now(), Date.parse(body.to)));
      return now();
    },
    { auth: 'admin', doc: { summary: 'Move the virtual clock forward (test mode only)', body: move } },
  );
}
