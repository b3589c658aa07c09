import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { createAgentActions } from './agent/agent-actions.ts';
import { createSnoozeTimerHandlers, wakeOnCustomerHook } from './agent/snooze.ts';
import { loadCalendar } from './calendar/load.ts';
import type { AdapterRegistry, ChannelAdapter } from './channel/contract.ts';
import { createChannelHost, MessageBus } from './channel/host.ts';
import { type Clock, systemClock, VirtualClock } from './clock.ts';
import { DeskBus } from './desk/events.ts';
import { createDeskHost, withDeskNotices, withTimerNotices } from './desk/host.ts';
import { createRuleClassifier } from './engine/classify.ts';
import type { Written } from './engine/decisions.ts';
import { registerEventsApi } from './engine/events-api.ts';
import { createFlowTimerHandlers } from './engine/flow-timers.ts';
import { defaultHooks, flowHook } from './engine/hooks.ts';
import { ConfigError } from './errors.ts';
import { newId } from './ids.ts';
import type { Logger } from './log.ts';
import { createOutboxLimiter } from './outbox/limiter.ts';
import { createOutboxWorker } from './outbox/worker.ts';
import { createIngestor } from './pipeline/ingest.ts';
import type { DestinationOf } from './pipeline/replies.ts';
import type { Routed } from './pipeline/route-event.ts';
import { createRouter } from './pipeline/router.ts';
import { createChannelDirectory } from './policies/directory.ts';
import { loadPolicySettings } from './policies/load.ts';
import { composeHooks, createPolicies } from './policies/policies.ts';
import { registerAdminApi } from './server/admin-api.ts';
import { createHttpServer } from './server/http-server.ts';
import { registerTestClockApi } from './server/test-clock-api.ts';
import { parseDuration } from './settings/schema.ts';
import type { Settings } from './settings/types.ts';
import type { AdoptedOutbound, Store } from './store/contract.ts';
import { lockDataDir } from './store/data-dir-lock.ts';
import { openStore } from './store/open.ts';
import { createTimerScheduler } from './timers/scheduler.ts';

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
}

