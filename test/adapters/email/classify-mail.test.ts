import { describe, expect, it } from 'vitest';
import { describeBounce, parseBounce, parseDeliveryStatus } from '../../../adapters/email/inbound/bounce.ts';
import { autoReplyReasons } from '../../../adapters/email/inbound/classify-mail.ts';
import type { HeaderLine } from '../../../adapters/email/inbound/headers.ts';
import { parseMail } from '../../../adapters/email/inbound/parse.ts';
import { deliveryReport, rawMail } from './support/raw-mail.ts';

const h = (name: string, value: string): HeaderLine => ({ name, value });

describe('autoReplyReasons', () => {
  it.each([
    [[h('auto-submitted', 'auto-replied')], 'Auto-Submitted: auto-replied'],
    [[h('auto-submitted', 'auto-generated')], 'Auto-Submitted: auto-generated'],
    [[h('x-auto-response-suppress', 'DR, RN, NRN')], 'X-Auto-Response-Suppress: DR, RN, NRN'],
    [[h('x-auto-response-suppress', 'All')], 'X-Auto-Response-Suppress: All'],
    [[h('x-auto-response-suppress', 'OOF, AutoReply')], 'X-Auto-Response-Suppress: OOF, AutoReply'],
    [[h('list-unsubscribe', '<mailto:u@list.example>')], 'list-unsubscribe header'],
    [[h('list-id', 'News <news.shop.example>')], 'list-id header'],
    [[h('precedence', 'bulk')], 'Precedence: bulk'],
    [[h('precedence', 'junk')], 'Precedence: junk'],
    [[h('precedence', 'list')], 'Precedence: list'],
    [[h('precedence', 'auto_reply')], 'Precedence: auto_reply'],
    [[h('x-autoreply', 'yes')], 'x-autoreply header'],
    [[h('x-autorespond', 'vacation')], 'x-autorespond header'],
    [[h('return-path', '<>')], 'Return-Path: <>'],
    [[h('return-path', '<MAILER-DAEMON@mx.example>')], 'sent by MAILER-DAEMON'],
  ])('flags %j', (headers, reason) => {
    expect(autoReplyReasons(headers, 'someone@example.test')).toContain(reason);
  });

  it('flags mail from a MAILER-DAEMON address', () => {
    expect(autoReplyReasons([], 'mailer-daemon@mx.example')).toEqual(['sent by MAILER-DAEMON']);
  });

  it('leaves mail a person wrote alone', () => {
    const person = [
      h('auto-submitted', 'no'),
      h('x-auto-response-suppress', 'OOF'),
      h('precedence', 'first-class'),
      h('return-path', '<carla@example.test>'),
      h('x-autoreply', 'no'),
    ];
    expect(autoReplyReasons(person, 'carla@example.test')).toEqual([]);
  });
});

describe('parseDeliveryStatus', () => {
  it('reads every recipient group, with permanence from action and status', () => {
    const body = [
      'Reporting-MTA: dns; mx.example',
      '',
      'Final-Recipient: rfc822; A@Example.test',
      'Action: failed',
      'Status: 5.1.1',
      'Diagnostic-Code: smtp; 550 5.1.1 no such user',
      '',
      'Final-Recipient: rfc822;b@example.test',
      'Action: delayed',
      'Status: 4.4.1 (connection timed out)',
      '',
      'Original-Recipient: rfc822; c@example.test',
      'Action: failed',
      'Status: 4.4.7',
      'Diagnostic-Code: X-Postfix; delivery',
      '    temporarily suspended',
    ].join('\r\n');
    expect(parseDeliveryStatus(body)).toEqual([
      {
        recipient: 'a@example.test',
        action: 'failed',
        status: '5.1.1',
        diagnostic: 'smtp; 550 5.1.1 no such user',
        permanent: true,
      },
      { recipient: 'b@example.test', action: 'delayed', status: '4.4.1', diagnostic: null, permanent: false },
      {
        recipient: 'c@example.test',
        action: 'failed',
        status: '4.4.7',
        diagnostic: 'X-Postfix; delivery temporarily suspended',
        permanent: false,
      },
    ]);
  });
});

describe('parseBounce', () => {
  it('finds the failed message id in returned headers (text/rfc822-headers)', async () => {
    const mail = await parseMail(
      deliveryReport({
        action: 'failed',
        status: '5.2.2',
        recipient: 'full@example.test',
        originalId: '<out-7@shop.test>',
      }),
      { maxAttachmentBytes: 1e6 },
    );
    const report = parseBounce(mail);
    expect(report).toMatchObject({ failed: true, originalMessageId: '<out-7@shop.test>', standard: true });
    expect(describeBounce(report!)).toBe(
      'Delivery to full@example.test failed permanently (5.2.2: smtp; mailbox unavailable).',
    );
  });

  it('finds it in a returned full message (message/rfc822)', async () => {
    const mail = await parseMail(
      deliveryReport({
        action: 'failed',
        status: '5.1.1',
        recipient: 'x@example.test',
        originalId: '<out-8@shop.test>',
        returnedType: 'message/rfc822',
      }),
      { maxAttachmentBytes: 1e6 },
    );
    expect(parseBounce(mail)?.originalMessageId).toBe('<out-8@shop.test>');
    expect(mail.attachments).toEqual([]);
  });

  it('treats a delay notice as a report, not a failure', async () => {
    const mail = await parseMail(
      deliveryReport({
        action: 'delayed',
        status: '4.4.1',
        recipient: 'slow@example.test',
        originalId: '<out-9@shop.test>',
      }),
      { maxAttachmentBytes: 1e6 },
    );
    const report = parseBounce(mail);
    expect(report?.failed).toBe(false);
    expect(describeBounce(report!)).toContain('was delayed (4.4.1');
  });

  it('recognises a mailer daemon’s notice without a machine-readable report', async () => {
    const raw = rawMail(
      [
        ['Return-Path', '<>'],
        ['From', 'MAILER-DAEMON@old.example'],
        ['Subject', 'failure notice'],
        ['Message-ID', '<n1@old.example>'],
      ],
      "Sorry, I couldn't deliver your message.\n\n--- Below this line is a copy of the message.\n\nMessage-ID: <out-10@shop.test>\nSubject: hi\n",
    );
    const report = parseBounce(await parseMail(raw, { maxAttachmentBytes: 1e6 }));
    expect(report).toEqual({ failed: true, recipients: [], originalMessageId: '<out-10@shop.test>', standard: false });
  });

  it('is null for ordinary mail', async () => {
    const raw = rawMail(
      [
        ['From', 'carla@example.test'],
        ['Subject', 'Undelivered parcel'],
        ['Message-ID', '<c1@example.test>'],
      ],
      'Where is it?',
    );
    expect(parseBounce(await parseMail(raw, { maxAttachmentBytes: 1e6 }))).toBeNull();
  });
});
