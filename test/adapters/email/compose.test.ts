import { describe, expect, it } from 'vitest';
import { createEmailAdapter } from '../../../adapters/email/adapter.ts';
import { composeReply, textToHtml } from '../../../adapters/email/outbound/compose.ts';
import { smtpSendError } from '../../../adapters/email/outbound/send.ts';
import { type EmailSettings, emailSettings } from '../../../adapters/email/settings.ts';
import { threadKeyOf } from '../../../adapters/email/thread-key.ts';
import { SendError } from '../../../src/errors.ts';
import { silentLogger } from '../../../src/log.ts';
import type { OutboundMessage } from '../../../src/model/types.ts';

const TOKEN = '0123456789abcdef';
const THREAD = threadKeyOf('carla@example.test', TOKEN);

function settings(extra: Record<string, unknown> = {}): EmailSettings {
  return emailSettings.parse({
    address: 'Support@Shop.test',
    displayName: 'Shop Support',
    mailboxes: [{ imap: { host: 'imap.shop.test', user: 'support', pass: 'x' } }],
    smtp: { host: 'smtp.shop.test' },
    ...extra,
  });
}

function outbound(extra: Partial<OutboundMessage> = {}): OutboundMessage {
  return {
    id: 'row-1',
    messageId: 'msg-1',
    conversationId: 'conv-1',
    channel: 'email',
    touchpoint: { channel: 'email', kind: 'email', visibility: 'private' },
    threadKey: THREAD,
    destination: 'carla@example.test',
    text: 'Your order ships today.',
    replyRef: {
      to: 'carla@example.test',
      name: 'Carla',
      subject: 'Where is my order?',
      messageId: '<c2@example.test>',
      references: ['<c1@example.test>', '<out-0@shop.test>', '<c2@example.test>'],
    },
    lastInboundAt: null,
    references: ['<c1@example.test>', '<out-0@shop.test>', '<c2@example.test>'],
    author: { kind: 'agent', name: 'Ann' },
    automatic: false,
    attempt: 1,
    ...extra,
  };
}

