import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCalendar } from '../../../src/calendar/calendar.ts';
import type { ChannelAdapter } from '../../../src/channel/contract.ts';
import { createChannelDirectory } from '../../../src/channel/directory.ts';
import { VirtualClock } from '../../../src/clock.ts';
import { createRuleClassifier } from '../../../src/decide/classify.ts';
import { routeSteps } from '../../../src/decide/route-steps.ts';
import { createFlowTimerHandlers } from '../../../src/flow-language/flow-timers.ts';
import { flowSteps } from '../../../src/flow-language/inbound-steps.ts';
import { silentLogger } from '../../../src/log.ts';
import type { Conversation, Envelope, Message } from '../../../src/model/types.ts';
import { createOutbound } from '../../../src/outbound/outbound.ts';
import { createPublicSendGuard, type PublicSendGuard } from '../../../src/outbound/public-guard.ts';
import { createOutboxLimiter } from '../../../src/outbox/limiter.ts';
import { createOutboxWorker, type OutboxWorker } from '../../../src/outbox/worker.ts';
import type { AgentActions } from '../../../src/people/actions.ts';
import { createAgentActions } from '../../../src/people/agent-actions.ts';
import { createIngestor, type Ingestor } from '../../../src/pipeline/ingest.ts';
import { createRouter, type Router } from '../../../src/pipeline/router.ts';
import { pausedKinds } from '../../../src/policies/crisis.ts';
import { createPolicies, type Policies } from '../../../src/policies/policies.ts';
import { flowFile } from '../../../src/settings/flow-schema.ts';
import { type PolicySettings, policyFiles } from '../../../src/settings/policy-schema.ts';
import { intentsFile, templatesFile } from '../../../src/settings/schema.ts';
import type { Settings } from '../../../src/settings/types.ts';
import type { Store } from '../../../src/store/contract.ts';
import { openStore } from '../../../src/store/open.ts';
import { createTimerScheduler, type TimerScheduler } from '../../../src/timers/scheduler.ts';
import { weekdayShop } from '../../support/business.ts';
import { testSettings } from '../../support/settings.ts';
import { PolicyTestAdapter, type TestChannel } from './test-adapter.ts';

/** Monday 5 January 2026, 23:00 in London (UTC in winter): the shop opens Tuesday at 09:00. */
export const MON_2300 = Date.UTC(2026, 0, 5, 23, 0);
/** Tuesday 6 January 2026, 10:00 in London: open. */
export const TUE_1000 = Date.UTC(2026, 0, 6, 10, 0);
export const MINUTE = 60_000;

export const TEMPLATES = {
  after_hours_ack: "Thanks {name|there}, we're closed and will reply {opening|soon}.",
  after_hours_urgent: "We're closed, but we've alerted the person on call.",
  handoff_public: "Thanks {name|there}, we've sent you a private message.",
  handoff_invite: 'Please send us a direct message so we can help.',
  handoff_private: 'Hi {name|there}, {business} here about your comment.',
  complaint_apology: 'So sorry, a manager will call you on 020 7946 0321.',
  pricing: 'A loaf is £4.',
  hello: 'Hello {name|there}, welcome to {business}!',
  handoff: 'Connecting you to a person.',
  fallback: 'Sorry, I did not catch that.',
  desk_ack: 'Thanks {name|there}, a person will answer within {expected}.',
  parcel_sent: 'Your parcel is on its way.',
  parcel_check: 'Did your parcel arrive, {name|there}?',
  crisis_holding: {
    text: 'We are dealing with an urgent situation and will reply soon.',
    languages: { de: 'Wir kümmern uns um eine dringende Lage und antworten bald.' },
  },
};

