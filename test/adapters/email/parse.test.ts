import { describe, expect, it } from 'vitest';
import { parseMail } from '../../../adapters/email/inbound/parse.ts';
import { type EmailRaw, type MailOrigin, toEnvelope } from '../../../adapters/email/inbound/to-envelope.ts';
import { syntheticMessageId } from '../../../adapters/email/message-ids.ts';
import { threadKeyOf, threadToken } from '../../../adapters/email/thread-key.ts';
import { composedMail, deliveryReport, rawMail } from './support/raw-mail.ts';

const US = 'support@shop.test';
const origin: MailOrigin = { mailbox: 'support@imap/INBOX', uid: 7, uidValidity: '42' };
const limits = { maxAttachmentBytes: 1_000 };

describe('parseMail', () => {
  it('turns an HTML-only mail into text', async () => {
    const raw = await composedMail({
      from: 'carla@example.test',
      to: US,
      subject: 'Hi',
      html: '<p>Hello <b>there</b></p><p>Second&nbsp;line</p>',
      messageId: '<h1@example.test>',
    });
    const mail = await parseMail(raw, limits);
    expect(mail.text).toContain('Hello there');
    expect(mail.text).toContain('Second line');
    expect(mail.text).not.toContain('<');
  });

  it('lists attachments as metadata within the size limit, drops larger ones and inline images', async () => {
    const raw = await composedMail({
      from: 'carla@example.test',
      to: US,
      subject: 'Files',
      html: '<p>logo <img src="cid:logo@x"></p>',
      messageId: '<a1@example.test>',
      attachments: [
        { filename: 'small.txt', content: 'a'.repeat(500), contentType: 'text/plain' },
        { filename: 'big.bin', content: Buffer.alloc(5_000), contentType: 'application/octet-stream' },
        { filename: 'logo.png', content: Buffer.alloc(100), contentType: 'image/png', cid: 'logo@x' },
      ],
    });
    const mail = await parseMail(raw, limits);
    expect(mail.attachments).toEqual([{ name: 'small.txt', contentType: 'text/plain', size: 500 }]);
    expect(mail.droppedAttachments).toEqual([
      { name: 'big.bin', contentType: 'application/octet-stream', size: 5_000, reason: 'larger than 1000 bytes' },
    ]);
  });

  it('reads addresses, ids and recipients', async () => {
    const raw = rawMail(
      [
        ['From', '"Carla C." <Carla@Example.TEST>'],
        ['Reply-To', 'orders@example.test'],
        ['To', 'Support <support+0123456789abcdef@shop.test>, other@example.test'],
        ['Cc', 'Team: a@example.test, b@example.test;'],
        ['Subject', '  Order  '],
        ['Date', 'Mon, 05 Jan 2026 09:00:00 +0000'],
        ['Message-ID', '<c2@example.test>'],
        ['In-Reply-To', '<out-1@shop.test>'],
        ['References', '<root@example.test>\r\n <out-1@shop.test>'],
      ],
      'text',
    );
    const mail = await parseMail(raw, limits);
    expect(mail).toMatchObject({
      messageId: '<c2@example.test>',
      inReplyTo: ['<out-1@shop.test>'],
      references: ['<root@example.test>', '<out-1@shop.test>'],
      subject: 'Order',
      from: { address: 'carla@example.test', name: 'Carla C.' },
      replyTo: 'orders@example.test',
      date: Date.UTC(2026, 0, 5, 9),
    });
    expect(mail.recipients).toEqual([
      'support+0123456789abcdef@shop.test',
      'other@example.test',
      'a@example.test',
      'b@example.test',
    ]);
  });

  it('gives a mail without Message-ID a stable id from its bytes', async () => {
    const raw = rawMail(
      [
        ['From', 'x@example.test'],
        ['Subject', 'no id'],
      ],
      'body',
    );
    expect((await parseMail(raw, limits)).messageId).toBe(syntheticMessageId(raw));
    expect((await parseMail(raw, limits)).messageId).toBe((await parseMail(Buffer.from(raw), limits)).messageId);
  });
});

