import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emailDefinition } from '../../adapters/email/definition.ts';
import type { App } from '../../src/app.ts';
import { noPolicies, oncallFile } from '../../src/settings/policy-schema.ts';
import { businessFile } from '../../src/settings/schema.ts';
import { adapterSettings, readInbox, sendMail } from '../adapters/email/support/mail-client.ts';
import { startLocalApp } from '../support/local-app.ts';
import { type MailServers, startMailServers } from '../support/mail-servers.ts';
import { testSettings } from '../support/settings.ts';

const CUSTOMER = 'customer@example.test';

/**
 * The brand voice introduces an agent by email too (business.yaml
 * `voice.agentName`): an agent's answer comes from "Maya Patel at Test Shop"
 * (the roster's name through the voice) at the shop's address, through real
 * Postfix and Dovecot; the bot's answers from the shop's display name.
 */
describe('agents named by the brand voice in email (real Postfix and Dovecot)', () => {
  let servers: MailServers;
  let app: App;
  let stopApp: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    servers = await startMailServers();
    ({ app, stop: stopApp } = await startLocalApp('tp-agent-name-email-', {
      settings: testSettings({
        business: businessFile.parse({
          name: 'Test Shop',
          timezone: 'Europe/London',
          voice: { agentName: '{agent} at Test Shop' },
        }),
        channels: { email: { enabled: true, settings: adapterSettings(servers) } },
        policies: {
          ...noPolicies(),
          oncall: oncallFile.parse({
            people: { maya: { name: 'Maya Patel', channel: 'email', to: 'maya@shop.test' } },
          }),
        },
      }),
      adapters: { email: emailDefinition },
    }));
  }, 60_000);
  afterAll(async () => {
    await stopApp?.();
    await servers?.stop();
  });

  it('sends the agent’s answer from their voice name, the bot’s from the shop', async () => {
    await sendMail(servers, {
      from: CUSTOMER,
      to: 'support@shop.test',
      subject: 'Prices',
      text: 'How much is a loaf?',
    });
    const [bot] = await readInbox(servers, CUSTOMER, 1);
    expect(bot?.from?.value[0]).toMatchObject({ name: 'Shop Support', address: 'support@shop.test' });
    const [conversation] = await app.store.listConversations({ channel: 'email' });
    const res = await fetch(`${app.url}/api/conversations/${conversation?.id}/reply`, {
      method: 'POST',
      headers: { authorization: `Bearer ${app.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'The rye is £4.50 too.', agent: 'maya' }),
    });
    expect(res.status).toBe(201);
    const mails = await readInbox(servers, CUSTOMER, 2);
    expect(mails[1]?.from?.value[0]).toMatchObject({ name: 'Maya Patel at Test Shop', address: 'support@shop.test' });
    expect(mails[1]?.text).toContain('The rye is £4.50 too.');
  }, 60_000);
});
