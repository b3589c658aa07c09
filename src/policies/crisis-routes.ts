import { z } from 'zod';
import type { Clock } from '../clock.ts';
import { unauthorized } from '../errors.ts';
import type { RouteRegistry } from '../http/http-types.ts';
import { jsonBody } from '../http/json-body.ts';
import type { Store } from '../store/contract.ts';
import { crisisStatus, switchCrisis } from './crisis-switch.ts';

const switchBody = z
  .object({
    on: z.boolean(),
    reason: z.string().trim().max(500).optional(),
  })
  .strict();

/**
 * The crisis switch in the admin API: `GET /api/crisis` (any agent: whether
 * one is on), `POST /api/crisis` `{"on": true, "reason": "…"}` (admins).
 */
export function registerCrisisRoutes(
  routes: RouteRegistry,
  deps: { store: Store; clock: Clock; onSwitched: () => void },
): void {
  routes.add('GET', '/api/crisis', async () => ({ status: 200, body: await crisisStatus(deps.store) }), {
    auth: 'agent',
    doc: { summary: 'Whether crisis mode is on' },
  });
  routes.add(
    'POST',
    '/api/crisis',
    async (req) => {
      if (!req.principal) throw unauthorized('this route needs an admin token');
      const b = jsonBody(req, switchBody);
      const input = { on: b.on, actor: req.principal, ...(b.reason ? { reason: b.reason } : {}) };
      const state = await deps.store.transaction((tx) => switchCrisis(tx, input, deps.clock.now()));
      if (state.changed) deps.onSwitched();
      return { status: 200, body: state };
    },
    { auth: 'admin', maxBodyBytes: 8 * 1024, doc: { summary: 'Switch crisis mode on or off', body: switchBody } },
  );
}
