import { type HeaderLine, headerValue, headerValues } from './headers.ts';

/**
 * Machine-sent mail that must never get an automatic answer: vacation
 * replies, receipts, mailing lists and bulk mail, mailer daemons. Returns the
 * reasons found (empty for mail a person wrote), so logs and audits can say why.
 */
export function autoReplyReasons(headers: readonly HeaderLine[], fromAddress: string | null): string[] {
  const reasons: string[] = [];
  const autoSubmitted = headerValue(headers, 'auto-submitted');
  if (autoSubmitted !== null && !/^no\b/i.test(autoSubmitted)) reasons.push(`Auto-Submitted: ${autoSubmitted}`);

  const suppress = headerValue(headers, 'x-auto-response-suppress');
  if (suppress !== null && /(^|[\s,])(DR|AutoReply|All)($|[\s,])/i.test(suppress)) {
    reasons.push(`X-Auto-Response-Suppress: ${suppress}`);
  }

  const list = headers.find((h) => h.name.startsWith('list-'));
  if (list) reasons.push(`${list.name} header`);

  const precedence = headerValue(headers, 'precedence');
  if (precedence !== null && /^(bulk|junk|list|auto_reply)$/i.test(precedence.trim())) {
    reasons.push(`Precedence: ${precedence}`);
  }

  for (const name of ['x-autoreply', 'x-autorespond']) {
    const v = headerValue(headers, name);
    if (v !== null && !/^no$/i.test(v.trim())) reasons.push(`${name} header`);
  }

  // Dovecot and other delivery agents record the SMTP envelope sender here; a null sender is a notification.
  const returnPaths = headerValues(headers, 'return-path');
  if (returnPaths.some((v) => /^<\s*>$/.test(v.trim()))) reasons.push('Return-Path: <>');
  if (returnPaths.some(isMailerDaemon) || (fromAddress !== null && isMailerDaemon(fromAddress))) {
    reasons.push('sent by MAILER-DAEMON');
  }
  return reasons;
}

function isMailerDaemon(address: string): boolean {
  return /(^|<)\s*mailer-daemon@/i.test(address.trim());
}