describe('toEnvelope', () => {
  async function envelopeOf(headers: [string, string][], body: string, o: MailOrigin = origin) {
    return toEnvelope(await parseMail(rawMail(headers, body), limits), US, o);
  }

  it('threads a new mail by its own Message-ID and keeps the full text in raw', async () => {
    const env = await envelopeOf(
      [
        ['From', 'Carla <carla@example.test>'],
        ['To', US],
        ['Subject', 'Refund'],
        ['Message-ID', '<new@example.test>'],
      ],
      'I want a refund.\n\n-- \nCarla',
    );
    expect(env.threadKey).toBe(threadKeyOf('carla@example.test', threadToken('<new@example.test>')));
    expect(env.text).toBe('I want a refund.');
    // Trailing spaces are trimmed, the signature delimiter's included.
    expect((env.raw as EmailRaw).fullText).toBe('I want a refund.\n\n--\nCarla');
    expect((env.raw as EmailRaw).origin).toEqual(origin);
    expect(env.inReplyTo).toBeUndefined();
    expect(env.flags).toEqual({});
  });

  it('threads a reply by the root of its References, and lists In-Reply-To first', async () => {
    const env = await envelopeOf(
      [
        ['From', 'carla@example.test'],
        ['To', US],
        ['Subject', 'Re: Refund'],
        ['Message-ID', '<r2@example.test>'],
        ['In-Reply-To', '<out-1@shop.test>'],
        ['References', '<new@example.test> <out-1@shop.test>'],
      ],
      'Thanks',
    );
    expect(env.threadKey).toBe(threadKeyOf('carla@example.test', threadToken('<new@example.test>')));
    expect(env.inReplyTo).toEqual(['<out-1@shop.test>', '<new@example.test>']);
    expect(env.replyRef).toEqual({
      to: 'carla@example.test',
      name: null,
      subject: 'Re: Refund',
      messageId: '<r2@example.test>',
      references: ['<new@example.test>', '<out-1@shop.test>', '<r2@example.test>'],
    });
  });

  it('prefers the reply token of our plus address over everything else', async () => {
    const env = await envelopeOf(
      [
        ['From', 'carla@example.test'],
        ['To', 'support+00112233aabbccdd@shop.test'],
        ['Subject', 'x'],
        ['Message-ID', '<t@example.test>'],
      ],
      'hi',
    );
    expect(env.threadKey).toBe('email:carla@example.test:00112233aabbccdd');
  });

  it('never threads by subject: two new mails with one subject are two threads', async () => {
    const a = await envelopeOf(
      [
        ['From', 'carla@example.test'],
        ['Subject', 'Help'],
        ['Message-ID', '<s1@example.test>'],
      ],
      'one',
    );
    const b = await envelopeOf(
      [
        ['From', 'carla@example.test'],
        ['Subject', 'Help'],
        ['Message-ID', '<s2@example.test>'],
      ],
      'two',
    );
    expect(a.threadKey).not.toBe(b.threadKey);
  });

  it('marks our own mail as an echo and auto-replies as such', async () => {
    const echo = await envelopeOf(
      [
        ['From', 'Support@Shop.test'],
        ['Subject', 'x'],
        ['Message-ID', '<e@shop.test>'],
      ],
      'x',
    );
    expect(echo.flags).toEqual({ echo: true });
    const auto = await envelopeOf(
      [
        ['From', 'carla@example.test'],
        ['Subject', 'Away'],
        ['Precedence', 'bulk'],
        ['Message-ID', '<b@example.test>'],
      ],
      'x',
    );
    expect(auto.flags).toEqual({ autoReply: true });
    expect(auto.replyRef).toBeDefined();
  });

  it('turns a bounce into a bounce envelope of the failed Message-ID, with no reply target', async () => {
    const mail = await parseMail(
      deliveryReport({
        action: 'failed',
        status: '5.1.1',
        recipient: 'gone@example.test',
        originalId: '<out-3@shop.test>',
      }),
      limits,
    );
    const env = toEnvelope(mail, US, origin);
    expect(env.flags).toEqual({ autoReply: true, bounce: true });
    expect(env.bounceOf).toBe('<out-3@shop.test>');
    expect(env.inReplyTo).toEqual(['<out-3@shop.test>']);
    expect(env.replyRef).toBeUndefined();
    expect(env.text).toBe('Delivery to gone@example.test failed permanently (5.1.1: smtp; mailbox unavailable).');
    // a 5.x.x failure names the address the core suppresses
    expect(env.hardBounced).toEqual(['gone@example.test']);
  });

  it('names no address to suppress when delivery failed for now (4.x.x)', async () => {
    const report = deliveryReport({
      action: 'failed',
      status: '4.2.2',
      recipient: 'full@example.test',
      originalId: '<out-4@shop.test>',
    });
    const env = toEnvelope(await parseMail(report, limits), US, origin);
    expect(env.flags?.bounce).toBe(true);
    expect(env.hardBounced).toBeUndefined();
  });

  it('says so when only the headers of an oversized mail were read', async () => {
    const env = await envelopeOf(
      [
        ['From', 'carla@example.test'],
        ['Subject', 'Video'],
        ['Message-ID', '<v@example.test>'],
      ],
      '',
      {
        ...origin,
        tooLarge: { size: 90_000_000, limit: 25_000_000 },
      },
    );
    expect(env.text).toBe(
      '(message of 90000000 bytes is larger than the 25000000-byte limit: only its headers were read)',
    );
    expect(env.providerId).toBe('<v@example.test>');
  });

  it('falls back to the subject when the body is empty', async () => {
    const env = await envelopeOf(
      [
        ['From', 'carla@example.test'],
        ['Subject', 'Call me'],
        ['Message-ID', '<cm@example.test>'],
      ],
      '',
    );
    expect(env.text).toBe('Call me');
  });
});