/** The raw policy files every test starts from; a test replaces whole files. */
export function policyConfig(): Record<keyof PolicySettings, unknown> {
  return {
    targets: {},
    trends: {},
    articles: [],
    desk: {},
    crisis: {},
    reviews: {},
    triage: {
      afterHours: { acknowledge: 'after_hours_ack', acknowledgeUrgent: 'after_hours_urgent' },
      urgency: { keywords: ['urgent', 'emergency', 'food poisoning'], sentimentAtOrBelow: -8 },
      sentiment: { words: { awful: -3, terrible: -3, disgusting: -4, great: 3 } },
    },
    knowledge: { answers: { prices: { keywords: ['price', 'how much'], answer: 'At {business} a loaf is £4.' } } },
    handoff: {
      rules: [{ touchpoints: ['social.comment', 'forum.post'] }],
      guard: { patterns: { 'order number': '\\bTS-\\d{4,}\\b' } },
    },
    sla: {
      policies: [
        { name: 'urgent', priorities: ['urgent'], firstResponse: '15m', hours: 'always' },
        { name: 'vip', vip: true, firstResponse: '30m', nextResponse: '1h', resolution: '1d' },
        { name: 'standard', firstResponse: '1h', nextResponse: '2h', resolution: '8h' },
      ],
      warning: { before: '15m', notify: ['sam'] },
      escalation: [
        { after: '0m', action: 'notify', to: ['sam'] },
        { after: '30m', action: 'reassign', to: ['sam'] },
        { after: '1h', action: 'page' },
      ],
    },
    oncall: {
      people: {
        maya: { name: 'Maya', channel: 'sms', to: '+447700900101' },
        tom: { name: 'Tom', channel: 'sms', to: '+447700900102' },
        sam: { name: 'Sam', channel: 'email', to: 'sam@shop.example' },
      },
      rotation: { start: '2026-01-05 07:00', every: '1w', order: ['maya', 'tom'] },
      ackTimeout: '15m',
      chain: ['oncall', 'next', 'sam'],
    },
  };
}

export const CHANNELS: TestChannel[] = [
  { channel: 'social', reaches: 'social', privateReply: true, startsKind: 'social.dm' },
  { channel: 'forum', reaches: null },
  { channel: 'email', reaches: 'email' },
  { channel: 'sms', reaches: 'phone' },
  { channel: 'webchat', reaches: null },
];

function harnessSettings(): Settings {
  return testSettings({
    business: weekdayShop(),
    templates: templatesFile.parse({ templates: TEMPLATES }).templates,
    intents: intentsFile.parse({
      intents: {
        pricing: { keywords: ['price', 'how much'] },
        complaint: { keywords: ['complaint', 'stale', 'refund'], category: 'feedback', priority: 'high' },
        human: { keywords: ['a person'], category: 'orders' },
        parcel: { keywords: ['parcel'] },
      },
    }).intents,
    flows: [
      flowFile.parse({ id: 'pricing', trigger: { intents: ['pricing'] }, steps: [{ say: 'pricing' }] }),
      flowFile.parse({ id: 'complaint', trigger: { intents: ['complaint'] }, steps: [{ say: 'complaint_apology' }] }),
      flowFile.parse({
        id: 'parcel',
        trigger: { intents: ['parcel'] },
        steps: [{ say: 'parcel_sent' }, { wait: '1h' }, { say: 'parcel_check' }],
      }),
      flowFile.parse({ id: 'fallback', trigger: { fallback: true }, steps: [{ say: 'fallback' }] }),
      flowFile.parse({ id: 'human', trigger: { intents: ['human'] }, steps: [{ say: 'handoff' }, { handoff: {} }] }),
    ],
  });
}

export interface Harness {
  store: Store;
  clock: VirtualClock;
  policies: Policies;
  /** The public-send guard of the harness's handoff settings. */
  guard: PublicSendGuard;
  actions: AgentActions;
  adapters: Map<string, PolicyTestAdapter>;
  router: Router;
  timers: TimerScheduler;
  outbox: OutboxWorker;
  ingestor: Ingestor;
  /** Stores and routes one inbound message, then fires the timers it set for now. */
  send(envelope: Partial<Envelope> & { text: string }): Promise<void>;
  /** Moves the clock forward a minute at a time, firing timers (and routing) as they fall due. */
  advance(ms: number): Promise<void>;
  conversations(): Promise<Conversation[]>;
  messages(conversationId: string, internal?: boolean): Promise<Message[]>;
  /** The staff conversation of a person (by their thread key on the test channels). */
  staffConversation(channel: string, address: string): Promise<Conversation | null>;
  close(): Promise<void>;
}

let providerSeq = 0;

