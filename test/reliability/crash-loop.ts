import { type ChannelName, startChannels } from './channels.ts';
import { type Figures, statuses, tally } from './figures.ts';
import { prepareRouter, type Router, type StoreKind } from './router.ts';
import { settle, startTraffic } from './traffic.ts';

/**
 * kill -9 of the router every few seconds, for `seconds`, under steady mixed
 * load (SMS, Slack, Messenger, email), then one last start to let it catch up:
 * every acknowledged message must be answered, none twice, counted at the
 * provider fakes from their raw requests.
 */
export interface CrashLoopOptions {
  store: StoreKind;
  seconds: number;
  /** Time the router runs between kills, from when it serves: a random value in this range (ms). */
  uptimeMs?: [number, number];
  channels?: ChannelName[];
  /** Messages per second per channel. */
  rates?: Partial<Record<ChannelName, number>>;
  /** PostgreSQL: the pipeline and outbox lease timeout, how soon a dead instance's work is taken over (4s). */
  lease?: string;
  /** Longest wait for the last replies after the loop. */
  settleMs?: number;
  log?: (s: string) => void;
}

export const defaultRates: Record<ChannelName, number> = { sms: 8, slack: 4, facebook: 8, email: 2 };

export async function crashLoop(o: CrashLoopOptions): Promise<Figures> {
  const log = o.log ?? (() => {});
  const [minUp, maxUp] = o.uptimeMs ?? [2_000, 5_000];
  const channels = await startChannels(o.channels ?? ['sms', 'slack', 'facebook', 'email']);
  let router: Router | null = null;
  try {
    // PostgreSQL: a restarted router is a new instance, and takes over what the dead one held when its leases end.
    router = await prepareRouter({
      store: o.store,
      channels: channels.env,
      ...(o.store === 'postgres' ? { lease: o.lease ?? '4s' } : {}),
    });
    await router.start();
    const traffic = startTraffic({ url: router.url, channels: channels.list, rates: o.rates ?? defaultRates });
    const end = performance.now() + o.seconds * 1000;
    let kills = 0;
    const starts: number[] = [];
    while (performance.now() < end) {
      await new Promise((r) => setTimeout(r, minUp + Math.random() * (maxUp - minUp)));
      await router.kill();
      kills++;
      const t0 = performance.now();
      await router.start();
      starts.push(performance.now() - t0);
    }
    await traffic.stop();
    log(`  ${kills} kills; restarts took ${Math.round(avg(starts))} ms on average; waiting for the last replies`);
    const replies = await settle(channels.list, traffic.acked, {
      timeoutMs: o.settleMs ?? (o.store === 'postgres' ? 90_000 : 45_000),
      // Longer than a lease: a reply sent twice after a lease ran out shows up by then.
      quietMs: 10_000,
    });
    await router.stop();
    const left = await router.leftovers();
    const t = tally(traffic.acked, replies, traffic.offered);
    return {
      suite: `crash-loop:${o.store}`,
      lost: t.lost,
      duplicated: t.duplicated,
      violations: t.stray,
      fiveXX: traffic.fiveXX,
      details: [
        `${o.seconds} s, ${kills} × kill -9 (uptime ${minUp / 1000}-${maxUp / 1000} s), answers: ${statuses(traffic.statuses)}`,
        ...t.details,
        left,
      ],
    };
  } finally {
    await router?.close();
    await channels.close();
  }
}

const avg = (xs: number[]) => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);
