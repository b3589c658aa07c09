import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { createAuthenticator } from './access/principal.ts';
import { configuredAttachments } from './attachments/configured.ts';
import type { BlobStore } from './blobs/contract.ts';
import { registerBroadcastApi } from './broadcast/broadcast-api.ts';
import { createBroadcastSummaryHandlers } from './broadcast/desk-summary.ts';
import { createBroadcastRunner } from './broadcast/runner.ts';
import { configuredBugDesk } from './bugs/configured.ts';
import { Bus } from './bus.ts';
import type { AdapterRegistry } from './channel/contract.ts';
import { createAdapters } from './channel/create-adapters.ts';
import { type ChannelHealth, type CredentialState, checkCredentials } from './channel/credentials.ts';
import { createChannelDirectory } from './channel/directory.ts';
import { createChannelHost, type MessageEvent } from './channel/host.ts';
import { type Clock, systemClock } from './clock.ts';
import { liveDashboardDeps } from './dashboard/live-deps.ts';
import type { Written } from './decide/write-decision.ts';
import { liveDeskHosts } from './desk-wiring.ts';
import { parseDuration } from './duration.ts';
import { createFlowTimerHandlers } from './flow-language/flow-timers.ts';
import { newId } from './ids.ts';
import { createLiveConfig, follow, followHandlers, type ReloadResult } from './live-config.ts';
import type { Logger } from './log.ts';
import { registerScrapeGauges } from './metrics/scrape.ts';
import { createTelemetry, timedIngestor, timedLimiter } from './metrics/telemetry.ts';
import type { Conversation, Message } from './model/types.ts';
import { createOutboxLimiter } from './outbox/limiter.ts';
import { createOutboxWorker } from './outbox/worker.ts';
import type { DeskNotice } from './people/desk-events.ts';
import { erasedNotices, withTimerNotices } from './people/desk-host.ts';
import { createSnoozeTimerHandlers } from './people/snooze.ts';
import { createInboundTranslation } from './people/translate-inbound.ts';
import { createAfterCommit } from './pipeline/after-commit.ts';
import { instanceHeartbeat } from './pipeline/heartbeat.ts';
import { createIngestor } from './pipeline/ingest.ts';
import { createRouter } from './pipeline/router.ts';
import { pausedKinds } from './policies/crisis.ts';
import { scheduleQaRound } from './policies/qa-reviews.ts';
import { scheduleWeeklyReport } from './policies/weekly-report.ts';
import { sweepBlobs } from './privacy/blob-sweep.ts';
import { resumeErasures } from './privacy/erase.ts';
import { hasRetention } from './privacy/retention.ts';
import { createRetentionTimer } from './privacy/retention-timer.ts';
import { resolveAdminToken } from './server/admin-token.ts';
import { createHttpServer } from './server/http-server.ts';
import { registerMetricsRoute } from './server/metrics-route.ts';
import { registerOpenApiRoute } from './server/openapi.ts';
import { registerReloadRoute } from './server/reload-route.ts';
import type { Route } from './server/route-table.ts';
import { registerCoreRoutes } from './server/routes.ts';
import type { Settings } from './settings/types.ts';
import type { Store } from './store/contract.ts';
import { lockDataDir } from './store/data-dir-lock.ts';
import { openStore } from './store/open.ts';
import { createTimerScheduler } from './timers/scheduler.ts';
import { serveUnsubscribe } from './unsubscribe/configured.ts';
import { configuredWebhooks } from './webhooks/configured.ts';

/** The API description's version: the package's. */
const API_VERSION = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

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