describe('composeReply', () => {
  it('answers in the thread: our Message-ID, In-Reply-To the last inbound, References root first and parent last', () => {
    const mail = composeReply(
      outbound({
        references: [
          '<c1@example.test>',
          '<out-0@shop.test>',
          '<c2@example.test>',
          'not an id',
          '<ab12@no-message-id.invalid>',
        ],
      }),
      settings(),
    );
    expect(mail).toMatchObject({
      from: { name: 'Ann', address: 'support@shop.test' },
      to: { name: 'Carla', address: 'carla@example.test' },
      subject: 'Re: Where is my order?',
      messageId: '<row-1@shop.test>',
      inReplyTo: '<c2@example.test>',
      // 'not an id' and our stand-in ids are dropped: References only carries real Message-IDs.
      references: ['<c1@example.test>', '<out-0@shop.test>', '<c2@example.test>'],
      text: 'Your order ships today.',
    });
    expect(mail.headers).toEqual({});
    expect(mail.replyTo).toBeUndefined();
  });

  it('does not answer a stand-in id of a mail that had no Message-ID', () => {
    const ref = {
      ...(outbound().replyRef as object),
      messageId: '<ab12@no-message-id.invalid>',
      references: ['<ab12@no-message-id.invalid>'],
    };
    const mail = composeReply(outbound({ replyRef: ref, references: ['<ab12@no-message-id.invalid>'] }), settings());
    expect(mail.inReplyTo).toBeUndefined();
    expect(mail.references).toBeUndefined();
  });

  it('keeps the same Message-ID on a retry of the same outbox row', () => {
    expect(composeReply(outbound({ attempt: 3 }), settings()).messageId).toBe(
      composeReply(outbound(), settings()).messageId,
    );
  });

  it('marks automatic replies so responders leave them alone', () => {
    expect(composeReply(outbound({ automatic: true }), settings()).headers).toEqual({
      'Auto-Submitted': 'auto-replied',
      'X-Auto-Response-Suppress': 'All',
    });
  });

  it.each([
    ['Re: Order', 'Re: Order'],
    ['RE:Order', 'RE:Order'],
    ['AW: Bestellung', 'AW: Bestellung'],
    ['Re[2]: Order', 'Re[2]: Order'],
    ['Order', 'Re: Order'],
    ['', 'Re: your message'],
  ])('gives subject %j as %j', (original, expected) => {
    const msg = outbound({ replyRef: { ...(outbound().replyRef as object), subject: original } });
    expect(composeReply(msg, settings()).subject).toBe(expected);
  });

  it('sends an agent’s mail under the name the core gives them, everything else under the shop’s', () => {
    expect(composeReply(outbound({ author: { kind: 'agent', name: 'Ann at Shop' } }), settings()).from).toEqual({
      name: 'Ann at Shop',
      address: 'support@shop.test',
    });
    for (const author of [{ kind: 'bot' as const, name: 'Shop' }, { kind: 'agent' as const }])
      expect(composeReply(outbound({ author }), settings()).from).toEqual({
        name: 'Shop Support',
        address: 'support@shop.test',
      });
  });

  it('offers List-Unsubscribe on marketing mail only: the signed URL with one-click, and the mailto', () => {
    const marketing = outbound({ parts: [{ type: 'marketing' }] });
    const links = { url: (id: string, channel: string) => `https://shop.test/unsubscribe/${id}?c=${channel}` };
    expect(composeReply(marketing, settings(), [], links).headers).toEqual({
      'List-Unsubscribe':
        '<https://shop.test/unsubscribe/conv-1?c=email>, <mailto:support@shop.test?subject=unsubscribe>',
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    });
    expect(composeReply(marketing, settings()).headers).toEqual({
      'List-Unsubscribe': '<mailto:support@shop.test?subject=unsubscribe>',
    });
    expect(composeReply(outbound(), settings(), [], links).headers).toEqual({});
  });

  it('uses a subject part when the core sets one', () => {
    expect(composeReply(outbound({ parts: [{ type: 'subject', text: 'Your booking' }] }), settings()).subject).toBe(
      'Your booking',
    );
  });

  it('sets a plus-address Reply-To carrying the thread token when enabled', () => {
    expect(composeReply(outbound(), settings({ plusAddressing: true })).replyTo).toEqual({
      name: 'Shop Support',
      address: `support+${TOKEN}@shop.test`,
    });
  });

  it('uses the configured Message-ID domain', () => {
    expect(composeReply(outbound(), settings({ messageIdDomain: 'mail.shop.test' })).messageId).toBe(
      '<row-1@mail.shop.test>',
    );
  });

  it('falls back to the thread key’s sender when there is no reply reference', () => {
    const mail = composeReply(outbound({ replyRef: null, references: [] }), settings());
    expect(mail.to).toBe('carla@example.test');
    expect(mail.inReplyTo).toBeUndefined();
    expect(mail.references).toBeUndefined();
  });

  it('refuses, permanently, a message with nowhere to go', () => {
    expect(() => composeReply(outbound({ replyRef: null, threadKey: 'webchat:abc' }), settings())).toThrow(SendError);
  });

  it('attaches kept files by their bytes and others by URL', () => {
    const bytes = Buffer.from('%PDF-1.4 label');
    const mail = composeReply(
      outbound({
        attachments: [
          { name: 'label.pdf', contentType: 'application/pdf', blobKey: `sha256/${'a'.repeat(64)}` },
          { name: 'invoice.pdf', contentType: 'application/pdf', url: 'https://files.shop.test/i.pdf' },
        ],
      }),
      settings(),
      [bytes, null],
    );
    expect(mail.attachments).toEqual([
      { content: bytes, contentType: 'application/pdf', filename: 'label.pdf' },
      { href: 'https://files.shop.test/i.pdf', contentType: 'application/pdf', filename: 'invoice.pdf' },
    ]);
  });

  it('refuses to send without a file it cannot attach, rather than drop it', () => {
    const gone = outbound({ attachments: [{ contentType: 'application/pdf', blobKey: `sha256/${'b'.repeat(64)}` }] });
    expect(() => composeReply(gone, settings(), [null])).toThrow(/no longer kept/);
    expect(() => composeReply(outbound({ attachments: [{ contentType: 'text/plain' }] }), settings())).toThrow(
      /neither kept bytes nor a URL/,
    );
  });
});

