import { type Channel, type ChannelName, startChannels } from './channels.ts';
import { type Figures, tally } from './figures.ts';
import { prepareRouter, type Router } from './router.ts';
import { settle } from './traffic.ts';

/**
 * A redelivery storm: every message comes 2 to 5 times, some copies at once
 * (racing the first), some seconds later (Slack's retries with their
 * headers, Twilio's fallback retries); Meta redelivers in batches that mix a
 * message with its neighbours in another order. Each must be answered once.
 */
export interface StormOptions {
  /** Messages per channel. */
  messages: number;
  /** Over how long they are first delivered. */
  seconds: number;
  channels?: ChannelName[];
  log?: (s: string) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function storm(o: StormOptions): Promise<Figures> {
  const channels = await startChannels(o.channels ?? ['sms', 'slack', 'facebook']);
  let router: Router | null = null;
  try {
    router = await prepareRouter({ store: 'sqlite', channels: channels.env });
    await router.start();
    const url = router.url;
    const acked = new Map<ChannelName, Set<number>>(channels.list.map((c) => [c.name, new Set<number>()]));
    const deliveries = new Map<ChannelName, number>();
    let fiveXX = 0;
    const copies = async (ch: Channel, i: number) => {
      const n = 2 + Math.floor(Math.random() * 4);
      const at = Array.from({ length: n }, (_, k) => (k === 0 || Math.random() < 0.4 ? 0 : Math.random() * 3_000));
      await Promise.all(
        at.map(async (delay, k) => {
          if (delay > 0) await sleep(delay);
          const batch =
            ch.deliverBatch && k > 0 ? shuffle([i - 1, i, i + 1].filter((x) => x >= 0 && x < o.messages)) : [i];
          const status = ch.deliverBatch ? await ch.deliverBatch(url, batch) : await ch.deliver(url, i, k + 1);
          deliveries.set(ch.name, (deliveries.get(ch.name) ?? 0) + batch.length);
          if (status >= 500) fiveXX++;
          if (status === 200) for (const x of batch) acked.get(ch.name)?.add(x);
        }),
      );
    };
    const pending: Promise<void>[] = [];
    const t0 = performance.now();
    for (let i = 0; i < o.messages; i++) {
      const wait = t0 + (i * o.seconds * 1000) / o.messages - performance.now();
      if (wait > 0) await sleep(wait);
      for (const ch of channels.list) pending.push(copies(ch, i));
    }
    await Promise.all(pending);
    const replies = await settle(channels.list, acked, { timeoutMs: 60_000, quietMs: 3_000 });
    await router.stop();
    const offered = new Map(channels.list.map((c) => [c.name, o.messages]));
    const t = tally(acked, replies, offered);
    return {
      suite: 'storm',
      lost: t.lost,
      duplicated: t.duplicated,
      violations: t.stray,
      fiveXX,
      details: [
        `${o.messages} messages per channel delivered ${[...deliveries].map(([c, n]) => `${c} ${n}`).join(', ')} times`,
        ...t.details,
      ],
    };
  } finally {
    await router?.close();
    await channels.close();
  }
}

function shuffle<T>(xs: T[]): T[] {
  for (let k = xs.length - 1; k > 0; k--) {
    const j = Math.floor(Math.random() * (k + 1));
    [xs[k], xs[j]] = [xs[j] as T, xs[k] as T];
  }
  return xs;
}
