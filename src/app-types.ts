import type { BlobStore } from './blobs/contract.ts';
import type { AdapterRegistry } from './channel/contract.ts';
import type { CredentialState } from './channel/credentials.ts';
import type { Clock } from './clock.ts';
import type { ReloadResult } from './live-config.ts';
import type { Logger } from './log.ts';
import type { Route } from './server/route-table.ts';
import type { Settings } from './settings/types.ts';
import type { Store } from './store/contract.ts';

/** What starting the router takes, and what a started router offers (src/app.ts). */

export interface AppOptions {
  settings: Settings;
  adapters: AdapterRegistry;
  dataDir: string;
  databaseUrl: string | null;
  /** Overrides router.yaml's port (PORT, tests: 0 for any free port). */
  port: number | null;
  log: Logger;
  clock?: Clock;
  /** Shares rate limits across instances (bottleneck clustering). */
  redisUrl?: string | null;
  /** Namespace of the Redis keys, so deployments can share one Redis (default `touchpoint`). */
  redisPrefix?: string;
  /** Loads the config again for a reload (SIGHUP, POST /api/admin/reload); without it a reload reads the same settings. */
  loadSettings?: () => Settings;
  /** How long each channel's credential check may take (default 15 s). */
  credentialTimeoutMs?: number;
}

export interface App {
  url: string;
  store: Store;
  /** Where attachment bytes are kept. */
  blobs: BlobStore;
  adminToken: string;
  /** True when the token was generated and kept in the store (no config or environment names one). */
  adminTokenGenerated: boolean;
  /** Each enabled channel's credential check, as /readyz reports it. */
  channelHealth(): Record<string, CredentialState>;
  /** Resolves when every credential check has answered. */
  credentialsChecked(): Promise<void>;
  /** Loads the config again and applies it when it has no problem (src/live-config.ts). */
  reload(): ReloadResult;
  /** Routes and sends everything pending now (tests, benchmarks). */
  drain(): Promise<void>;
  /** Every route the server answers, as its route table holds them. */
  routes(): Route[];
  stop(): Promise<void>;
}
