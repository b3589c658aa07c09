/**
 * A broadcast to BENCH_BROADCAST_RECIPIENTS (default 10,000) contacts over SMS,
 * through the real twilio client to the fake Twilio API (in a process of its
 * own, so it stamps requests as they arrive), from one long code
 * permitted BENCH_BROADCAST_RATE messages a second (default 20: what one
 * number's serial sends sustain here with SQLite synchronous=full). Figures:
 * the rate used against the permitted one (steady state, first to last send),
 * and rate-limit violations (any second of the fake's clock with more creates
 * than permitted; answers of 429).
 */
import { fork } from 'node:child_process';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import type { ClientRequest } from 'node:http';
import { setPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { smsDefinition } from '../../adapters/twilio/definition.ts';
import { smsSettings } from '../../adapters/twilio/settings.ts';
import { startApp } from '../../src/app.ts';
import { silentLogger } from '../../src/log.ts';
import { routerFile } from '../../src/settings/schema.ts';
import { seedDataDir } from '../broadcast/seed.ts';
import type { LoggedRequest } from '../fakes/twilio-api.ts';
import { testSettings } from '../support/settings.ts';

const ACCOUNT_SID = 'AC0123456789abcdef0123456789abcdef';
const AUTH_TOKEN = 'bench-auth-token';
const TOKEN = 'broadcast-bench-admin-token-0123';

export interface BroadcastFigures {
  recipients: number;
  sent: number;
  permitted: number;
  used: number;
  share: number;
  busiestSecond: number;
  violations: number;
  /** The same count over the times the router wrote each create, as it saw them. */
  written: { busiest: number; violations: number };
  seconds: number;
}

/** The most requests within any second, and how many requests made their second hold more than `rate`. */
function crowding(times: number[], rate: number): { busiest: number; violations: number } {
  let busiest = 0;
  let violations = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while ((times[i] as number) - (times[j] as number) >= 1000) j++;
    const n = i - j + 1;
    busiest = Math.max(busiest, n);
    if (n > rate) violations++;
  }
  return { busiest, violations };
}

/**
 * The Twilio fake in its own process (twilio-fake-process.ts), so its clock is not the router's event loop,
 * and at a higher priority where that is permitted: on a machine busier than its cores, a fake waiting for
 * a core stamps requests late and bunched, and counts violations the router did not make.
 */
async function startFake(): Promise<{ url: string; log(): Promise<LoggedRequest[]>; close(): Promise<void> }> {
  const child = fork(join(import.meta.dirname, 'twilio-fake-process.ts'), {
    env: { ...process.env, ACCOUNT_SID, AUTH_TOKEN, LATENCY_MS: '5' },
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  try {
    // Ahead of the router and of other work on the machine, so it stamps each request as it arrives.
    setPriority(child.pid ?? 0, -10);
  } catch {
    // Not permitted here: the stamps may then lag behind arrivals on a busy machine.
  }
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  const { url } = JSON.parse(line.toString()) as { url: string };
  return {
    url,
    async log() {
      child.send('log');
      const [reply] = (await once(child, 'message')) as [{ log: LoggedRequest[] }];
      return reply.log;
    },
    async close() {
      child.disconnect();
      await once(child, 'exit');
    },
  };
}

export async function benchBroadcast(): Promise<BroadcastFigures> {
  const total = Number(process.env.BENCH_BROADCAST_RECIPIENTS ?? 10_000);
  const rate = Number(process.env.BENCH_BROADCAST_RATE ?? 20);
  const dir = await mkdtemp(join(tmpdir(), 'tp-broadcast-bench-'));
  const api = await startFake();
  // Every contact eligible: the bench measures pacing, not the rules.
  const seeded = await seedDataDir(dir, {
    total,
    outside: 0,
    optOutEvery: total + 1,
    noConsentEvery: total + 1,
    now: Date.now(),
  });
  const settings = testSettings({
    channels: {
      sms: {
        enabled: true,
        settings: smsSettings.parse({
          accountSid: ACCOUNT_SID,
          authToken: AUTH_TOKEN,
          apiBaseUrl: api.url,
          numbers: [{ number: '+14155550100', kind: 'longcode', ratePerSecond: rate }],
          statusCallback: false,
        }),
      },
    },
    router: routerFile.parse({ server: { adminToken: TOKEN }, broadcasts: { pollInterval: '100ms' } }),
  });
  // When the router wrote each create, by its own clock: the fake's stamps add the time it waited for a core.
  const written: number[] = [];
  const onRequest = (message: unknown) => {
    const { request } = message as { request: ClientRequest };
    if (request.method === 'POST' && request.path.endsWith('/Messages.json'))
      request.once('finish', () => written.push(performance.timeOrigin + performance.now()));
  };
  subscribe('http.client.request.start', onRequest);
  const app = await startApp({
    settings,
    adapters: { sms: smsDefinition },
    dataDir: dir,
    databaseUrl: null,
    port: 0,
    log: silentLogger,
  });
  try {
    const res = await fetch(`${app.url}/api/broadcasts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'bench', channel: 'sms', message: { text: 'Hello {name}' }, quietHours: false }),
    });
    const { id } = (await res.json()) as { id: string };
    for (;;) {
      await new Promise((r) => setTimeout(r, 500));
      const b = (await (
        await fetch(`${app.url}/api/broadcasts/${id}`, { headers: { authorization: `Bearer ${TOKEN}` } })
      ).json()) as {
        status: string;
      };
      if (b.status === 'done') break;
    }
    const log = await api.log();
    const creates = log
      .filter((r) => r.method === 'POST')
      .map((r) => r.at)
      .sort((a, b) => a - b);
    const ok = log.filter((r) => r.method === 'POST' && r.status === 201).length;
    const seen = crowding(creates, rate);
    const violations = seen.violations + log.filter((r) => r.status === 429).length;
    const seconds = ((creates.at(-1) ?? 0) - (creates[0] ?? 0)) / 1000;
    // n sends paced at `rate` span (n − 1) / rate seconds.
    const used = seconds > 0 ? (creates.length - 1) / seconds : 0;
    return {
      recipients: seeded.eligible.size,
      sent: ok,
      permitted: rate,
      used,
      share: used / rate,
      busiestSecond: seen.busiest,
      violations,
      written: crowding(
        written.sort((a, b) => a - b),
        rate,
      ),
      seconds,
    };
  } finally {
    unsubscribe('http.client.request.start', onRequest);
    await app.stop();
    await api.close();
    await rm(dir, { recursive: true, force: true });
  }
}
