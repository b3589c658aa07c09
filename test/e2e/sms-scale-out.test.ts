import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smsDefinition } from '../../adapters/twilio/definition.ts';
import { smsSettings } from '../../adapters/twilio/settings.ts';
import { type App, startApp } from '../../src/app.ts';
import { silentLogger } from '../../src/log.ts';
import { routerFile } from '../../src/settings/schema.ts';
import { FakeTwilioApi } from '../fakes/twilio-api.ts';
import { testSettings } from '../support/settings.ts';
import { ACCOUNT_SID, AUTH_TOKEN, inbound, PUBLIC_URL } from './twilio-app.ts';

/**
 * SMS end to end on two routers sharing one PostgreSQL and one Redis, as in
 * a scale-out: webhooks land on either instance, every customer gets exactly
 * one answer through the real twilio client, and the number's rate holds
 * across both instances because their limiters share Redis.
 */
const databaseUrl = process.env.DATABASE_URL;
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0';
/** 3 messages a second: sends from one number 334 ms apart, whichever instance sends. */
const RATE = 3;
// A number of this run's own: another test sharing the Redis never paces it.
const OUR_SMS = `+1415${String(1_000_000 + (randomBytes(3).readUIntBE(0, 3) % 9_000_000)).slice(0, 7)}`;

describe.skipIf(!databaseUrl)('SMS on two routers sharing PostgreSQL and Redis (needs DATABASE_URL)', () => {
  const schema = `tp_sms_${randomBytes(5).toString('hex')}`;
  let api: FakeTwilioApi;
  const apps: App[] = [];
  const dirs: string[] = [];

  beforeAll(async () => {
    api = await FakeTwilioApi.start({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
    const settings = testSettings({
      channels: {
        sms: {
          enabled: true,
          settings: smsSettings.parse({
            accountSid: ACCOUNT_SID,
            authToken: AUTH_TOKEN,
            apiBaseUrl: api.url,
            numbers: [{ number: OUR_SMS, kind: 'longcode', ratePerSecond: RATE }],
          }),
        },
      },
      router: routerFile.parse({ server: { publicUrl: PUBLIC_URL } }),
    });
    const url = new URL(databaseUrl as string);
    url.searchParams.set('schema', schema);
    for (let i = 0; i < 2; i++) {
      const dir = await mkdtemp(join(tmpdir(), 'tp-sms-scale-'));
      dirs.push(dir);
      apps.push(
        await startApp({
          settings,
          adapters: { sms: smsDefinition },
          dataDir: dir,
          databaseUrl: url.toString(),
          redisUrl,
          port: 0,
          log: silentLogger,
        }),
      );
    }
  }, 60_000);
  afterAll(async () => {
    for (const app of apps) await app.stop();
    await api?.close();
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
    const admin = new pg.Client({ connectionString: databaseUrl });
    await admin.connect();
    await admin.query(`drop schema if exists ${schema} cascade`);
    await admin.end();
  });

  const post = async (app: App, params: Record<string, string>) => {
    const res = await fetch(`${app.url}/twilio/sms`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilio.getExpectedTwilioSignature(AUTH_TOKEN, `${PUBLIC_URL}/twilio/sms`, params),
      },
      body: new URLSearchParams(params).toString(),
    });
    return res.status;
  };

  it('answers each customer once, whichever instance took the webhook, at the number’s rate across both', async () => {
    const customers = Array.from({ length: 8 }, (_, i) => `+1415555${String(2000 + i)}`);
    const statuses = await Promise.all(
      customers.map((from, i) => post(apps[i % 2] as App, inbound({ from, to: OUR_SMS, body: 'How much is a loaf?' }))),
    );
    expect(statuses).toEqual(customers.map(() => 200));
    const deadline = Date.now() + 30_000;
    while (api.messages.length < customers.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    for (const app of apps) await app.drain();

    expect(api.messages.map((m) => m.to).sort()).toEqual([...customers].sort());
    expect(api.messages.map((m) => [m.from, m.body])).toEqual(customers.map(() => [OUR_SMS, 'Loaf £4']));
    const times = api.messages.map((m) => m.at).sort((a, b) => a - b);
    // Paced together, the eight sends span seven intervals of 334 ms; each instance pacing only its own
    // would take about three. Measured where they arrive, so only the span is compared, with room for latency.
    const span = times[times.length - 1]! - times[0]!;
    expect(span).toBeGreaterThanOrEqual(0.7 * 7 * Math.ceil(1000 / RATE));
    expect(await apps[0]!.store.countOutbox('sent')).toBe(customers.length);
  }, 60_000);
});