export interface App {
  url: string;
  store: Store;
  adminToken: string;
  /** True when the token was generated and kept in the store (no config or environment names one). */
  adminTokenGenerated: boolean;
  /** Routes and sends everything pending now (tests, benchmarks). */
  drain(): Promise<void>;
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
    log,
  });
  // With SQLite this process is the only router (the data-folder lock), so leases
  // left by a crashed predecessor are taken back at once instead of after they expire.
  const instance = store.kind === 'sqlite' ? 'local' : `${hostname()}:${process.pid}:${newId().slice(-6)}`;
  if (store.kind === 'sqlite') {
    for (const part of ['router', 'outbox', 'timers']) await store.releaseLeases(`${instance}:${part}`);
  }
  const { token: adminToken, generated: adminTokenGenerated } = await resolveAdminToken(store, r.server.adminToken);

  const adapters = createAdapters(o.adapters, settings, log, clock);
  const destinationOf: DestinationOf = (channel, threadKey, replyRef) => {
    const adapter = adapters.get(channel);
    const via = adapter?.capabilities.replyVia ? adapters.get(adapter.capabilities.replyVia) : undefined;
    if (via) return { channel: via.channel, destination: via.destination(threadKey, replyRef) };
    return adapter?.destination(threadKey, replyRef) ?? null;
  };
  const bus = new MessageBus();
  // Conversation changes, after commit, for the agent desk (Slack): it reads what changed from the store.
  const deskBus = new DeskBus();
  const calendar = loadCalendar(settings.business, settings.configDir, log);
  const policies = createPolicies({
    settings,
    policies: loadPolicySettings({ configDir: settings.configDir, env: process.env, templates: settings.templates }),
    calendar,
    directory: createChannelDirectory(adapters, destinationOf, log),
    clock,
    log: log.child({ part: 'policies' }),
    store,
  });

  const outboxOwner = `${instance}:outbox`;
  const outboxLeaseMs = parseDuration(r.outbox.leaseTimeout);
  const pipelineLeaseMs = parseDuration(r.pipeline.leaseTimeout);
  const limiter = createOutboxLimiter({
    adapters,
    settings: settings.channels,
    redisUrl: o.redisUrl ?? null,
    log,
    clock,
  });
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
    onUnconfirmed: (job) =>
      deskBus.publish({ conversationId: job.conversationId, cause: 'delivery', events: ['delivery.unconfirmed'] }),
    onDeadLetter: (job) => deskBus.publish({ conversationId: job.conversationId, cause: 'delivery', events: [] }),
    onRetry: (job, error, nextAt) =>
      deskBus.publish({
        conversationId: job.conversationId,
        cause: 'delivery',
        events: [],
        retry: {
          messageId: job.messageId,
          attempt: job.attempts + (error.failure === 'rate_limited' ? 0 : 1),
          failure: error.failure === 'rate_limited' ? 'rate_limited' : 'transient',
          error: error.message,
          nextAt,
        },
      }),
  });
  // What flows write from timers and business events: shown to live clients, sent by the outbox.
  const onFlowWritten = (w: Written) => {
    for (const m of w.messages) bus.publish(w.conversation.touchpoint.channel, w.conversation.threadKey, m);
    deskBus.publish({ conversationId: w.conversation.id, cause: 'flow', events: [] });
    outbox.kick();
    timers.kick();
  };
  const flowDeps = { store, settings, clock, destinationOf, guard: policies.guard, onWritten: onFlowWritten };
  const flowTimers = createFlowTimerHandlers({ ...flowDeps, log: log.child({ part: 'flows' }) });
  const timers = createTimerScheduler({
    store,
    clock,
    log: log.child({ part: 'timers' }),
    owner: `${instance}:timers`,
    leaseMs: pipelineLeaseMs,
    handlers: withTimerNotices(
      { ...policies.timerHandlers, ...flowTimers.handlers, ...createSnoozeTimerHandlers({ clock }) },
      deskBus,
    ),
  });

  const onRouted = (routed: Routed[], adopted: AdoptedOutbound[]) => {
    outbox.adopt(adopted);
    // Adopted rows are in the worker's hands already: only the others need a claim.
    let queued = -adopted.length;
    for (const x of routed) {
      queued += x.queued;
      for (const m of x.messages) bus.publish(x.channel, x.threadKey, m);
      if (x.conversationId)
        deskBus.publish({ conversationId: x.conversationId, cause: 'inbound', events: x.events.map((e) => e.type) });
      if (x.bounceOf)
        void store
          .updateDelivery(x.channel, x.bounceOf, 'failed', x.bounceReason ?? 'bounced')
          .catch((err) => log.error({ err }, 'recording a bounce failed'));
    }
    if (queued > 0) outbox.kick();
  };
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
    deps: {
      settings,
      hooks: composeHooks(defaultHooks(createRuleClassifier(settings.intents)), flowHook, policies.hooks),
      settle: [...policies.hooks.settle, wakeOnCustomerHook],
      destinationOf,
      guard: policies.guard,
    },
    onRouted,
  });
  const ingestor = createIngestor({
    store,
    clock,
    log,
    reserveFor: { owner: routerOwner, leaseMs: pipelineLeaseMs },
    onStored: (events) => router.offer(events),
  });
  const actions = withDeskNotices(
    policies.wrapAgentActions(
      createAgentActions({
        store,
        clock,
        destinationOf,
        onMessages: (conversation, messages) => {
          for (const m of messages) bus.publish(conversation.touchpoint.channel, conversation.threadKey, m);
          outbox.kick();
        },
        flows: { settings, guard: policies.guard, onWritten: onFlowWritten },
        onTimers: () => timers.kick(),
      }),
    ),
    deskBus,
  );

  let ready = false;
  const server = createHttpServer({
    host: r.server.host,
    port: o.port ?? r.server.port,
    ...(r.server.publicUrl ? { publicUrl: r.server.publicUrl } : {}),
    trustProxy: r.server.trustProxy,
    adminToken,
    log: log.child({ part: 'http' }),
    isReady: () => ready,
  });
  registerAdminApi(server.routes, { store, actions });
  if (clock instanceof VirtualClock) registerTestClockApi(server.routes, clock);
  policies.registerRoutes(server.routes);
  registerEventsApi(server.routes, flowDeps);
  // Listen first (readyz answers 503 meanwhile) so adapters learn the real public URL.
  const url = await server.listen();
  const publicUrl = r.server.publicUrl ?? url;
  for (const adapter of adapters.values()) {
    const channelHost = createChannelHost({
      channel: adapter.channel,
      store,
      ingestor,
      bus,
      routes: server.routes,
      log,
      clock,
      publicUrl,
      calendar,
      instance,
    });
    const desk = createDeskHost({
      channel: adapter.channel,
      bus: deskBus,
      store,
      actions,
      moveToPrivate: policies.actions.moveToPrivate,
      limiter,
      clock,
      flows: settings.flows.map((f) => ({ id: f.id, description: f.description ?? null })),
      calendar,
    });
    await adapter.start({ ...channelHost, desk });
  }
  router.start();
  outbox.start();
  timers.start();
  ready = true;
  log.info({ url, store: store.kind, channels: [...adapters.keys()] }, 'touchpoint started');

  return {
    url,
    store,
    adminToken,
    adminTokenGenerated,
    async drain() {
      await ingestor.flush();
      await router.drain();
      await outbox.drain();
    },
    async stop() {
      ready = false;
      await server.close(10_000);
      await ingestor.flush();
      await router.stop();
      await timers.stop();
      await flowTimers.stop();
      await outbox.stop();
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

function createAdapters(
  registry: AdapterRegistry,
  settings: Settings,
  log: Logger,
  clock: Clock,
): Map<string, ChannelAdapter> {
  const out = new Map<string, ChannelAdapter>();
  for (const [name, ch] of Object.entries(settings.channels)) {
    if (!ch.enabled) continue;
    const def = registry[name];
    if (!def) {
      throw new ConfigError([
        {
          file: `${settings.configDir}/channels.yaml`,
          line: null,
          path: `channels.${name}`,
          message: `no adapter for channel "${name}"`,
          fix: `use one of: ${Object.keys(registry).join(', ')}`,
        },
      ]);
    }
    out.set(name, def.create(ch.settings, { log: log.child({ channel: name }), clock }));
  }
  return out;
}

/** The admin token: from config, else from the environment, else generated once and kept in the store. */
async function resolveAdminToken(
  store: Store,
  configured: string | undefined,
): Promise<{ token: string; generated: boolean }> {
  if (configured) return { token: configured, generated: false };
  const fromEnv = process.env.TOUCHPOINT_ADMIN_TOKEN;
  if (fromEnv) return { token: fromEnv, generated: false };
  const kept = await store.getState<string>('core', 'adminToken');
  if (kept) return { token: kept, generated: true };
  const token = randomBytes(24).toString('base64url');
  await store.setState('core', 'adminToken', token);
  return { token, generated: true };
}
