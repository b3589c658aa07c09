import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifySlackRequest } from '../../adapters/slack/transport/verify.ts';
import { HttpError } from '../../src/errors.ts';
import { activity, startBot } from '../adapters/botframework/support.ts';
import { APP_SECRET, messengerPayload, PAGE_ID, startMeta } from '../adapters/meta/support.ts';
import { startCustomerSlack } from '../adapters/slack/support/customer-slack.ts';
import { nextTs } from '../adapters/slack/support/slack-requests.ts';
import {
  ACCOUNT_SID,
  AUTH_TOKEN,
  CUSTOMER,
  OUR_SMS,
  PUBLIC_BASE,
  startTwilio,
} from '../adapters/twilio/support/setup.ts';
import { startWebchat, type Webchat } from '../adapters/webchat/setup.ts';
import { startWebform, type Webform } from '../adapters/webform/setup.ts';
import { FUZZ, jsonValue, mutated, oddBody } from './support.ts';

/**
 * Signed payloads of every shape, against each provider's webhook as the
 * provider signs it: never a 5xx (which makes providers deliver again, and
 * again), never a crash, and the readable events of a batch always stored.
 */

type Twilio = Awaited<ReturnType<typeof startTwilio>>;
type Slack = Awaited<ReturnType<typeof startCustomerSlack>>;
type Meta = Awaited<ReturnType<typeof startMeta>>;
type Bot = Awaited<ReturnType<typeof startBot>>;

const sms = {
  AccountSid: ACCOUNT_SID,
  MessageSid: `SM${'0'.repeat(32)}`,
  SmsStatus: 'received',
  From: CUSTOMER,
  To: OUR_SMS,
  Body: 'hello',
  NumMedia: '0',
};
const call = {
  AccountSid: ACCOUNT_SID,
  CallSid: `CA${'0'.repeat(32)}`,
  From: CUSTOMER,
  To: OUR_SMS,
  CallStatus: 'ringing',
};

/** Form parameters as Twilio sends them: every value a string. */
const asParams = (o: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k, typeof v === 'string' ? v : (JSON.stringify(v) ?? '')]));

