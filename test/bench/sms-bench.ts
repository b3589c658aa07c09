/**
 * SMS through the whole router: webhooks signed as Twilio signs them → the
 * router in a child process (SQLite, synchronous=full) → routed (classify +
 * flow) → the reply sent by the real twilio client to the fake Twilio API in
 * this process. Run as a script (SMS_BENCH_CHILD=1) it is that child.
 *
 * A long code may send 1 SMS/s: each of our numbers is given `ratePerSecond:
 * 1000` (the per-number override in channels.yaml) so the limiter is not what
 * is measured, and inbound messages are spread over 8 numbers because the
 * outbox sends to one destination (our sending number) one at a time.
 */
import twilio from 'twilio';
import { smsDefinition } from '../../adapters/twilio/definition.ts';
import { smsSettings } from '../../adapters/twilio/settings.ts';
import { startApp } from '../../src/app.ts';
import { createLogger } from '../../src/log.ts';
import { routerFile } from '../../src/settings/schema.ts';
import { FakeTwilioApi, type RecordedMessage } from '../fakes/twilio-api.ts';
import { testSettings } from '../support/settings.ts';
import { post } from './load.ts';
import {
  type BenchChild,
  type BenchLine,
  isBenchChild,
  measureChannel,
  type ReplyTracker,
  replyTracker,
  serveAsBenchChild,
  startBenchChild,
} from './measure.ts';

export const ACCOUNT_SID = 'AC0123456789abcdef0123456789abcdef';
export const AUTH_TOKEN = 'bench-auth-token';
export const PUBLIC_URL = 'https://touchpoint.example.com';
export const OURS = Array.from({ length: 8 }, (_, i) => `+1415555010${i}`);
/** Enough that no conversation gets near the loop guard (20 automatic replies in 10 minutes silence it). */
const CUSTOMERS = 20_000;
const CHILD_FLAG = 'SMS_BENCH_CHILD';

export const customerOf = (i: number) =>
  `+1555${String(1_000_000 + (i % CUSTOMERS))
    .slice(1)
    .padStart(7, '0')}`;

async function childMain(): Promise<void> {
  const settings = testSettings({
    channels: {
      sms: {
        enabled: true,
        settings: smsSettings.parse({
          accountSid: ACCOUNT_SID,
          authToken: AUTH_TOKEN,
          apiBaseUrl: process.env.API_URL,
          numbers: OURS.map((number) => ({ number, kind: 'longcode', ratePerSecond: 1000 })),
        }),
      },
    },
    router: routerFile.parse({ server: { publicUrl: PUBLIC_URL } }),
  });
  const app = await startApp({
    settings,
    adapters: { sms: smsDefinition },
    dataDir: process.env.DATA_DIR ?? '.tmp/sms-bench',
    // Named for the bench alone: a DATABASE_URL the shell happens to set must not move the SQLite case.
    databaseUrl: process.env.BENCH_DATABASE_URL || null,
    redisUrl: process.env.BENCH_REDIS_URL || null,
    ...(process.env.BENCH_REDIS_PREFIX ? { redisPrefix: process.env.BENCH_REDIS_PREFIX } : {}),
    port: 0,
    log: createLogger({ part: 'sms-bench' }),
  });
  serveAsBenchChild(app);
}

/** One inbound SMS webhook, signed over the public URL as Twilio signs it; resolves with the HTTP status. */
export function postSignedSms(
  url: string,
  m: { sid: string; from: string; to: string; body: string },
): Promise<number> {
  const params = {
    AccountSid: ACCOUNT_SID,
    MessageSid: m.sid,
    From: m.from,
    To: m.to,
    Body: m.body,
    NumMedia: '0',
    SmsStatus: 'received',
  };
  return post(`${url}/twilio/sms`, new URLSearchParams(params).toString(), {
    'content-type': 'application/x-www-form-urlencoded',
    'x-twilio-signature': twilio.getExpectedTwilioSignature(AUTH_TOKEN, `${PUBLIC_URL}/twilio/sms`, params),
  });
}

export function postSms(url: string, i: number, prefix: string): Promise<number> {
  return postSignedSms(url, {
    sid: `SM${prefix}${String(i).padStart(24, '0')}`.slice(0, 34),
    from: customerOf(i),
    // One customer always writes to the same number of ours: one thread, so replies keep their order.
    to: OURS[(i % CUSTOMERS) % OURS.length] as string,
    body: `how much is item ${i}?`,
  });
}

/** A reply tracker told of each message the fake Twilio API creates, as it arrives. */
export function trackReplies(api: FakeTwilioApi): ReplyTracker {
  const track = replyTracker(customerOf);
  // The fake has no arrival hook: wrap its record of created messages.
  const push = api.messages.push.bind(api.messages);
  api.messages.push = (...items: RecordedMessage[]) => {
    const now = performance.now();
    for (const m of items) track.arrive(m.to, now);
    return push(...items);
  };
  return track;
}

/**
 * The router with SMS pacing lifted, sending to the Twilio API at `apiUrl`: on SQLite (synchronous=full),
 * or on the PostgreSQL and Redis `shared` names (BENCH_DATABASE_URL, BENCH_REDIS_URL, BENCH_REDIS_PREFIX).
 */
export function startSmsRouter(apiUrl: string, shared: Record<string, string> = {}): Promise<BenchChild> {
  return startBenchChild(import.meta.url, CHILD_FLAG, 'SMS', { API_URL: apiUrl, ...shared });
}

export async function benchSms(): Promise<{ max: BenchLine; half: BenchLine }> {
  const api = await FakeTwilioApi.start({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
  const child = await startSmsRouter(api.url);
  const track = trackReplies(api);
  try {
    return await measureChannel(
      'SMS webhook → reply at fake Twilio',
      (i, prefix) => postSms(child.url, i, prefix),
      track,
    );
  } finally {
    await child.stop();
    await api.close();
  }
}

if (isBenchChild(import.meta.url, CHILD_FLAG)) await childMain();
