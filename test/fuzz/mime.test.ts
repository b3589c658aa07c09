import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseMail } from '../../adapters/email/inbound/parse.ts';
import { toEnvelope } from '../../adapters/email/inbound/to-envelope.ts';
import { checkEnvelope } from '../../src/pipeline/ingest.ts';
import { FUZZ } from './support.ts';

/**
 * The MIME parser on mail of every shape: bytes at random, and messages with
 * headers, boundaries, encodings and charsets that are nearly right. Every
 * message becomes an envelope the core accepts, so a mailbox never stalls.
 */
const token = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.constantFrom(
    'From: Ada <ada@example.com>',
    'From: =?utf-8?B?w6k=?= <x@y>',
    'From: <>',
    'From: ',
    'Message-ID: <1@x>',
    'Message-ID: <',
    'In-Reply-To: <a@b> <c@d',
    'References: <<<>>>',
    'Subject: =?bogus?Q?=ZZ?=',
    'Content-Type: multipart/mixed; boundary="b"',
    'Content-Type: multipart/report; report-type=delivery-status; boundary=b',
    'Content-Type: text/plain; charset=x-unknown',
    'Content-Type: text/html',
    'Content-Transfer-Encoding: base64',
    'Content-Transfer-Encoding: quoted-printable',
    'Content-Disposition: attachment; filename="a.txt"',
    '--b',
    '--b--',
    '',
    '=E9=',
    '////',
    '> quoted',
    '<b>bold</b>',
    'Auto-Submitted: auto-replied',
    'Status: 5.1.1',
    'Final-Recipient: rfc822; x@y',
  ),
);

const mail = fc.oneof(
  fc.uint8Array({ maxLength: 400 }).map((b) => Buffer.from(b)),
  fc.array(token, { maxLength: 30 }).map((lines) => Buffer.from(lines.join('\r\n'))),
);

describe('fuzzing the MIME parser', () => {
  it('turns any mail into an envelope the core accepts', async () => {
    await fc.assert(
      fc.asyncProperty(mail, async (source) => {
        const parsed = await parseMail(source, { maxAttachmentBytes: 1_000 });
        const envelope = toEnvelope(parsed, 'support@shop.test', {
          mailbox: 'support@shop.test/INBOX',
          uid: 1,
          uidValidity: '1',
        });
        expect(() => checkEnvelope({ ...envelope, channel: 'email' })).not.toThrow();
      }),
      { ...FUZZ, numRuns: 300 },
    );
  });
});
