import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { smsDefinition } from '../../adapters/twilio/definition.ts';
import { smsSettings } from '../../adapters/twilio/settings.ts';
import { webchatDefinition } from '../../adapters/webchat/definition.ts';
import { webchatSettings } from '../../adapters/webchat/settings.ts';
import type { App } from '../../src/app.ts';
import { flowFile } from '../../src/settings/flow-schema.ts';
import { intentsFile, templatesFile } from '../../src/settings/schema.ts';
import { webchatHistory, webchatSays } from '../adapters/slack/support/desk-app.ts';
import { FakeTwilioApi } from '../fakes/twilio-api.ts';
import { startLocalApp } from '../support/local-app.ts';
import { testSettings } from '../support/settings.ts';
import { ACCOUNT_SID, AUTH_TOKEN, OUR_SMS } from './twilio-app.ts';

/**
 * A code by SMS to a number on file: a web chat customer who never texted us
 * verifies with the number an agent linked. The code goes through the real
 * twilio client to the fake Twilio API on a new SMS thread; the customer asked
 * for it, so it needs no marketing consent.
 */
const ACCOUNT_FLOW = `
id: account
trigger: { intents: [account] }
steps:
  - verify: { via: [sms], code: code, prompt: prompt, expires: 10m, retries: 1 }
  - if: { verified: true }
    then: [{ say: verified }]
    else: [{ say: unverified }]
`;
const NUMBER = '+447700900123';

describe('verification code by SMS to a number on file (real twilio client, fake Twilio API)', () => {
  let api: FakeTwilioApi;
  let app: App;
  let stop: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    api = await FakeTwilioApi.start({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
    const base = testSettings();
    ({ app, stop } = await startLocalApp('tp-verify-sms-', {
      settings: testSettings({
        channels: {
          webchat: { enabled: true, settings: webchatSettings.parse({}) },
          sms: {
            enabled: true,
            settings: smsSettings.parse({
              accountSid: ACCOUNT_SID,
              authToken: AUTH_TOKEN,
              apiBaseUrl: api.url,
              numbers: [{ number: OUR_SMS, kind: 'longcode', ratePerSecond: 100 }],
            }),
          },
        },
        intents: {
          ...base.intents,
          ...intentsFile.parse({ intents: { account: { keywords: ['my account'] } } }).intents,
        },
        templates: {
          ...base.templates,
          ...templatesFile.parse({
            templates: {
              code: 'Your Test Shop code is {code}.',
              prompt: 'I have texted a code to your {verify.channel}.',
              verified: 'Thanks, you are verified.',
              unverified: 'Sorry, we could not verify you ({verify.result}).',
            },
          }).templates,
        },
        flows: [...base.flows, flowFile.parse(parse(ACCOUNT_FLOW))],
      }),
      adapters: { webchat: webchatDefinition, sms: smsDefinition },
    }));
  });
  afterAll(async () => {
    await stop?.();
    await api?.close();
  });

  it('texts the code to the linked number, verifies it in the chat, and keeps both conversations on one contact', async () => {
    const token = await webchatSays(app.url, 'hello');
    await app.drain();
    const [chat] = await app.store.listConversations({ channel: 'webchat' });
    const contactId = chat?.contactId as string;
    const linked = await fetch(`${app.url}/api/contacts/${contactId}/identities`, {
      method: 'POST',
      headers: { authorization: `Bearer ${app.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'phone', value: '+44 7700 900123' }),
    });
    expect(linked.status).toBe(201);

    await webchatSays(app.url, 'I need to change my account details', token);
    // the code goes out from a timer right after the step parks
    for (let i = 0; i < 100 && !api.messages.some((m) => m.to === NUMBER); i++) {
      await app.drain();
      await new Promise((r) => setTimeout(r, 30));
    }
    const texts = api.messages.filter((m) => m.to === NUMBER);
    expect(texts).toHaveLength(1);
    expect(texts[0]?.from).toBe(OUR_SMS);
    const code = /\d{6}/.exec(texts[0]?.body ?? '')?.[0];
    expect(code).toMatch(/^\d{6}$/);
    await app.drain();
    expect((await webchatHistory(app.url, token)).at(-1)).toBe('I have texted a code to your sms.');

    await webchatSays(app.url, `it is ${code}`, token);
    await app.drain();
    expect((await webchatHistory(app.url, token)).at(-1)).toBe('Thanks, you are verified.');
    const theirs = await app.store.findConversationsOfContact(contactId);
    expect(theirs.map((c) => c.touchpoint.channel).sort()).toEqual(['sms', 'webchat']);
  }, 30_000);
});
