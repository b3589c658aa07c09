import type { Channel, ChannelName, Replies } from './channels.ts';

/**
 * Inbound load as providers send it: each channel offers messages at its own
 * pace, whatever the router's state, and delivers a message again (same ids)
 * when it got no answer or a 5xx, as Slack and Meta redeliver. A message
 * counts as acknowledged once an attempt got a 200: from then on it is the
 * router's to answer.
 */
export interface TrafficOptions {
  url: string;
  channels: Channel[];
  /** Messages per second offered on each channel. */
  rates: Partial<Record<ChannelName, number>>;
  /** Attempts per message until one is acknowledged. */
  attempts?: number;
  /** Wait before the n-th redelivery: n × this. */
  retryDelayMs?: number;
}

export interface Traffic {
  offered: Map<ChannelName, number>;
  acked: Map<ChannelName, Set<number>>;
  /** Answers of 500 and above the router gave. */
  fiveXX: number;
  /** Every answer by channel and status (0: no answer: refused, reset, timed out). */
  statuses: Map<ChannelName, Map<number, number>>;
  /** Stops offering new messages and waits for the redeliveries under way. */
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function startTraffic(o: TrafficOptions): Traffic {
  const attempts = o.attempts ?? 4;
  const retryDelayMs = o.retryDelayMs ?? 1_000;
  const t: Traffic = { offered: new Map(), acked: new Map(), fiveXX: 0, statuses: new Map(), stop };
  let stopped = false;
  const pending = new Set<Promise<void>>();

  async function one(ch: Channel, i: number): Promise<void> {
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (attempt > 1) await sleep(retryDelayMs * (attempt - 1));
      const status = await ch.deliver(o.url, i, attempt);
      const seen = t.statuses.get(ch.name) as Map<number, number>;
      seen.set(status, (seen.get(status) ?? 0) + 1);
      if (status >= 500) t.fiveXX++;
      if (status === 200) {
        t.acked.get(ch.name)?.add(i);
        return;
      }
      if (status >= 400 && status < 500 && status !== 429) return; // refused for good: providers do not retry
    }
  }

  const loops = o.channels.map(async (ch) => {
    const rate = o.rates[ch.name] ?? 0;
    t.offered.set(ch.name, 0);
    t.acked.set(ch.name, new Set());
    t.statuses.set(ch.name, new Map());
    if (rate <= 0) return;
    const t0 = performance.now();
    for (let i = 0; !stopped; i++) {
      const wait = t0 + (i * 1000) / rate - performance.now();
      if (wait > 0) await sleep(wait);
      if (stopped) break;
      t.offered.set(ch.name, i + 1);
      const p = one(ch, i);
      pending.add(p);
      void p.finally(() => pending.delete(p));
    }
  });

  async function stop(): Promise<void> {
    stopped = true;
    await Promise.all(loops);
    while (pending.size > 0) await Promise.all([...pending]);
  }
  return t;
}

/**
 * Waits until every acknowledged message has a reply at its provider and no
 * new reply came for `quietMs` (late duplicates get that long to show), or
 * until `timeoutMs`. Returns the raw reply counts by channel.
 */
export async function settle(
  channels: Channel[],
  acked: Map<ChannelName, Set<number>>,
  o: { timeoutMs: number; quietMs: number },
): Promise<Map<ChannelName, Replies>> {
  const deadline = performance.now() + o.timeoutMs;
  let last = -1;
  let quietSince = performance.now();
  for (;;) {
    const replies = new Map<ChannelName, Replies>();
    for (const ch of channels) replies.set(ch.name, await ch.replies());
    let total = 0;
    let missing = 0;
    for (const ch of channels) {
      const r = replies.get(ch.name) as Replies;
      total += r.stray;
      for (const n of r.perMessage.values()) total += n;
      for (const i of acked.get(ch.name) ?? []) if (!r.perMessage.has(i)) missing++;
    }
    if (total !== last) {
      last = total;
      quietSince = performance.now();
    }
    const now = performance.now();
    if ((missing === 0 && now - quietSince >= o.quietMs) || now >= deadline) return replies;
    await sleep(500);
  }
}