describe('fuzzing signed webhooks', () => {
  let tw: Twilio;
  let slack: Slack;
  let meta: Meta;
  let bot: Bot;
  let chat: Webchat;
  let form: Webform;
  beforeAll(async () => {
    [tw, slack, meta, bot, chat, form] = await Promise.all([
      startTwilio('sms', { voice: { forwardTo: '+14155550111' } }),
      startCustomerSlack(),
      startMeta('facebook'),
      startBot(),
      startWebchat(),
      startWebform({ forms: ['contact'] }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([tw?.close(), slack?.close(), meta?.close(), bot?.close(), chat?.stop(), form?.stop()]);
  });

  it('Twilio: messages, status callbacks and calls of any shape', async () => {
    const paths = ['/twilio/sms', '/twilio/sms/status', '/twilio/voice', '/twilio/voice/dial'];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...paths), fc.oneof(mutated(sms), mutated(call)), async (path, params) => {
        const res = await tw.post(path, asParams(params));
        expect(res.status).toBeLessThan(500);
      }),
      FUZZ,
    );
    await fc.assert(
      fc.asyncProperty(oddBody, async (body) => {
        const url = `${PUBLIC_BASE}/twilio/sms?bodySHA256=x`;
        const res = await fetch(`${tw.harness.url}/twilio/sms?bodySHA256=x`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-twilio-signature': twilio.getExpectedTwilioSignature(AUTH_TOKEN, url, {}),
          },
          body,
        });
        expect(res.status).toBeLessThan(500);
      }),
      FUZZ,
    );
  });

  it('Slack: event callbacks with any event, and any body', async () => {
    const event = { type: 'message', channel: 'C0000PUB1', user: 'U0000CUST', text: 'hi', ts: '1767600000.000100' };
    await fc.assert(
      fc.asyncProperty(mutated(event), fc.option(jsonValue), async (e, team) => {
        const body = { type: 'event_callback', team_id: team ?? 'T1', event_id: `Ev${nextTs()}`, event: e };
        const res = await slack.send.raw(JSON.stringify(body), 'application/json');
        expect(res.status).toBeLessThan(500);
      }),
      FUZZ,
    );
    await fc.assert(
      fc.asyncProperty(
        oddBody,
        fc.constantFrom('application/json', 'application/x-www-form-urlencoded', 'text/plain'),
        async (body, type) => {
          const res = await slack.send.raw(
            type === 'application/json' ? body : `payload=${encodeURIComponent(body)}`,
            type,
          );
          expect(res.status).toBeLessThan(500);
        },
      ),
      FUZZ,
    );
  });

  it('Meta: the readable events of a batch are stored whatever else the batch holds', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(jsonValue, { maxLength: 3 }),
        fc.array(jsonValue, { maxLength: 2 }),
        async (odd, changes) => {
          const mid = `m.fuzz.${++n}`;
          const payload = messengerPayload([{ psid: '501', mid, text: 'hello', timestamp: n }]);
          payload.entry.push({ id: PAGE_ID, time: n, messaging: odd as never, changes: changes as never } as never);
          const res = await meta.post(payload);
          expect(res.status).toBe(200);
          expect(meta.stored().some((e) => e.providerId === mid)).toBe(true);
        },
      ),
      FUZZ,
    );
    await fc.assert(
      fc.asyncProperty(oddBody, async (body) => {
        const signature = `sha256=${createHmac('sha256', APP_SECRET).update(body).digest('hex')}`;
        const res = await fetch(meta.webhook, { method: 'POST', headers: { 'x-hub-signature-256': signature }, body });
        expect(res.status).toBeLessThan(500);
      }),
      FUZZ,
    );
  });

  it('Bot Framework: activities of any shape', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(mutated(activity(`${bot.service.url}/`)), oddBody), async (body) => {
        const res = await bot.post(body);
        expect(res.status).toBeLessThan(500);
      }),
      FUZZ,
    );
  });

  it('web chat and web form: bodies of any shape', async () => {
    const { token } = (await chat.session()) as { token: string };
    await fc.assert(
      fc.asyncProperty(fc.oneof(mutated({ text: 'hi', clientId: 'c1' }), oddBody), async (body) => {
        const res = await chat.send(token, body);
        expect(res.status).toBeLessThan(500);
      }),
      FUZZ,
    );
    const fields = { name: 'Ada', email: 'ada@example.com', message: 'Hello' };
    await fc.assert(
      fc.asyncProperty(fc.oneof(mutated(fields), oddBody), fc.boolean(), async (body, html) => {
        const res = html
          ? await form.postForm('contact', asParams(typeof body === 'string' ? { message: body } : body))
          : await form.postJson('contact', body);
        expect(res.status).toBeLessThan(500);
      }),
      FUZZ,
    );
  });

  it('signature checks refuse with 4xx, and only with HttpError, whatever the headers say', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom('x-slack-signature', 'x-slack-request-timestamp'), fc.string(), { maxKeys: 2 }),
        fc.string(),
        (headers, body) => {
          try {
            verifySlackRequest('secret', headers, Buffer.from(body), Date.now());
            expect.unreachable('an unsigned request passed');
          } catch (err) {
            expect(err).toBeInstanceOf(HttpError);
            expect((err as HttpError).status).toBeLessThan(500);
          }
        },
      ),
      { ...FUZZ, numRuns: 300 },
    );
  });

  it('nothing unsigned or wrongly signed is stored or kept', async () => {
    const before = [tw, slack, meta, bot].map((h) => h.unreadable.length + h.ingestCalls.length);
    await fc.assert(
      fc.asyncProperty(oddBody, fc.string({ maxLength: 80 }), async (body, signature) => {
        const answers = await Promise.all([
          fetch(`${tw.harness.url}/twilio/sms`, { method: 'POST', headers: { 'x-twilio-signature': signature }, body }),
          fetch(slack.url, {
            method: 'POST',
            headers: {
              'x-slack-signature': signature,
              'x-slack-request-timestamp': `${Math.floor(Date.now() / 1000)}`,
            },
            body,
          }),
          fetch(meta.webhook, { method: 'POST', headers: { 'x-hub-signature-256': signature }, body }),
        ]);
        for (const a of answers) expect([400, 401, 403]).toContain(a.status);
      }),
      FUZZ,
    );
    expect([tw, slack, meta, bot].map((h) => h.unreadable.length + h.ingestCalls.length)).toEqual(before);
  });
});
