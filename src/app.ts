import { readFileSync } from 'node:fs';
import { createAuthenticator } from './access/principal.ts';
import { openAppStore } from './app-store.ts';
import type { App, AppOptions } from './app-types.ts';
import { configuredAttachments } from './attachments/configured.ts';
import { configuredBroadcasts } from './broadcast/configured.ts';
import { createBroadcastSummaryHandlers } from './broadcast/desk-summary.ts';
import { configuredBugDesk } from './bugs/configured.ts';
import { Bus } from './bus.ts';
import { createAdapters } from './channel/create-adapters.ts';
import { type ChannelHealth, checkCredentials } from './channel/credentials.ts';
import { createChannelDirectory } from './channel/directory.ts';
import type { MessageEvent } from './channel/host.ts';
import { startAdapters, stopAdapters } from './channel/start-adapters.ts';
import { systemClock } from './clock.ts';
import { liveDashboardDeps } from './dashboard/live-deps.ts';
import type { Written } from './decide/write-decision.ts';
import { liveDeskHosts } from './desk-wiring.ts';
import { parseDuration } from './duration.ts';
import { createFlowTimerHandlers } from './flow-language/flow-timers.ts';
import { createLiveConfig, follow, followHandlers } from './live-config.ts';
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
import { hasRetention } from './privacy/retention.ts';
import { createRetentionTimer } from './privacy/retention-timer.ts';
import { createHttpServer } from './server/http-server.ts';
import { registerMetricsRoute } from './server/metrics-route.ts';
import { registerOpenApiRoute } from './server/openapi.ts';
import { registerReloadRoute } from './server/reload-route.ts';
import { registerCoreRoutes } from './server/routes.ts';
import { serverOptions } from './server/server-options.ts';
import { createTimerScheduler } from './timers/scheduler.ts';
import { serveUnsubscribe } from './unsubscribe/configured.ts';
import { configuredWebhooks } from './webhooks/configured.ts';

/** The API description's version: the package's. */
const API_VERSION = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

export type { App, AppOptions } from './app-types.ts';

/** Wires the store, the pipeline, the workers, the adapters and the HTTP server, and starts them. */
export async function startApp(o: AppOptions): Promise<App> {
  const { settings, log } = o;
  const clock = o.clock ?? systemClock;
  const r = settings.router;
  const { store, instance, unlock, adminToken, adminTokenGenerated } = await openAppStore(o, log, clock);

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
    ...serverOptions(r.server, o.port),
    authenticate,
    log: log.child({ part: 'http' }),
    isReady: () => ready,
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
  const broadcasts = configuredBroadcasts(r.broadcasts, server.routes, {
    store,
    clock,
    log: log.child({ part: 'broadcasts' }),
    instance,
    deps: () => ({ outbound: live().outbound, firstContact: live().firstContact, calendar: live().calendar }),
    templates: () => live().settings.templates,
    channels: () => [...adapters.keys()],
    onQueued: () => outbox.kick(),
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
  await startAdapters(
    adapters,
    {
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
    },
    { deskFor, files, unsubscribe },
  );
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
      for (const part of [router, media, outbox, webhooks]) await part.drain();
    },
    async stop() {
      ready = false;
      await server.close(10_000);
      await ingestor.flush();
      // in order: nothing more routed, scheduled or fetched; then what is being sent ends; then the connections
      for (const part of [router, timers, broadcasts, retention, flowTimers, media]) await part.stop();
      await bugs.polling();
      for (const part of [outbox, webhooks]) await part.stop();
      await heartbeat?.stop();
      await stopAdapters(adapters, log);
      await limiter.close();
      await store.close();
      unlock();
      log.info('touchpoint stopped');
    },
  };
}
