import type { SendMailOptions } from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer';

/** A raw message from header pairs and a body, with CRLF line ends as on the wire. */
export function rawMail(headers: [string, string][], body: string): Buffer {
  const head = headers.map(([k, v]) => `${k}: ${v}`).join('\r\n');
  return Buffer.from(`${head}\r\n\r\n${body.replace(/\r?\n/g, '\r\n')}`);
}

/** A raw message built the way a mail client builds it (MIME parts, encodings). */
export function composedMail(options: SendMailOptions): Promise<Buffer> {
  return new MailComposer(options).compile().build();
}

/** A delivery report as MTAs write it: prose, machine-readable status, then the returned headers. */
export function deliveryReport(opts: {
  action: string;
  status: string;
  recipient: string;
  originalId: string;
  returnedType?: 'message/rfc822' | 'text/rfc822-headers';
}): Buffer {
  const returned = opts.returnedType ?? 'text/rfc822-headers';
  return rawMail(
    [
      ['Return-Path', '<>'],
      ['From', 'Mail Delivery Subsystem <MAILER-DAEMON@relay.example>'],
      ['To', 'support@shop.test'],
      ['Subject', 'Delivery Status Notification'],
      ['Message-ID', '<dsn-1@relay.example>'],
      ['MIME-Version', '1.0'],
      ['Content-Type', 'multipart/report; report-type=delivery-status; boundary="XYZ"'],
    ],
    [
      '--XYZ',
      'Content-Type: text/plain',
      '',
      'Your message could not be delivered.',
      '',
      '--XYZ',
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; relay.example',
      '',
      `Final-Recipient: rfc822; ${opts.recipient}`,
      `Action: ${opts.action}`,
      `Status: ${opts.status}`,
      'Diagnostic-Code: smtp; mailbox unavailable',
      '',
      '--XYZ',
      `Content-Type: ${returned}`,
      '',
      'From: support@shop.test',
      `To: ${opts.recipient}`,
      'Subject: Re: Your order',
      `Message-ID: ${opts.originalId}`,
      '',
      ...(returned === 'message/rfc822' ? ['Original body.', ''] : []),
      '--XYZ--',
      '',
    ].join('\n'),
  );
}
