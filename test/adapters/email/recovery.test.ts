import { describe, expect, it } from 'vitest';
import type { EmailRaw } from '../../../adapters/email/inbound/to-envelope.ts';
import type { EmailSettings } from '../../../adapters/email/settings.ts';
import type { Envelope } from '../../../src/model/types.ts';
import { FakeHost } from './support/fake-host.ts';
import { useMailServers } from './support/harness.ts';
import { adapterSettings, sendMail } from './support/mail-client.ts';

/**
 * The IMAP side's delivery guarantees against real Dovecot and Postfix:
 * nothing lost and nothing stored twice across server and adapter restarts,
 * a refused store retried, a changed UIDVALIDITY, oversized mail.
 */

const CUSTOMER = 'customer@example.test';
const mail = useMailServers();

describe('email inbound recovery with Dovecot and Postfix', () => {
  it('loses nothing and stores nothing twice across a Dovecot restart and an adapter restart', async () => {
    const host = new FakeHost();
    const send = (n: number) =>
      sendMail(mail.servers(), {
        from: CUSTOMER,
        to: 'support@shop.test',
        subject: `Mail ${n}`,
        messageId: `<m${n}@example.test>`,
        text: `Body ${n}`,
      });
    const first = await mail.startAdapter(host);
    for (const n of [1, 2, 3]) await send(n);
    await host.waitForCount(3);

    await mail.servers().stopDovecot();
    // Postfix accepts these and queues them while Dovecot's LMTP is down.
    for (const n of [4, 5, 6]) await send(n);
    await mail.servers().startDovecot();
    await mail.servers().flushQueue();
    await host.waitForCount(6);

    await mail.stopAdapter(first);
    for (const n of [7, 8, 9]) await send(n);
    const second = await mail.startAdapter(host);
    await host.waitForCount(9);
    await mail.stopAdapter(second);

    expect(host.calls.map((e) => e.providerId).sort()).toEqual(
      [1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => `<m${n}@example.test>`),
    );
    const checkpoint = [...host.stateData.values()][0] as { lastUid: number };
    expect(checkpoint.lastUid).toBe(9);
  });

  it('retries a message the core could not store, and moves processed mail when told to', async () => {
    const host = new FakeHost();
    host.failNext = new Error('store unavailable');
    const settings = adapterSettings(mail.servers());
    const mailbox = {
      ...(settings.mailboxes[0] as EmailSettings['mailboxes'][number]),
      onProcessed: 'move' as const,
      moveTo: 'Processed',
    };
    const adapter = await mail.startAdapter(host, { ...settings, mailboxes: [mailbox] });
    await sendMail(mail.servers(), {
      from: CUSTOMER,
      to: 'support@shop.test',
      subject: 'Retry me',
      messageId: '<r1@example.test>',
      text: 'x',
    });
    await host.waitForCount(1);
    // stop() lets the message in hand finish, move included.
    await mail.stopAdapter(adapter);
    expect(host.failNext).toBeNull();
    expect(host.calls).toHaveLength(1);
    expect([...(await mail.flagsIn('Processed')).keys()]).toEqual(['<r1@example.test>']);
    expect((await mail.flagsIn('INBOX')).size).toBe(0);
  });

  it('reads a mailbox again when its UIDVALIDITY changed, without storing processed mail twice', async () => {
    const host = new FakeHost();
    const first = await mail.startAdapter(host);
    await sendMail(mail.servers(), {
      from: CUSTOMER,
      to: 'support@shop.test',
      subject: 'Once',
      messageId: '<once@example.test>',
      text: 'x',
    });
    await host.waitForCount(1);
    await mail.stopAdapter(first);
    const [key] = [...host.stateData.keys()] as [string];
    host.stateData.set(key, { uidValidity: '1', lastUid: 999 });
    const second = await mail.startAdapter(host);
    // The old checkpoint's lastUid must not carry over: it is reset to what the mailbox holds.
    await host.waitFor(
      () => (host.stateData.get(key) as { uidValidity: string }).uidValidity !== '1',
      'a new checkpoint',
    );
    expect(host.stateData.get(key)).toMatchObject({ lastUid: 1 });
    await sendMail(mail.servers(), {
      from: CUSTOMER,
      to: 'support@shop.test',
      subject: 'Twice',
      messageId: '<new@example.test>',
      text: 'y',
    });
    await host.waitForCount(2);
    await mail.stopAdapter(second);
    expect(host.calls.map((e) => e.providerId)).toEqual(['<once@example.test>', '<new@example.test>']);
    expect(host.stateData.get(key)).toMatchObject({ lastUid: 2 });
  });

  it('stores only the headers of a message above maxMessageBytes', async () => {
    const host = new FakeHost();
    await mail.startAdapter(host, adapterSettings(mail.servers(), { maxMessageBytes: 4_000 }));
    await sendMail(mail.servers(), {
      from: '"Carla Customer" <customer@example.test>',
      to: 'support@shop.test',
      subject: 'Holiday video',
      messageId: '<big@example.test>',
      text: 'see attachment',
      attachments: [{ filename: 'video.mp4', content: Buffer.alloc(20_000, 1), contentType: 'video/mp4' }],
    });
    await host.waitForCount(1);
    const env = host.stored.get('<big@example.test>') as Envelope;
    expect(env.from).toEqual({ kind: 'email', value: CUSTOMER, name: 'Carla Customer' });
    expect(env.text).toMatch(
      /^\(message of \d+ bytes is larger than the 4000-byte limit: only its headers were read\)$/,
    );
    expect((env.raw as EmailRaw).subject).toBe('Holiday video');
    expect((env.raw as EmailRaw).origin.tooLarge).toEqual({ size: expect.any(Number), limit: 4_000 });
  });
});
