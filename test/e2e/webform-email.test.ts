import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emailDefinition } from '../../adapters/email/definition.ts';
import { webformDefinition } from '../../adapters/webform/definition.ts';
import { webformSettings } from '../../adapters/webform/settings.ts';
import type { App } from '../../src/app.ts';
import { adapterSettings, readInbox, sendMail } from '../adapters/email/support/mail-client.ts';
import { startLocalApp } from '../support/local-app.ts';
import { type MailServers, startMailServers } from '../support/mail-servers.ts';
import { testSettings } from '../support/settings.ts';

/**
 * A web form has no way back to the person by itself: the answer goes out by
 * email (real Postfix → Dovecot), and the customer's emailed reply lands in
 * the same conversation.
 */
describe('web form continues by email (real Postfix and Dovecot)', () => {
  let servers: MailServers;
  let app: App;
  let stopApp: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    servers = await startMailServers();
    ({ app, stop: stopApp } = await startLocalApp('tp-webform-email-', {
      settings: testSettings({
        channels: {
          webform: { enabled: true, settings: webformSettings.parse({}) },
          email: { enabled: true, settings: adapterSettings(servers) },
        },
      }),
      adapters: { webform: webformDefinition, email: emailDefinition },
    }));
  });
  afterAll(async () => {
    await stopApp?.();
    await servers?.stop();
  });

  it('answers a form by email and keeps the emailed reply in the same conversation', async () => {
    const res = await fetch(`${app.url}/webform/contact`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Cora', email: 'customer@example.test', message: 'How much is a loaf?' }),
    });
    expect(res.status).toBe(202);

    const [answer] = await readInbox(servers, 'customer@example.test', 1);
    expect(answer?.text?.trim()).toBe('A loaf is £4.');
    expect(answer?.from?.value[0]?.address).toBe('support@shop.test');
    expect(answer?.headers.get('auto-submitted')).toBe('auto-replied');
    const ourId = answer?.messageId;
    expect(ourId).toBeTruthy();

    await sendMail(servers, {
      from: 'Cora <customer@example.test>',
      to: 'support@shop.test',
      subject: `Re: ${answer?.subject ?? ''}`,
      inReplyTo: ourId,
      references: [ourId as string],
      text: 'And what does a cake cost?\n\nOn Monday Shop Support wrote:\n> A loaf is £4.',
    });
    const inbox = await readInbox(servers, 'customer@example.test', 2);
    expect(inbox[1]?.inReplyTo).toBeTruthy();

    const conversations = await app.store.listConversations({});
    expect(conversations).toHaveLength(1);
    expect(conversations[0]?.touchpoint.channel).toBe('webform');
    const messages = await app.store.listMessages(conversations[0]!.id);
    expect(messages.map((m) => `${m.direction}: ${m.text}`)).toEqual([
      'inbound: How much is a loaf?',
      'outbound: A loaf is £4.',
      'inbound: And what does a cake cost?',
      'outbound: A loaf is £4.',
    ]);
  }, 60_000);
});
