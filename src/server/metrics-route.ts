import type { RouteRegistry } from '../http/http-types.ts';
import type { Telemetry } from '../metrics/telemetry.ts';
import { adminGuard } from './admin-auth.ts';

/**
 * GET /metrics in the Prometheus text format, behind its own bearer token
 * (`TOUCHPOINT_METRICS_TOKEN`), or the admin token when none is set: a
 * scraper needs to read numbers, not to act on conversations.
 */
export function registerMetricsRoute(routes: RouteRegistry, telemetry: Telemetry, adminToken: string): void {
  const check = adminGuard(process.env.TOUCHPOINT_METRICS_TOKEN || adminToken);
  routes.add('GET', '/metrics', async (req) => {
    check(req.headers.authorization);
    const body = await telemetry.registry.metrics();
    return { status: 200, headers: { 'content-type': telemetry.registry.contentType }, body };
  });
}
