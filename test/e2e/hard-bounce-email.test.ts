import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emailDefinition } from '../../adapters/email/definition.ts';
import type { App } from '../../src/app.ts';
import { adapterSettings, readInbox, sendMail } from '../adapters/email/support/mail-client.ts';
import { deliveryReport } from '../adapters/email/support/raw-mail.ts';
import { startLocalApp } from '../support/local-app.ts';
import { type MailServers, startMailServers } from '../support/mail-servers.ts';
import { testSettings } from '../support/settings.ts';

const CUSTOMER = 'customer@example.test';
const SHOP = 'support@shop.test';

/**
 * A hard bounce end to end, through real Postfix and Dovecot: the customer's
 * answer bounces for good (a 5.1.1 delivery report arrives in the shop's
 * mailbox, read over IMAP), the address is suppressed, and the next answer to
 * it is recorded as failed with why instead of being sent; a 4.x.x report
 * suppresses nothing.
 */
describe('a hard bounce suppresses the address (real Postfix and Dovecot)', () => {
  let servers: MailServers;
  let app: App;
  let stopApp: (() => Promise<void>) | undefined;

  const outbound = async () => {
    const all = await Promise.all(
      (await app.store.listConversations({ channel: 'email' })).map((c) => app.store.listMessages(c.id)),
    );
    return all
      .flat()
      .filter((m) => m.direction === 'outbound')
      .sort((a, b) => a.createdAt - b.createdAt);
  };
  const until = async <T>(check: () => Promise<T | null | undefined | false>): Promise<T> => {
    for (let i = 0; i < 200; i++) {
      const v = await check();
      if (v) return v;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('condition not met within 10 s');
  };
  /** A delivery report from a remote MTA about our mail `originalId`, each with its own Message-ID. */
  const report = (status: string, originalId: string) => {
    const action = status.startsWith('5') ? 'failed' : 'delayed';
    const raw = deliveryReport({ action, status, recipient: CUSTOMER, originalId })
      .toString('utf8')
      .replace('<dsn-1@relay.example>', `<dsn-${status}@relay.example>`);
    return sendMail(servers, { envelope: { from: '', to: SHOP }, raw });
  };

  beforeAll(async () => {
    servers = await startMailServers();
    ({ app, stop: stopApp } = await startLocalApp('tp-hard-bounce-', {
      settings: { ...testSettings(), channels: { email: { enabled: true, settings: adapterSettings(servers) } } },
      adapters: { email: emailDefinition },
    }));
  }, 60_000);
  afterAll(async () => {
    await stopApp?.();
    await servers?.stop();
  });

  it('keeps answering after a temporary failure, suppresses after a permanent one', async () => {
    await sendMail(servers, { from: CUSTOMER, to: SHOP, subject: 'Prices', text: 'How much is a loaf?' });
    const [answer] = await readInbox(servers, CUSTOMER, 1);
    expect(answer?.text).toContain('A loaf is £4.');
    const answerId = answer?.messageId ?? '';

    await report('4.2.2', answerId);
    await sendMail(servers, { from: CUSTOMER, to: SHOP, subject: 'Re: Prices', text: 'And a croissant, how much?' });
    await readInbox(servers, CUSTOMER, 2);
    expect(await app.store.suppressed('email', CUSTOMER)).toBeNull();

    await report('5.1.1', answerId);
    const why = await until(() => app.store.suppressed('email', CUSTOMER));
    expect(why.reason).toMatch(/^hard bounce: .*5\.1\.1/);
    const c = await app.store.findConversationByProviderIds('email', [answerId]);
    const notes = (await app.store.listMessages(c?.id ?? '', { includeInternal: true })).filter(
      (m) => m.visibility === 'internal',
    );
    expect(notes.map((m) => m.text).join('\n')).toContain(`Delivery to ${CUSTOMER} failed permanently (5.1.1`);

    await sendMail(servers, { from: CUSTOMER, to: SHOP, subject: 'Re: Prices', text: 'How much is a loaf today?' });
    const failed = await until(async () => {
      const last = (await outbound()).at(-1);
      return last?.status === 'failed' ? last : null;
    });
    expect(failed.error).toMatch(/^customer@example\.test is suppressed on email since .* \(hard bounce: /);
    await app.drain();
    expect(await readInbox(servers, CUSTOMER, 2)).toHaveLength(2);
  }, 60_000);
});