describe('textToHtml', () => {
  it('escapes markup and keeps paragraphs and line breaks', () => {
    expect(textToHtml('Hi <b>&</b> "you"\nline 2\n\nPara 2')).toBe(
      '<!doctype html>\n<html><body>\n<p>Hi &lt;b&gt;&amp;&lt;/b&gt; &quot;you&quot;<br>\nline 2</p>\n<p>Para 2</p>\n</body></html>\n',
    );
  });
});

describe('smtpSendError', () => {
  const err = (props: Record<string, unknown>) => Object.assign(new Error('smtp said no'), props);

  it.each([
    [{ responseCode: 550, code: 'EENVELOPE', response: '550 5.1.1 no such user' }, 'permanent', '550'],
    [{ responseCode: 552, code: 'EMESSAGE' }, 'permanent', '552'],
    [{ responseCode: 451, code: 'EENVELOPE' }, 'transient', '451'],
    [{ responseCode: 421, code: 'ECONNECTION' }, 'transient', '421'],
    [{ responseCode: 503, code: 'EPROTOCOL' }, 'transient', '503'],
    [{ responseCode: 535, code: 'EAUTH' }, 'transient', '535'],
    [{ code: 'ECONNECTION' }, 'transient', 'ECONNECTION'],
    [{ code: 'ETIMEDOUT' }, 'transient', 'ETIMEDOUT'],
    [{ code: 'EENVELOPE' }, 'permanent', 'EENVELOPE'],
  ])('maps %j to %s', (props, failure, code) => {
    const e = smtpSendError(err(props));
    expect(e.failure).toBe(failure);
    expect(e.providerCode).toBe(code);
  });

  it('treats anything unknown as transient', () => {
    expect(smtpSendError('boom').failure).toBe('transient');
  });
});

describe('email settings', () => {
  it('apply defaults', () => {
    const s = settings();
    expect(s.mailboxes[0]).toMatchObject({
      mailbox: 'INBOX',
      onProcessed: 'flag',
      flag: '\\Seen',
      imap: { port: 993, secure: true },
    });
    expect(s).toMatchObject({
      maxAttachmentBytes: 10 * 1024 * 1024,
      plusAddressing: false,
      smtp: { port: 587, maxConnections: 3, rateLimit: 5 },
    });
  });

  it('explain what is wrong', () => {
    const bad = emailSettings.safeParse({
      address: 'not-an-address',
      mailboxes: [{ imap: { host: 'h', user: 'u', pass: 'p' }, onProcessed: 'move' }],
      smtp: { host: 'h', user: 'only-user' },
    });
    expect(bad.success).toBe(false);
    const paths = bad.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(paths).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^address: an email address/),
        'mailboxes.0.moveTo: moveTo is required when onProcessed is move',
        'smtp.pass: give both user and pass, or neither',
      ]),
    );
  });
});

describe('email adapter', () => {
  const adapter = createEmailAdapter(settings(), silentLogger);

  it('rates by recipient address, from the reply reference or the thread key', () => {
    expect(
      adapter.destination(THREAD, {
        to: 'Orders@Example.test',
        name: null,
        subject: '',
        messageId: '<m@x>',
        references: [],
      }),
    ).toBe('orders@example.test');
    expect(adapter.destination(THREAD, null)).toBe('carla@example.test');
  });

  it('declares threads, idempotent sends and no length limit', () => {
    expect(adapter.capabilities).toMatchObject({
      threads: true,
      idempotentSend: true,
      maxTextLength: null,
      richParts: false,
    });
    expect(adapter.rateLimit).toEqual({ minTimeMs: 1_000, maxConcurrent: 1, channelPerSecond: 5 });
  });
});
