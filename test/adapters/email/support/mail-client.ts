import { ImapFlow } from 'imapflow';
import { type ParsedMail, simpleParser } from 'mailparser';
import { createTransport, type SendMailOptions } from 'nodemailer';
import { type EmailSettings, emailSettings } from '../../../../adapters/email/settings.ts';
import type { MailServers } from '../../../support/mail-servers.ts';

/** Email adapter settings pointing at the test servers. */
export function adapterSettings(servers: MailServers, overrides: Record<string, unknown> = {}): EmailSettings {
  return emailSettings.parse({
    address: 'support@shop.test',
    displayName: 'Shop Support',
    mailboxes: [
      {
        imap: {
          host: servers.host,
          port: servers.imapPort,
          secure: false,
          user: 'support@shop.test',
          pass: servers.password('support@shop.test'),
        },
      },
    ],
    smtp: { host: servers.host, port: servers.smtpPort, secure: false, ignoreTLS: true, rateLimit: 50 },
    reconnect: { minDelayMs: 50, maxDelayMs: 400 },
    ...overrides,
  });
}

/** Sends a mail through Postfix as a customer's mail client would. */
export async function sendMail(servers: MailServers, mail: SendMailOptions): Promise<void> {
  const transport = createTransport({ host: servers.host, port: servers.smtpPort, secure: false, ignoreTLS: true });
  try {
    await transport.sendMail(mail);
  } finally {
    transport.close();
  }
}

/** A pooled SMTP client sending through Postfix, as customers' mail clients do under load; close() it when done. */
export function customerTransport(servers: MailServers, maxConnections: number) {
  return createTransport({
    host: servers.host,
    port: servers.smtpPort,
    secure: false,
    ignoreTLS: true,
    pool: true,
    maxConnections,
  });
}

/** A connected IMAP client logged in as `user`, idling only when told to. */
export async function connectImap(servers: MailServers, user: string): Promise<ImapFlow> {
  const client = new ImapFlow({
    host: servers.host,
    port: servers.imapPort,
    secure: false,
    auth: { user, pass: servers.password(user) },
    logger: false,
    disableAutoIdle: true,
  });
  client.on('error', () => {});
  await client.connect();
  return client;
}

/**
 * Waits until `user`'s INBOX holds at least `count` messages (woken by the
 * server's EXISTS notices, not by polling), then returns them all, parsed.
 */
export async function readInbox(
  servers: MailServers,
  user: string,
  count: number,
  timeoutMs = 15_000,
): Promise<ParsedMail[]> {
  const client = await connectImap(servers, user);
  try {
    const box = await client.mailboxOpen('INBOX');
    if (box.exists < count) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`${user}: fewer than ${count} messages after ${timeoutMs} ms`)),
          timeoutMs,
        );
        client.on('exists', (e: { count: number }) => {
          if (e.count < count) return;
          clearTimeout(timer);
          resolve();
          client.noop().catch(() => {});
        });
        client.idle().catch(() => {});
      });
    }
    const out: ParsedMail[] = [];
    for (const m of await client.fetchAll('1:*', { uid: true, source: true }, { uid: true })) {
      if (m.source) out.push(await simpleParser(m.source));
    }
    return out;
  } finally {
    await client.logout().catch(() => client.close());
  }
}
