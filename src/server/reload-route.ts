import { audit } from '../access/audit.ts';
import type { Clock } from '../clock.ts';
import type { RouteRegistry } from '../http/http-types.ts';
import type { Store } from '../store/contract.ts';

/** What a reload answers (src/live-config.ts ReloadResult). */
interface ReloadAnswer {
  ok: boolean;
  applied: string[];
  needsRestart: string[];
  problems: unknown[];
}

/**
 * POST /api/admin/reload (admin token): loads config/ and flows/ again and
 * applies them when they have no problem. 200 with what was applied and what
 * needs a restart; 422 with every problem (file, line, fix) when the new
 * config is refused and the running one stays in force.
 */
export function registerReloadRoute(
  routes: RouteRegistry,
  reload: () => ReloadAnswer,
  audited?: { store: Store; clock: Clock },
): void {
  routes.add(
    'POST',
    '/api/admin/reload',
    async (req) => {
      const result = reload();
      // Refused reloads too: who tried to change the config is worth knowing.
      if (audited && req.principal) {
        const { store, clock } = audited;
        const detail = {
          ok: result.ok,
          applied: result.applied,
          needsRestart: result.needsRestart,
          problems: result.problems.length,
        };
        const who = req.principal;
        await store.transaction((tx) => audit(tx, who, 'config.reload', {}, detail, clock.now()));
      }
      return { status: result.ok ? 200 : 422, body: result };
    },
    {
      auth: 'admin',
      doc: { summary: 'Load config/ and flows/ again and apply them (422 with every problem when refused)' },
    },
  );
}
