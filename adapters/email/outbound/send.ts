import { createTransport, type NodemailerError, type SendMailOptions } from 'nodemailer';
import { type Logger, permanent, type SendError, transient } from '../../../src/channel/index.ts';
import type { SmtpSettings } from '../settings.ts';

export interface SmtpSender {
  /** Sends one mail; resolves with the Message-ID the server accepted. Throws SendError. */
  send(mail: SendMailOptions): Promise<string>;
  /** Connects and logs in once (the credential check). */
  verify(): Promise<void>;
  close(): void;
}

/** One pooled SMTP transport per adapter: connections are reused, and the pool keeps to `rateLimit` per second. */
export function createSmtpSender(s: SmtpSettings, log: Logger): SmtpSender {
  const transport = createTransport({
    pool: true,
    host: s.host,
    port: s.port,
    secure: s.secure,
    ignoreTLS: s.ignoreTLS,
    ...(s.user !== undefined && s.pass !== undefined ? { auth: { user: s.user, pass: s.pass } } : {}),
    maxConnections: s.maxConnections,
    rateLimit: s.rateLimit,
    rateDelta: 1_000,
    connectionTimeout: 30_000,
    greetingTimeout: 15_000,
    socketTimeout: 60_000,
  });
  transport.on('error', (err: unknown) => log.warn({ err }, 'SMTP pool error'));
  return {
    async send(mail) {
      try {
        const info = await transport.sendMail(mail);
        return info.messageId;
      } catch (err) {
        throw smtpSendError(err);
      }
    },
    async verify() {
      await transport.verify();
    },
    close() {
      transport.close();
    },
  };
}

/**
 * What the outbox should do about an SMTP failure: a 5xx reply refuses the
 * message for good, a 4xx asks to try later, and a failed connection is
 * always worth another try. Failed authentication is a configuration problem
 * that an operator fixes, so it is retried too rather than dropping mail.
 */
export function smtpSendError(err: unknown): SendError {
  const e = (err ?? {}) as NodemailerError;
  const message = err instanceof Error ? err.message : String(err);
  const code = typeof e.responseCode === 'number' ? e.responseCode : null;
  if (e.code === 'EAUTH' || e.code === 'ENOAUTH') {
    return transient(`SMTP authentication failed (check smtp.user and smtp.pass): ${message}`, err, code ?? e.code);
  }
  if (code !== null) {
    // 503 is a broken command sequence on our side of the conversation, not a verdict on the message.
    if (code >= 500 && code !== 503)
      return permanent(`SMTP server refused the message: ${e.response ?? message}`, code, err);
    return transient(`SMTP server deferred the message: ${e.response ?? message}`, err, code);
  }
  if (e.code === 'EENVELOPE' || e.code === 'EMESSAGE' || e.code === 'EMAXRECIPIENTS' || e.code === 'EURLACCESS') {
    return permanent(`the message cannot be sent: ${message}`, e.code, err);
  }
  return transient(`SMTP unavailable: ${message}`, err, e.code);
}
