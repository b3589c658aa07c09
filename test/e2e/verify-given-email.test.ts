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
import { defaultMailUsers, type MailServers, startMailServers } from '../support/mail-servers.ts';
import { testSettings } from '../support/settings.ts';

/**
 * A web chat customer with nothing on file types an email address in the
 * flow: the `verify` step's `to` sends the code there (through real Postfix
 * and Dovecot), the customer answers it in the chat, and the address joins
 * their contact as a verified identity. An address another contact has is
 * proven too, but only suggested as a merge.
 */
const ACCOUNT_FLOW = `
id: account
trigger: { intents: [account] }
steps:
  - ask: { template: which, var: email, expect: email }
  - verify: { to: '{email}', code: code, prompt: prompt, invalid: wrong, expires: 10m, retries: 1 }
  - if: { verified: true }
    then: [{ say: verified }]
    else: [{ say: unverified }]
`;

const NEW_ADDRESS = 'new-customer@example.test';
const KNOWN_ADDRESS = 'known@example.test';

describe('verifying an email address the customer gives (real Postfix and Dovecot)', () => {
  let servers: MailServers;
  let app: App;
  let stopApp: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    servers = await startMailServers({ users: [...defaultMailUsers, NEW_ADDRESS, KNOWN_ADDRESS] });
    const base = testSettings();
    ({ app, stop: stopApp } = await startLocalApp('tp-verify-given-', {
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
              which: 'What is your email address?',
              code: 'Your Test Shop code is {code}.',
              prompt: 'I have sent a code to {email}.',
              wrong: 'That is not the code, try again.',
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

  const identitiesOf = (contactId: string) => app.store.transaction((tx) => tx.listIdentities(contactId));
  const chats = async () => app.store.listConversations({ channel: 'webchat' });

  /** A new visitor writes `text`; returns their token and contact. */
  async function newVisitor(text: string) {
    const before = new Set((await chats()).map((c) => c.id));
    const token = await webchatSays(app.url, text);
    await app.drain();
    const chat = (await chats()).find((c) => !before.has(c.id));
    return { token, contactId: chat?.contactId as string };
  }

  /** A new web chat customer starts the account flow and gives `address`; returns their token, contact and code. */
  async function giveAddress(address: string) {
    const { token, contactId } = await newVisitor('I need to change my account details');
    expect((await webchatHistory(app.url, token)).at(-1)).toBe('What is your email address?');
    await webchatSays(app.url, address.toUpperCase(), token);
    await app.drain();
    // the code goes out on the flow's timer, due at once (drain does not run timers)
    const [mail] = await readInbox(servers, address, 1);
    await app.drain();
    expect((await webchatHistory(app.url, token)).at(-1)).toBe(`I have sent a code to ${address}.`);
    const code = /\d{6}/.exec(mail?.text ?? '')?.[0] as string;
    expect(code).toMatch(/^\d{6}$/);
    return { token, code, contactId };
  }

  it('sends the code to the typed address, re-asks a wrong code, and joins the address as verified', async () => {
    const address = NEW_ADDRESS;
    const { token, code, contactId } = await giveAddress(address);
    expect(await identitiesOf(contactId)).not.toContainEqual(expect.objectContaining({ kind: 'email' }));

    const wrong = code === '000000' ? '111111' : '000000';
    await webchatSays(app.url, wrong, token);
    await app.drain();
    expect((await webchatHistory(app.url, token)).at(-1)).toBe('That is not the code, try again.');
    expect(await identitiesOf(contactId)).not.toContainEqual(expect.objectContaining({ kind: 'email' }));

    await webchatSays(app.url, code, token);
    await app.drain();
    expect((await webchatHistory(app.url, token)).at(-1)).toBe('Thanks, you are verified.');
    expect(await identitiesOf(contactId)).toContainEqual(
      expect.objectContaining({ kind: 'email', value: address, verified: true }),
    );
  }, 60_000);

  it('proves an address another contact has, and suggests the merge instead of joining it', async () => {
    const address = KNOWN_ADDRESS;
    const { contactId: ownerId } = await newVisitor('hello');
    const linked = await fetch(`${app.url}/api/contacts/${ownerId}/identities`, {
      method: 'POST',
      headers: { authorization: `Bearer ${app.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'email', value: address }),
    });
    expect(linked.status).toBe(201);

    const { token, code, contactId } = await giveAddress(address);
    expect(contactId).not.toBe(ownerId);
    await webchatSays(app.url, code, token);
    await app.drain();
    expect((await webchatHistory(app.url, token)).at(-1)).toBe('Thanks, you are verified.');
    expect(await identitiesOf(contactId)).not.toContainEqual(expect.objectContaining({ kind: 'email' }));
    expect(await identitiesOf(ownerId)).toContainEqual(expect.objectContaining({ kind: 'email', value: address }));
    const suggested = await app.store.transaction((tx) => tx.listSuggestions({ contactId }));
    // typing the address already suggested the pair (mentioned_email); the proof never joins it silently
    expect(suggested).toContainEqual(expect.objectContaining({ contactId, otherId: ownerId, status: 'pending' }));
  }, 60_000);
});
