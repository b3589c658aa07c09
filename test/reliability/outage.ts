import { type ChannelName, startChannels } from './channels.ts';
import type { Fault } from './fault-proxy.ts';
import { type Figures, statuses, tally } from './figures.ts';
import { prepareRouter, type Router } from './router.ts';
import { settle, startTraffic } from './traffic.ts';

/**
 * Provider outages under load: for `seconds`, the APIs of Twilio, Slack and
 * Graph answer 5xx, 429 with Retry-After, never (the router's timeout ends
 * the request) or with a reset connection, in phases that rotate differently
 * per provider; then they recover. Every acknowledged message must then be
 * answered exactly once, and no request may arrive while a 429 of its scope
 * still says to wait. The router runs with its shipped outbox settings.
 */
export interface OutageOptions {
  seconds: number;
  /** Length of one fault phase. */
  phaseSeconds?: number;
  /** The Retry-After given with each 429. */
  retryAfterSeconds?: number;
  /** The faults the phases rotate through; all four by default. */
  modes?: Mode[];
  rates?: Partial<Record<ChannelName, number>>;
  /** router.yaml for the router under test (its outbox settings, for short runs); shipped defaults otherwise. */
  router?: Record<string, unknown>;
  /** Longest wait for the last replies once the providers are back (backoff may be minutes by then). */
  settleMs?: number;
  log?: (s: string) => void;
}

export type Mode = '5xx' | '429' | 'hang' | 'reset';
const allModes: Mode[] = ['5xx', '429', 'hang', 'reset'];

/** Requests already on their way when a 429 left are not the router's fault: this long after it, they are. */
export const RETRY_AFTER_GRACE_MS = 250;

export async function outage(o: OutageOptions): Promise<Figures> {
  const log = o.log ?? (() => {});
  const phaseMs = (o.phaseSeconds ?? 15) * 1000;
  const retryAfter = o.retryAfterSeconds ?? 5;
  const modes = o.modes ?? allModes;
  const names: ChannelName[] = ['sms', 'slack', 'facebook'];
  const channels = await startChannels(names, { proxied: true });
  let router: Router | null = null;
  try {
    router = await prepareRouter({
      store: 'sqlite',
      channels: channels.env,
      ...(o.router ? { router: o.router } : {}),
    });
    await router.start();
    const t0 = performance.now();
    const seen = new Map<Mode, number>();
    names.forEach((name, k) => {
      let n = 0;
      channels.proxies[name]?.setFault((): Fault | null => {
        const mode = modes[(Math.floor((performance.now() - t0) / phaseMs) + k) % modes.length] as Mode;
        seen.set(mode, (seen.get(mode) ?? 0) + 1);
        if (mode === '429') return { status: 429, retryAfterSeconds: retryAfter };
        if (mode === '5xx') return { status: n++ % 2 === 0 ? 500 : 503 };
        return mode;
      });
    });
    const traffic = startTraffic({
      url: router.url,
      channels: channels.list,
      rates: o.rates ?? { sms: 4, slack: 2, facebook: 4 },
    });
    await new Promise((r) => setTimeout(r, o.seconds * 1000));
    await traffic.stop();
    for (const p of Object.values(channels.proxies)) p.setFault(null);
    log(`  providers back after ${o.seconds} s; waiting for the backlog to drain`);
    const back = performance.now();
    const replies = await settle(channels.list, traffic.acked, { timeoutMs: o.settleMs ?? 240_000, quietMs: 5_000 });
    const drained = (performance.now() - back) / 1000;
    await router.stop();
    const left = await router.leftovers();
    const t = tally(traffic.acked, replies, traffic.offered);
    const perProvider = names.map((name) => {
      const p = channels.proxies[name];
      const bad = p?.violations(RETRY_AFTER_GRACE_MS) ?? [];
      return { name, bad, requests: p?.requests.length ?? 0, windows: p?.windows.length ?? 0 };
    });
    const violations = perProvider.reduce((n, p) => n + p.bad.length, 0);
    return {
      suite: 'outage',
      lost: t.lost,
      duplicated: t.duplicated,
      violations: violations + t.stray,
      fiveXX: traffic.fiveXX,
      details: [
        `${o.seconds} s of outage in ${o.phaseSeconds ?? 15} s phases of ${modes.join(', ')} (Retry-After ${retryAfter} s); ` +
          `faults served: ${[...seen].map(([m, n]) => `${m} ${n}`).join(', ')}; drained ${Math.round(drained)} s after recovery`,
        ...perProvider.map(
          (p) =>
            `${p.name.padEnd(8)} ${p.requests} requests, ${p.windows} Retry-After windows, ${p.bad.length} requests inside one (> ${RETRY_AFTER_GRACE_MS} ms after the 429)`,
        ),
        `webhook answers: ${statuses(traffic.statuses)}`,
        ...t.details,
        left,
      ],
    };
  } finally {
    await router?.close();
    await channels.close();
  }
}
