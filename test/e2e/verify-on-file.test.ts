import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { emailDefinition } from '../../adapters/email/definition.ts';
import { webchatDefinition } from '../../adapters/webchat/definition.ts';
import { webchatSettings } from '../../adapters/webchat/settings.ts';
import type { App } from '../../src/app.ts';
import { flowFile } from '../../src/settings/flow-schema.ts';
import { intentsFile, templatesFile } from '../../src/settings/schema.ts';
import { adapterSettings, readInbox } from '../adapters/email/support/mail-client.ts';
import { webchatHistory, webchatSays } from '../adapters/slack/support/desk-app.ts';
import { startLocalApp } from '../support/local-app.ts';
import { type MailServers, startMailServers } from '../support/mail-servers.ts';
import { testSettings } from '../support/settings.ts';

/**
 * A web chat customer has never written by email, but an agent linked their
 * address: the `verify` step sends the code there (a new email conversation,
 * through real Postfix and Dovecot), the customer types it in the chat, and
 * the account flow goes on verified.
 */
const ACCOUNT_FLOW = `
id: account
trigger: { intents: [account] }
steps:
  - verify: { via: [email], code: code, prompt: prompt, expires: 10m, retries: 1 }
  - if: { verified: true }
    then: [{ say: verified }]
    else: [{ say: unverified }]
`;

describe('verification to the email on file (real Postfix and Dovecot)', () => {
  let servers: MailServers;
  let app: App;
  let stopApp: (() => Promise<void>) | undefined;
  const ADDRESS = 'customer@example.test';

  beforeAll(async () => {
    servers = await startMailServers();
    const base = testSettings();
    ({ app, stop: stopApp } = await startLocalApp('tp-verify-on-file-', {
      settings: testSettings({
        channels: {
          webchat: { enabled: true, settings: webchatSettings.parse({}) },
          email: { enabled: true, settings: adapterSettings(servers) },
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
              prompt: 'I have sent a code to your {verify.channel}.',
              verified: 'Thanks, you are verified.',
              unverified: 'Sorry, we could not verify you ({verify.result}).',
            },
          }).templates,
        },
        flows: [...base.flows, flowFile.parse(parse(ACCOUNT_FLOW))],
      }),
      adapters: { webchat: webchatDefinition, email: emailDefinition },
    }));
  });
  afterAll(async () => {
    await stopApp?.();
    await servers?.stop();
  });

  it('sends the code by email, verifies it in the chat, and keeps both conversations on one contact', async () => {
    const token = await webchatSays(app.url, 'hello');
    await app.drain();
    const [chat] = await app.store.listConversations({ channel: 'webchat' });
    const contactId = chat?.contactId as string;
    const linked = await fetch(`${app.url}/api/contacts/${contactId}/identities`, {
      method: 'POST',
      headers: { authorization: `Bearer ${app.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'email', value: ADDRESS }),
    });
    expect(linked.status).toBe(201);

    await webchatSays(app.url, 'I need to change my account details', token);
    await app.drain();
    const [mail] = await readInbox(servers, ADDRESS, 1);
    expect(mail?.from?.value[0]?.address).toBe('support@shop.test');
    const code = /\d{6}/.exec(mail?.text ?? '')?.[0];
    expect(code).toMatch(/^\d{6}$/);
    expect((await webchatHistory(app.url, token)).at(-1)).toBe('I have sent a code to your email.');

    await webchatSays(app.url, `the code is ${code}`, token);
    await app.drain();
    expect((await webchatHistory(app.url, token)).at(-1)).toBe('Thanks, you are verified.');
    const theirs = await app.store.findConversationsOfContact(contactId);
    expect(theirs.map((c) => c.touchpoint.channel).sort()).toEqual(['email', 'webchat']);
  }, 60_000);
});
