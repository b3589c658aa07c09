import { normalizeMessageId } from '../message-ids.ts';
import { headerValue, parseHeaderBlock } from './headers.ts';
import type { InboundMail } from './parse.ts';

/**
 * Delivery reports (RFC 3464): which recipients failed, how, and which of our
 * messages it was. A report whose recipients were only delayed is a warning,
 * not a failure: the mail system is still trying.
 */

export interface BounceRecipient {
  recipient: string;
  /** failed, delayed, delivered, relayed or expanded. */
  action: string;
  /** Enhanced status code, e.g. 5.1.1; 5.x.x is permanent, 4.x.x transient. */
  status: string | null;
  diagnostic: string | null;
  permanent: boolean;
}

export interface BounceReport {
  /** True when delivery to at least one recipient is over (Action: failed). */
  failed: boolean;
  recipients: BounceRecipient[];
  /** The Message-ID of the message the report is about, when it could be found. */
  originalMessageId: string | null;
  /** False for a mailer-daemon message without a machine-readable report. */
  standard: boolean;
}

const NON_STANDARD_SUBJECT =
  /undeliver|undelivered|delivery (status notification|failure|has failed|failed)|mail delivery failed|failure notice|returned mail|unzustellbar|non remis|non recapitabile/i;

export function parseBounce(mail: InboundMail): BounceReport | null {
  const isReport =
    mail.contentType === 'multipart/report' &&
    (mail.reportType === 'delivery-status' || mail.reportType === 'global-delivery-status');
  if (isReport && mail.report.deliveryStatus !== null) {
    const recipients = parseDeliveryStatus(mail.report.deliveryStatus);
    return {
      failed: recipients.some((r) => r.action === 'failed'),
      recipients,
      originalMessageId: originalMessageId(mail),
      standard: true,
    };
  }
  if (looksLikeDaemonNotice(mail)) {
    return { failed: true, recipients: [], originalMessageId: originalMessageId(mail), standard: false };
  }
  return null;
}

/** The per-recipient groups of a message/delivery-status body. */
export function parseDeliveryStatus(body: string): BounceRecipient[] {
  const groups = body.replace(/\r\n?/g, '\n').split(/\n[ \t]*\n/);
  const out: BounceRecipient[] = [];
  for (const group of groups) {
    const fields = parseHeaderBlock(group);
    const recipient = headerValue(fields, 'final-recipient') ?? headerValue(fields, 'original-recipient');
    const action = headerValue(fields, 'action');
    if (recipient === null || action === null) continue;
    const status = /\b([245])\.\d{1,3}\.\d{1,3}\b/.exec(headerValue(fields, 'status') ?? '')?.[0] ?? null;
    const normalizedAction = action.trim().toLowerCase();
    out.push({
      recipient: addressPart(recipient),
      action: normalizedAction,
      status,
      diagnostic: headerValue(fields, 'diagnostic-code'),
      permanent: normalizedAction === 'failed' && (status === null || status.startsWith('5')),
    });
  }
  return out;
}

/** `rfc822; user@example.com` → `user@example.com`. */
function addressPart(field: string): string {
  const semi = field.indexOf(';');
  return (semi < 0 ? field : field.slice(semi + 1)).trim().replace(/^<|>$/g, '').toLowerCase();
}

function looksLikeDaemonNotice(mail: InboundMail): boolean {
  const returnPath = headerValue(mail.headers, 'return-path');
  const nullSender = returnPath !== null && /^<\s*>$/.test(returnPath.trim());
  const daemon = mail.from !== null && /^(mailer-daemon|postmaster)@/i.test(mail.from.address);
  return (nullSender || daemon) && NON_STANDARD_SUBJECT.test(mail.subject);
}

/**
 * The failed message's Message-ID: from the returned headers when the report
 * has them, else from headers quoted in the text, else from the report's own
 * In-Reply-To (some systems set it).
 */
function originalMessageId(mail: InboundMail): string | null {
  if (mail.report.originalHeaders !== null) {
    const id = normalizeMessageId(headerValue(parseHeaderBlock(mail.report.originalHeaders), 'message-id'));
    if (id) return id;
  }
  for (const m of mail.text.matchAll(/^[ \t]*Message-ID:\s*(<[^<>\s]+>)/gim)) {
    const id = m[1] as string;
    if (id !== mail.messageId) return id;
  }
  return mail.inReplyTo[0] ?? null;
}

/** One line a person can read: "Delivery to a@b failed permanently (5.1.1: …)". */
export function describeBounce(report: BounceReport): string {
  if (report.recipients.length === 0) return 'Delivery failed (the report gives no details).';
  return report.recipients
    .map((r) => {
      const how =
        r.action === 'failed' ? (r.permanent ? 'failed permanently' : 'failed (transient cause)') : `was ${r.action}`;
      const why = [r.status, r.diagnostic].filter(Boolean).join(': ');
      return `Delivery to ${r.recipient} ${how}${why ? ` (${why})` : ''}.`;
    })
    .join('\n');
}
