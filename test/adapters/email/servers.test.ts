import { describe, expect, it } from 'vitest';
import { emailDefinition } from '../../../adapters/email/definition.ts';
import type { EmailRaw } from '../../../adapters/email/inbound/to-envelope.ts';
import { threadKeyOf, threadToken } from '../../../adapters/email/thread-key.ts';
import { systemClock } from '../../../src/clock.ts';
import { SendError } from '../../../src/errors.ts';
import { silentLogger } from '../../../src/log.ts';
import type { Envelope } from '../../../src/model/types.ts';
import { FakeHost } from './support/fake-host.ts';
import { replyTo, useMailServers } from './support/harness.ts';
import { adapterSettings, readInbox, sendMail } from './support/mail-client.ts';

/**
 * The email adapter against real Dovecot (IMAP + LMTP) and Postfix (SMTP),
 * fresh instances per test on 127.0.0.1: receiving, replying in the thread,
 * auto-replies and bounces, SMTP errors. Waits are on events (IMAP EXISTS,
 * envelopes reaching the host), never on sleeps.
 */

const CUSTOMER = 'customer@example.test';
const mail = useMailServers();

describe('email adapter with Dovecot and Postfix', () => {
  it('ingests a customer mail as exactly one envelope with the right fields, then flags it', async () => {
    const host = new FakeHost();
    const adapter = await mail.startAdapter(host);
    await sendMail(mail.servers(), {
      from: '"Carla Customer" <Customer@Example.test>',
      to: 'support@shop.test',
      subject: 'Where is my order?',
      messageId: '<order-1@example.test>',
      text: 'Hi,\nmy order 1234 has not arrived.\n\nCarla\n\nOn Mon, 5 Jan 2026 at 09:00, Shop wrote:\n> Thanks for your order.',
      attachments: [{ filename: 'receipt.pdf', content: Buffer.alloc(1_000, 7), contentType: 'application/pdf' }],
    });
    await host.waitForCount(1);
    await mail.stopAdapter(adapter);

    expect(host.calls).toHaveLength(1);
    const env = host.stored.get('<order-1@example.test>') as Envelope;
    expect(env).toMatchObject({
      channel: 'email',
      providerId: '<order-1@example.test>',
      touchpoint: { channel: 'email', kind: 'email', visibility: 'private' },
      threadKey: threadKeyOf(CUSTOMER, threadToken('<order-1@example.test>')),
      from: { kind: 'email', value: CUSTOMER, name: 'Carla Customer' },
      text: 'Hi,\nmy order 1234 has not arrived.\n\nCarla',
      attachments: [{ name: 'receipt.pdf', contentType: 'application/pdf', size: 1_000 }],
      replyRef: {
        to: CUSTOMER,
        name: 'Carla Customer',
        subject: 'Where is my order?',
        messageId: '<order-1@example.test>',
        references: ['<order-1@example.test>'],
      },
    });
    expect(env.flags).toEqual({});
    expect(env.inReplyTo).toBeUndefined();
    expect(typeof env.sentAt).toBe('number');
    const raw = env.raw as EmailRaw;
    expect(raw.fullText).toContain('> Thanks for your order.');
    expect(raw.subject).toBe('Where is my order?');
    expect(raw.origin).toMatchObject({ mailbox: expect.stringContaining('INBOX'), uid: 1 });

    expect((await mail.flagsIn('INBOX')).get('<order-1@example.test>')).toContain('\\Seen');
    const checkpoint = [...host.stateData.values()][0] as { lastUid: number; uidValidity: string };
    expect(checkpoint.lastUid).toBe(1);
  });

  it('sends a threaded reply, and the customer’s answer to it comes back in the same thread', async () => {
    const host = new FakeHost();
    const adapter = await mail.startAdapter(host, adapterSettings(mail.servers(), { plusAddressing: true }));
    await sendMail(mail.servers(), {
      from: '"Carla Customer" <customer@example.test>',
      to: 'support@shop.test',
      subject: 'Where is my order?',
      messageId: '<order-1@example.test>',
      text: 'Where is order 1234?',
    });
    await host.waitForCount(1);
    const first = host.stored.get('<order-1@example.test>') as Envelope;

    const sent = await adapter.send(replyTo(first, 'out-1', 'Hello Carla,\nyour order ships today.'));
    expect(sent).toEqual({ providerId: '<out-1@shop.test>', status: 'sent' });

    const [reply] = await readInbox(mail.servers(), CUSTOMER, 1);
    if (!reply) throw new Error('no reply in the customer inbox');
    const token = threadToken('<order-1@example.test>');
    expect(reply.messageId).toBe('<out-1@shop.test>');
    expect(reply.inReplyTo).toBe('<order-1@example.test>');
    expect([reply.references].flat()).toEqual(['<order-1@example.test>']);
    expect(reply.subject).toBe('Re: Where is my order?');
    expect(reply.headers.get('auto-submitted')).toBe('auto-replied');
    expect(reply.from?.value[0]).toMatchObject({ name: 'Shop Support', address: 'support@shop.test' });
    expect(reply.replyTo?.value[0]?.address).toBe(`support+${token}@shop.test`);
    expect(reply.text?.trim()).toBe('Hello Carla,\nyour order ships today.');
    expect(reply.html).toContain('Hello Carla,<br>');

    await sendMail(mail.servers(), {
      from: '"Carla Customer" <customer@example.test>',
      to: reply.replyTo?.text,
      subject: `Re: ${reply.subject}`,
      messageId: '<order-2@example.test>',
      inReplyTo: reply.messageId,
      references: [...[reply.references ?? []].flat(), reply.messageId as string],
      text: 'Thank you!\n\nOn Tue, Shop Support wrote:\n> Hello Carla,\n> your order ships today.',
    });
    await host.waitForCount(2);
    const second = host.stored.get('<order-2@example.test>') as Envelope;
    expect(second.inReplyTo).toContain('<out-1@shop.test>');
    expect(second.inReplyTo).toContain('<order-1@example.test>');
    expect(second.threadKey).toBe(first.threadKey);
    expect(second.text).toBe('Thank you!');
    expect(second.flags).toEqual({});
  });

  it('flags an auto-reply, and a Postfix bounce of our own mail as a bounce of that Message-ID', async () => {
    const host = new FakeHost();
    const adapter = await mail.startAdapter(host);
    await sendMail(mail.servers(), {
      from: CUSTOMER,
      to: 'support@shop.test',
      subject: 'Out of office',
      messageId: '<ooo-1@example.test>',
      headers: { 'Auto-Submitted': 'auto-replied' },
      text: 'I am away until Monday.',
    });
    await host.waitForCount(1);
    const ooo = host.stored.get('<ooo-1@example.test>') as Envelope;
    expect(ooo.flags).toEqual({ autoReply: true });
    expect((ooo.raw as EmailRaw).autoReplyReasons).toContain('Auto-Submitted: auto-replied');

    const nobody = {
      ...ooo,
      threadKey: threadKeyOf('nobody@example.test', threadToken('<x@example.test>')),
      replyRef: {
        to: 'nobody@example.test',
        name: null,
        subject: 'Hello',
        messageId: '<x@example.test>',
        references: [],
      },
    };
    const sent = await adapter.send(replyTo(nobody, 'out-bounce', 'Anyone there?', false));
    await host.waitForCount(2);
    const bounce = [...host.stored.values()].find((e) => e.flags?.bounce) as Envelope;
    expect(bounce).toBeDefined();
    expect(bounce.bounceOf).toBe(sent.providerId);
    expect(bounce.flags).toEqual({ autoReply: true, bounce: true });
    expect(bounce.inReplyTo?.[0]).toBe('<out-bounce@shop.test>');
    expect(bounce.replyRef).toBeUndefined();
    expect(bounce.text).toMatch(/^Delivery to nobody@example\.test failed permanently \(5\.1\.1/);
    expect((bounce.raw as EmailRaw).bounce?.recipients).toEqual([
      expect.objectContaining({ recipient: 'nobody@example.test', action: 'failed', status: '5.1.1', permanent: true }),
    ]);
  });

  it('maps SMTP failures: refused connection is transient, an oversized message is a permanent 5xx', async () => {
    const host = new FakeHost();
    const env: Envelope = {
      channel: 'email',
      providerId: '<p@example.test>',
      touchpoint: { channel: 'email', kind: 'email', visibility: 'private' },
      threadKey: threadKeyOf(CUSTOMER, threadToken('<p@example.test>')),
      from: { kind: 'email', value: CUSTOMER },
      text: 'x',
      replyRef: { to: CUSTOMER, name: null, subject: 'Big', messageId: '<p@example.test>', references: [] },
    };
    const settings = adapterSettings(mail.servers());
    // Nothing listens on port 1 here.
    const closed = await emailDefinition.create(
      { ...settings, smtp: { ...settings.smtp, port: 1 } },
      { log: silentLogger, clock: systemClock },
    );

    const refused = await closed.send(replyTo(env, 'refused', 'hello')).catch((e: unknown) => e);
    await closed.stop();
    expect(refused).toBeInstanceOf(SendError);
    expect((refused as SendError).failure).toBe('transient');

    const adapter = await mail.startAdapter(host);
    const huge = await adapter.send(replyTo(env, 'huge', 'x'.repeat(10_300_000))).catch((e: unknown) => e);
    expect(huge).toBeInstanceOf(SendError);
    expect((huge as SendError).failure).toBe('permanent');
    expect((huge as SendError).providerCode).toBe('552');
  });
});