export async function createHarness(
  opts: { at?: number; config?: Partial<Record<keyof PolicySettings, unknown>> } = {},
): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), 'tp-policies-'));
  const store = await openStore({ dataDir: dir, synchronous: 'normal', log: silentLogger });
  const clock = new VirtualClock(opts.at ?? MON_2300);
  const settings = harnessSettings();
  const raw = { ...policyConfig(), ...opts.config };
  const policySettings: PolicySettings = {
    triage: policyFiles['triage.yaml'].parse(raw.triage),
    knowledge: policyFiles['knowledge.yaml'].parse(raw.knowledge),
    articles: (raw.articles as PolicySettings['articles'] | undefined) ?? [],
    handoff: policyFiles['handoff.yaml'].parse(raw.handoff),
    sla: policyFiles['sla.yaml'].parse(raw.sla),
    oncall: policyFiles['oncall.yaml'].parse(raw.oncall),
    targets: policyFiles['targets.yaml'].parse(raw.targets),
    trends: policyFiles['trends.yaml'].parse(raw.trends),
    desk: policyFiles['desk.yaml'].parse(raw.desk),
    crisis: policyFiles['crisis.yaml'].parse(raw.crisis),
    reviews: policyFiles['reviews.yaml'].parse(raw.reviews),
  };
  const adapters = new Map(CHANNELS.map((c) => [c.channel, new PolicyTestAdapter(c)]));
  const channelAdapters = adapters as unknown as Map<string, ChannelAdapter>;
  const directory = createChannelDirectory(channelAdapters, silentLogger);
  const guard = createPublicSendGuard(policySettings.handoff);
  const outbound = createOutbound({ destinationOf: directory.destinationOf, guard });
  const policies = createPolicies({
    settings,
    policies: policySettings,
    calendar: createCalendar(settings.business),
    directory,
    outbound,
    clock,
    log: silentLogger,
    store,
  });
  const router = createRouter({
    store,
    clock,
    log: silentLogger,
    owner: 'policy-router',
    leaseMs: 30_000,
    batchSize: 50,
    workers: 2,
    maxAttempts: 2,
    batchTransactions: false,
    deps: {
      settings,
      steps: routeSteps({
        classifier: createRuleClassifier(settings.intents),
        flows: flowSteps,
        policies: policies.steps,
      }),
      outbound,
    },
    onRouted: () => {},
  });
  const flowTimers = createFlowTimerHandlers({ store, settings, clock, log: silentLogger, outbound });
  const timers = createTimerScheduler({
    store,
    clock,
    log: silentLogger,
    owner: 'policy-timers',
    leaseMs: 30_000,
    handlers: { ...policies.timerHandlers, ...flowTimers.handlers },
    paused: pausedKinds(store, () => policySettings.crisis),
    maxAttempts: 3,
  });
  const limiter = createOutboxLimiter({ adapters: channelAdapters, settings: {}, redisUrl: null, log: silentLogger });
  const outbox = createOutboxWorker({
    store,
    adapters: channelAdapters,
    limiter,
    clock,
    log: silentLogger,
    owner: 'policy-outbox',
    leaseMs: 60_000,
    maxAttempts: 3,
    backoff: { baseMs: 1_000, maxMs: 10_000 },
    concurrency: 4,
  });
  const ingestor = createIngestor({ store, clock, log: silentLogger, onStored: () => {} });
  const actions = policies.wrapAgentActions(createAgentActions({ store, clock, outbound, onMessages: () => {} }));

  const h: Harness = {
    store,
    clock,
    policies,
    guard,
    actions,
    adapters,
    router,
    timers,
    outbox,
    ingestor,
    async send(e) {
      const envelope: Envelope = {
        channel: 'webchat',
        providerId: `in-${++providerSeq}`,
        touchpoint: { channel: 'webchat', kind: 'webchat', visibility: 'private' },
        threadKey: 'webchat:v1',
        from: { kind: 'webchat', value: 'v1', name: 'Ada' },
        ...e,
      };
      await ingestor.ingest(envelope);
      await router.drain();
      await timers.drain();
    },
    async advance(ms) {
      const end = clock.now() + ms;
      for (let guard = 0; guard < 10_000 && clock.now() < end; guard++) {
        clock.set(Math.min(end, clock.now() + MINUTE));
        await timers.drain();
        await router.drain();
      }
    },
    conversations: () => store.listConversations({ limit: 200 }),
    messages: (id, internal = false) => store.listMessages(id, { includeInternal: internal, limit: 500 }),
    async staffConversation(channel, address) {
      const all = await store.listConversations({ limit: 200, channel });
      return all.find((c) => c.tags.includes('staff') && c.threadKey.endsWith(`:dm:${address}`)) ?? null;
    },
    async close() {
      await outbox.stop();
      await limiter.close();
      await timers.stop();
      await router.stop();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return h;
}

/** A public comment on the test social platform. */
export function socialComment(text: string, over: Partial<Envelope> = {}): Partial<Envelope> & { text: string } {
  return {
    channel: 'social',
    touchpoint: { channel: 'social', kind: 'social.comment', visibility: 'public' },
    threadKey: 'social:post-1:comment-1',
    from: { kind: 'social', value: 'u-ada', name: 'Ada' },
    text,
    ...over,
  };
}
