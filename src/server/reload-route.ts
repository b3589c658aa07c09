import type { RouteRegistry } from '../http/http-types.ts';

/** What a reload answers (src/live-config.ts ReloadResult). */
interface ReloadAnswer {
  ok: boolean;
}

/**
 * POST /api/admin/reload (admin token): loads config/ and flows/ again and
 * applies them when they have no problem. 200 with what was applied and what
 * needs a restart; 422 with every problem (file, line, fix) when the new
 * config is refused and the running one stays in force.
 */
export function registerReloadRoute(routes: RouteRegistry, reload: () => ReloadAnswer): void {
  routes.add(
    'POST',
    '/api/admin/reload',
    () => {
      const result = reload();
      return { status: result.ok ? 200 : 422, body: result };
    },
    {
      auth: 'admin',
      doc: { summary: 'Load config/ and flows/ again and apply them (422 with every problem when refused)' },
    },
  );
}
