import { parseDuration } from '../duration.ts';
import type { Settings } from '../settings/types.ts';
import type { HttpServerOptions } from './http-server.ts';

/** router.yaml's `server` block as the HTTP server takes it; `port` (PORT, tests) overrides the file's. */
export function serverOptions(
  s: Settings['router']['server'],
  port: number | null,
): Pick<HttpServerOptions, 'host' | 'port' | 'publicUrl' | 'trustProxy' | 'limits'> {
  return {
    host: s.host,
    port: port ?? s.port,
    ...(s.publicUrl ? { publicUrl: s.publicUrl } : {}),
    trustProxy: s.trustProxy,
    limits: {
      headersTimeoutMs: parseDuration(s.limits.headersTimeout),
      requestTimeoutMs: parseDuration(s.limits.requestTimeout),
      maxConnections: s.limits.maxConnections,
      perIpConcurrency: s.limits.perIpConcurrency,
    },
  };
}
