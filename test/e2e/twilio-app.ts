import { readFile } from 'node:fs/promises';
import twilio from 'twilio';
import { parse } from 'yaml';
import { smsDefinition, whatsappDefinition } from '../../adapters/twilio/definition.ts';
import { smsSettings, whatsappSettings } from '../../adapters/twilio/settings.ts';
import type { App } from '../../src/app.ts';
import type { AdapterRegistry } from '../../src/channel/contract.ts';
import { VirtualClock } from '../../src/clock.ts';
import type { Logger } from '../../src/log.ts';
import { flowFile } from '../../src/settings/flow-schema.ts';
import { businessFile, routerFile, templatesFile } from '../../src/settings/schema.ts';
import type { Settings } from '../../src/settings/types.ts';
import { FakeTwilioApi } from '../fakes/twilio-api.ts';
import { startLocalApp } from '../support/local-app.ts';
import { testSettings } from '../support/settings.ts';

/**
 * The whole app in-process (SQLite in a temporary folder, port 0) with the
 * `sms` and `whatsapp` channels sending through the real twilio client to the
 * fake Twilio API. The router sits "behind a proxy": Twilio signs the public
 * URL from router.yaml, while the test posts to the local one.
 */

export const ACCOUNT_SID = 'AC0123456789abcdef0123456789abcdef';
export const AUTH_TOKEN = 'e2e-auth-token-5678';
export const PUBLIC_URL = 'https://touchpoint.example.com';
export const OUR_SMS = '+14155550100';
export const OUR_WA = '+14155550199';
export const FORWARD_TO = '+14155550111';

/** Monday 2026-01-05 in London (UTC in winter): open 09:00-17:00 on weekdays. */
export const IN_HOURS = Date.UTC(2026, 0, 5, 10, 0);
export const AFTER_HOURS = Date.UTC(2026, 0, 5, 20, 0);

const root = new URL('../../', import.meta.url);

/** The example flow and templates for missed calls, as shipped in flows/ and config/. */
async function missedCallConfig() {
  const flow = flowFile.parse(parse(await readFile(new URL('flows/missed-call.yaml', root), 'utf8')));
  const all = templatesFile.parse(parse(await readFile(new URL('config/templates.yaml', root), 'utf8'))).templates;
  const pick = (id: string) => {
    const t = all[id];
    if (!t) throw new Error(`config/templates.yaml has no template ${id}`);
    return t;
  };
  return { flow, templates: { missed_call: pick('missed_call'), missed_call_closed: pick('missed_call_closed') } };
}

export interface TwilioApp {
  app: App;
  api: FakeTwilioApi;
  clock: VirtualClock;
  /** The app's data folder (SQLite). */
  dir: string;
  /** Posts a form-encoded webhook signed as Twilio signs it (or with no or a wrong signature). */
  post(
    path: string,
    params: Record<string, string>,
    signature?: 'valid' | 'missing' | 'wrong',
  ): Promise<{ status: number; body: string; contentType: string | null }>;
  /** Admin API call with the app's token. */
  admin(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: unknown }>;
  stop(): Promise<void>;
}

export async function startTwilioApp(
  o: {
    start?: number;
    voice?: Record<string, unknown>;
    /** More templates and flows, beside the example's. */
    more?: Pick<Settings, 'templates' | 'flows'>;
    /** More of router.yaml (webhooks out, attachments' test hosts …). */
    router?: Record<string, unknown>;
    log?: Logger;
    /** More channels beside SMS and WhatsApp (the Slack desk), with their adapters. */
    moreChannels?: { channels: Settings['channels']; adapters: AdapterRegistry };
  } = {},
): Promise<TwilioApp> {
  const api = await FakeTwilioApi.start({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
  const clock = new VirtualClock(o.start ?? IN_HOURS);
  const common = { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, apiBaseUrl: api.url };
  const base = testSettings();
  const missed = await missedCallConfig();
  const settings = testSettings({
    business: businessFile.parse({
      name: 'Test Shop',
      timezone: 'Europe/London',
      hours: Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [d, ['09:00-17:00']])),
    }),
    channels: {
      sms: {
        enabled: true,
        settings: smsSettings.parse({
          ...common,
          // Above the long-code default of 1/s, so tests do not wait on the limiter's real-time spacing.
          numbers: [{ number: OUR_SMS, kind: 'longcode', ratePerSecond: 100 }],
          ...(o.voice ? { voice: o.voice } : {}),
        }),
      },
      whatsapp: {
        enabled: true,
        settings: whatsappSettings.parse({ ...common, numbers: [{ number: `whatsapp:${OUR_WA}`, kind: 'whatsapp' }] }),
      },
      ...o.moreChannels?.channels,
    },
    templates: {
      ...base.templates,
      ...missed.templates,
      help: '{business}: reply STOP to stop texts, START to resume. Ask us anything here.',
      ...o.more?.templates,
    },
    flows: [...base.flows, missed.flow, ...(o.more?.flows ?? [])],
    router: routerFile.parse({ server: { publicUrl: PUBLIC_URL }, ...o.router }),
  });
  const local = await startLocalApp('tp-e2e-twilio-', {
    settings,
    adapters: { sms: smsDefinition, whatsapp: whatsappDefinition, ...o.moreChannels?.adapters },
    clock,
    ...(o.log ? { log: o.log } : {}),
  });
  const { app } = local;

  return {
    app,
    api,
    clock,
    dir: local.dir,
    async post(path, params, signature = 'valid') {
      const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
      if (signature !== 'missing') {
        const token = signature === 'valid' ? AUTH_TOKEN : `${AUTH_TOKEN}-wrong`;
        headers['x-twilio-signature'] = twilio.getExpectedTwilioSignature(token, `${PUBLIC_URL}${path}`, params);
      }
      const res = await fetch(`${app.url}${path}`, {
        method: 'POST',
        headers,
        body: new URLSearchParams(params).toString(),
      });
      return { status: res.status, body: await res.text(), contentType: res.headers.get('content-type') };
    },
    async admin(method, path, body) {
      const res = await fetch(`${app.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${app.adminToken}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: res.status, body: await res.json() };
    },
    async stop() {
      await local.stop();
      await api.close();
    },
  };
}

let sid = 0;

/** An inbound SMS or WhatsApp webhook's parameters, as Twilio posts them. */
export function inbound(o: { from: string; body: string; to?: string; sid?: string; extra?: Record<string, string> }) {
  sid++;
  return {
    AccountSid: ACCOUNT_SID,
    ApiVersion: '2010-04-01',
    MessageSid: o.sid ?? `SM${String(sid).padStart(32, '0')}`,
    SmsMessageSid: o.sid ?? `SM${String(sid).padStart(32, '0')}`,
    From: o.from,
    To: o.to ?? OUR_SMS,
    Body: o.body,
    NumMedia: '0',
    NumSegments: '1',
    SmsStatus: 'received',
    ...o.extra,
  };
}