/** Wires the store, the pipeline, the workers, the adapters and the HTTP server, and starts them. */
export async function startApp(o: AppOptions): Promise<App> {
  const { settings, log } = o;
  const clock = o.clock ?? systemClock;
  const r = settings.router;
  const unlock = o.databaseUrl ? () => {} : lockDataDir(o.dataDir);
  const store = await openStore({
    databaseUrl: o.databaseUrl,
    dataDir: o.dataDir,
    synchronous: r.store.synchronous,
    backgroundCheckpoints: true,
    incrementalVacuum: hasRetention(settings.retention),
    log,
  });
  // With SQLite this process is the only router (the data-folder lock), so leases
  // left by a crashed predecessor are taken back at once instead of after they expire.
  const instance = store.kind === 'sqlite' ? 'local' : `${hostname()}:${process.pid}:${newId().slice(-6)}`;
  if (store.kind === 'sqlite') {
    for (const part of ['router', 'outbox', 'timers']) await store.releaseLeases(`${instance}:${part}`);
    await store.webhooks.releaseLeases(`${instance}:webhooks`);
  }
  const { token: adminToken, generated: adminTokenGenerated } = await resolveAdminToken(store, r.server.adminToken);
  // An erasure a crash or stop interrupted is finished before anything is routed or sent.
  const resumed = await resumeErasures(store, clock.now());
  if (resumed.length > 0) log.info({ contacts: resumed.length }, 'finished erasures an earlier stop interrupted');

  const adapters = await createAdapters(o.adapters, settings, log, clock);
  const directory = createChannelDirectory(adapters, log);
  const messages = new Bus<MessageEvent>();
  // Conversation changes, after commit, for the agent desk (Slack): it reads what changed from the store.
  const deskBus = new Bus<DeskNotice>();
  const onWritten = (w: Written) => afterCommit.written(w);
  const config = createLiveConfig(
    settings,
    {
      store,
      clock,
      log,
      directory,
      deskBus,
      onWritten,
      onAgentMessages: (conversation, written) => afterCommit.agentMessages(conversation, written),
      onTimers: () => timers.kick(),
      configDir: settings.configDir,
    },
    o.loadSettings ?? (() => settings),
  );
  // The long-lived parts read the generation in force at each call (src/live-config.ts).
  const live = config.current;
  const calendar = follow(() => live().calendar);
  const policyActions = follow(() => live().policies.actions);
  const actions = follow(() => live().actions);
  const liveSettings = follow(() => live().settings);
  /** The config in force, read at each use: a reload shows from the next call on. */
  const liveDeps = () => ({
    get settings() {
      return live().settings;
    },
    get outbound() {
      return live().outbound;
    },
    get firstContact() {
      return live().firstContact;
    },
  });
  const flowDeps = Object.assign(liveDeps(), { store, clock, onWritten });

  const outboxOwner = `${instance}:outbox`;
  const outboxLeaseMs = parseDuration(r.outbox.leaseTimeout);
  const pipelineLeaseMs = parseDuration(r.pipeline.leaseTimeout);
  const telemetry = createTelemetry();
  const limiter = timedLimiter(
    createOutboxLimiter({
      adapters,
      settings: settings.channels,
      redisUrl: o.redisUrl ?? null,
      ...(o.redisPrefix ? { prefix: o.redisPrefix } : {}),
      log,
      clock,
    }),
    telemetry,
  );
  const outbox = createOutboxWorker({
    store,
    adapters,
    limiter,
    clock,
    log: log.child({ part: 'outbox' }),
    owner: outboxOwner,
    leaseMs: outboxLeaseMs,
    maxAttempts: r.outbox.maxAttempts,
    backoff: { baseMs: parseDuration(r.outbox.backoffBase), maxMs: parseDuration(r.outbox.backoffMax) },
    concurrency: r.outbox.concurrency,
    unconfirmed: r.outbox.unconfirmed,
    onUnconfirmed: (job) => afterCommit.unconfirmed(job),
    onDeadLetter: (job) => afterCommit.deadLettered(job),
    onDelivered: (job) => afterCommit.delivered(job, clock.now()),
    onRetry: (job, error, nextAt) => afterCommit.retrying(job, error, nextAt),
    onSendTimed: telemetry.sent,
    onPutBack: telemetry.putBack,
  });
  const webhooks = configuredWebhooks({
    store,
    clock,
    log: log.child({ part: 'webhooks' }),
    owner: `${instance}:webhooks`,
    settings: r.webhooks,
    current: () => live().settings.router.webhooks,
  });
  const flowTimers = createFlowTimerHandlers({
    ...flowDeps,
    startThread: directory.startThread,
    log: log.child({ part: 'flows' }),
  });
  const bugs = configuredBugDesk({
    store,
    clock,
    log: log.child({ part: 'bugs' }),
    live,
    onMessages: (conversation, written) => {
      afterCommit.agentMessages(conversation, written);
      // The header card shows the conversation's bugs; the thread mirrors the note.
      deskBus.publish({ conversationId: conversation.id, cause: 'agent', events: [] });
    },
    onTimers: () => timers.kick(),
  });
  const retention = createRetentionTimer({
    store,
    clock,
    log: log.child({ part: 'retention' }),
    settings: () => live().settings.retention,
    blobs: () => attachments.blobs,
  });
  const timers = createTimerScheduler({
    store,
    clock,
    log: log.child({ part: 'timers' }),
    owner: `${instance}:timers`,
    leaseMs: pipelineLeaseMs,
    paused: pausedKinds(store, () => live().settings.policies.crisis),
    handlers: withTimerNotices(
      {
        ...followHandlers(() => live().policies.timerHandlers),
        ...flowTimers.handlers,
        ...createSnoozeTimerHandlers({ clock }),
        ...bugs.timerHandlers,
        ...retention.handlers,
        ...followHandlers(() => createBroadcastSummaryHandlers(live().policies.kit)),
      },
      deskBus,
    ),
  });
  // The weekly QA round and report (reviews.yaml), set again from the config at each start.
  await store.transaction(async (tx) => {
    await scheduleQaRound(tx, live().policies.kit, clock.now());
    await scheduleWeeklyReport(tx, live().policies.kit, clock.now());
  });
  const translateInbound = createInboundTranslation({
    store,
    clock,
    log: log.child({ part: 'translation' }),
    current: () => live().translation,
    onNote: (conversationId) => deskBus.publish({ conversationId, cause: 'inbound', events: [] }),
  });
  const afterCommit = createAfterCommit({ outbox, timers, messages, desk: deskBus, translateInbound });
  const attachments = configuredAttachments({
    settings: r.attachments,
    dataDir: o.dataDir,
    store,
    adapters,
    clock,
    log: log.child({ part: 'media' }),
    owner: `${instance}:media`,
    desk: deskBus,
  });
  const { blobs, media } = attachments;
  // Files an erasure or a retention run queued before a stop are deleted now.
  await sweepBlobs(store, blobs, log.child({ part: 'blobs' }));

  const routerOwner = `${instance}:router`;
  const router = createRouter({
    store,
    clock,
    log: log.child({ part: 'router' }),
    owner: routerOwner,
    leaseMs: pipelineLeaseMs,
    batchSize: r.pipeline.batchSize,
    workers: r.pipeline.workers,
    maxAttempts: r.pipeline.maxAttempts,
    batchTransactions: store.kind === 'sqlite',
    adoptOutbound: { owner: outboxOwner, leaseMs: outboxLeaseMs },
    deps: () => live().route,
    onRouted: (routed, adopted) => {
      afterCommit.routed(routed, adopted);
      media.kick();
      webhooks.kick();
    },
    onRouteLatency: telemetry.routed,
  });
  const ingestor = timedIngestor(
    createIngestor({
      store,
      clock,
      log,
      reserveFor: { owner: routerOwner, leaseMs: pipelineLeaseMs },
      onStored: (events) => router.offer(events),
    }),
    telemetry,
  );
  let ready = false;
  let health: ChannelHealth | null = null;
  const authenticate = createAuthenticator({ bootstrapToken: adminToken, accounts: store });
  const server = createHttpServer({
    host: r.server.host,
    port: o.port ?? r.server.port,
    ...(r.server.publicUrl ? { publicUrl: r.server.publicUrl } : {}),
    trustProxy: r.server.trustProxy,
    authenticate,
    log: log.child({ part: 'http' }),
    isReady: () => ready,
    limits: {
      headersTimeoutMs: parseDuration(r.server.limits.headersTimeout),
      requestTimeoutMs: parseDuration(r.server.limits.requestTimeout),
      maxConnections: r.server.limits.maxConnections,
      perIpConcurrency: r.server.limits.perIpConcurrency,
    },
    onAnswered: telemetry.answered,
    channels: () => health?.report() ?? {},
  });
  registerScrapeGauges({
    telemetry,
    store,
    clock,
    calendar,
    targets: follow(() => live().settings.policies.targets),
    sla: follow(() => live().settings.policies.sla),
    log: log.child({ part: 'metrics' }),
    kpiTtlMs: parseDuration(r.metrics.kpiRefresh),
  });
  registerMetricsRoute(server.routes, telemetry, adminToken);
  registerCoreRoutes(server.routes, {
    store,
    clock,
    blobs,
    onErased: erasedNotices(store, deskBus, log),
    actions,
    policyActions,
    events: flowDeps,
    dashboard: liveDashboardDeps({
      store,
      clock,
      log: log.child({ part: 'dashboard' }),
      adminToken,
      calendar,
      settings: () => live().settings,
      channels: [...adapters.keys()].sort(),
      onRetried: () => outbox.kick(),
      rateOf: (channel) => limiter.rateLimit(channel),
      authenticate,
      blobs,
    }),
    outreach: Object.assign(liveDeps(), {
      store,
      clock,
      onMessages: (conversation: Conversation, written: Message[]) => afterCommit.agentMessages(conversation, written),
    }),
    trends: follow(() => live().settings.policies.trends),
    onCrisisSwitched: () => timers.kick(),
    reviews: () => live().settings.policies.reviews,
  });
  const broadcasts = createBroadcastRunner({
    store,
    clock,
    log: log.child({ part: 'broadcasts' }),
    owner: `${instance}:broadcasts`,
    deps: () => ({ outbound: live().outbound, firstContact: live().firstContact, calendar: live().calendar }),
    batchSize: r.broadcasts.batchSize,
    window: r.broadcasts.window,
    pollMs: parseDuration(r.broadcasts.pollInterval),
    onQueued: () => outbox.kick(),
    onTimers: () => timers.kick(),
  });
  registerBroadcastApi(server.routes, {
    store,
    clock,
    templates: () => live().settings.templates,
    channels: () => [...adapters.keys()],
    onChange: () => broadcasts.kick(),
    onTimers: () => timers.kick(),
  });
  registerReloadRoute(server.routes, config.reload, { store, clock });
  bugs.routes(server.routes);
  registerOpenApiRoute(server.routes, { title: settings.business.name, version: API_VERSION });
  // Listen first (readyz answers 503 meanwhile) so adapters learn the real public URL.
  const url = await server.listen();
  const publicUrl = r.server.publicUrl ?? url;
  const files = await attachments.serve(server.routes, publicUrl);
  const unsubscribe = await serveUnsubscribe(server.routes, publicUrl, { store, clock, log, business: liveSettings });
  const deskFor = liveDeskHosts({
    bus: deskBus,
    store,
    actions,
    policyActions,
    limiter,
    clock,
    calendar,
    settings: liveSettings,
    live,
    log,
    bugs,
    onCrisisSwitched: () => timers.kick(),
  });
  for (const adapter of adapters.values()) {
    const channelHost = createChannelHost({
      channel: adapter.channel,
      store,
      ingestor,
      bus: messages,
      routes: server.routes,
      log,
      clock,
      publicUrl,
      calendar,
      instance,
      deliveryFailed: (m) => deskBus.publish({ conversationId: m.conversationId, cause: 'delivery', events: [] }),
      maxInboundText: adapter.capabilities.maxInboundText,
    });
    const desk = deskFor(adapter.channel);
    await adapter.start({ ...channelHost, desk, files, unsubscribe });
  }
  health = checkCredentials(adapters, log.child({ part: 'credentials' }), o.credentialTimeoutMs);
  const heartbeat = instanceHeartbeat(store, {
    instance,
    clock,
    log: log.child({ part: 'instances' }),
    pipeline: r.pipeline,
    onTakenOver: (t) => {
      for (const [queue, rows] of Object.entries(t.released)) telemetry.takenOver(queue, rows);
    },
  });
  await heartbeat?.start();
  // Without limits nothing is scheduled: the timer appears once retention.yaml sets one (at the next start).
  if (hasRetention(settings.retention)) await retention.ensureScheduled();
  router.start();
  // Holds other instances learnt from a provider (Retry-After) are known before the first send.
  await limiter.ready();
  outbox.start();
  timers.start();
  broadcasts.start();
  media.start();
  webhooks.start();
  await bugs.schedulePolling();
  ready = true;
  log.info({ url, store: store.kind, channels: [...adapters.keys()] }, 'touchpoint started');

  return {
    url,
    store,
    blobs,
    adminToken,
    adminTokenGenerated,
    channelHealth: () => health?.report() ?? {},
    reload: config.reload,
    credentialsChecked: () => health?.done ?? Promise.resolve(),
    routes: () => server.routes.list(),
    async drain() {
      await ingestor.flush();
      await router.drain();
      await media.drain();
      await outbox.drain();
      await webhooks.drain();
    },
    async stop() {
      ready = false;
      await server.close(10_000);
      await ingestor.flush();
      await router.stop();
      await timers.stop();
      await broadcasts.stop();
      await retention.stop();
      await flowTimers.stop();
      await media.stop();
      await bugs.polling();
      await outbox.stop();
      await webhooks.stop();
      await heartbeat?.stop();
      await Promise.all(
        [...adapters.values()].map((a) =>
          a.stop().catch((err) => log.warn({ err, channel: a.channel }, 'adapter stop failed')),
        ),
      );
      await limiter.close();
      await store.close();
      unlock();
      log.info('touchpoint stopped');
    },
  };
}
