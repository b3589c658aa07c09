import type { AttachmentFiles, ChannelAdapter, ChannelHost, Exclusive, Logger } from '../../src/channel/index.ts';
import { MailboxWatcher } from './inbound/mailbox-watcher.ts';
import { composeReply } from './outbound/compose.ts';
import { createSmtpSender, type SmtpSender } from './outbound/send.ts';
import { readReplyRef } from './reply-ref.ts';
import type { EmailSettings } from './settings.ts';
import { startEmailThread } from './start-thread.ts';
import { parseThreadKey } from './thread-key.ts';

/**
 * The email channel: IMAP mailboxes in (one watcher each), SMTP out through
 * one pooled transport. Threads are keyed by sender and thread token.
 */
export function createEmailAdapter(settings: EmailSettings, log: Logger): ChannelAdapter {
  let sender: SmtpSender | null = null;
  let held: Exclusive[] = [];
  /** Signed one-click unsubscribe links, once the router serves them (List-Unsubscribe on marketing mail). */
  let unsubscribe: ChannelHost['unsubscribe'];
  let files: AttachmentFiles | null = null;
  const smtp = (): SmtpSender => {
    sender ??= createSmtpSender(settings.smtp, log);
    return sender;
  };
  return {
    channel: 'email',
    async checkCredentials() {
      try {
        await smtp().verify();
        return `SMTP ${settings.smtp.host}:${settings.smtp.port}`;
      } catch (err) {
        throw new Error(
          `SMTP login to ${settings.smtp.host}:${settings.smtp.port} failed (${(err as Error).message}): check channels.email.smtp host, port, user and pass`,
        );
      }
    },
    capabilities: {
      threads: true,
      privateReply: false,
      attachments: true,
      richParts: false,
      maxTextLength: null,
      // A resend after a crash carries the same Message-ID, which mail clients and archives recognise.
      idempotentSend: true,
      // In-Reply-To and References name the thread's earlier mails.
      references: true,
    },
    // Mail to one person: one at a time, a second apart; the pool's own rate caps the whole channel.
    rateLimit: { minTimeMs: 1_000, maxConcurrent: 1, channelPerSecond: settings.smtp.rateLimit },
    // Each mailbox is watched by one router instance at a time (IDLE twice would read every mail twice).
    async start(host: ChannelHost) {
      unsubscribe = host.unsubscribe;
      files = host.files ?? null;
      held = await Promise.all(
        settings.mailboxes.map((m) => {
          let watcher: MailboxWatcher | null = null;
          return host.exclusive(`mailbox:${m.imap.user}@${m.imap.host}:${m.imap.port}/${m.mailbox}`, {
            start: async () => {
              watcher = new MailboxWatcher(m, settings, host);
              await watcher.start();
            },
            stop: async () => {
              await watcher?.stop();
              watcher = null;
            },
          });
        }),
      );
    },
    async stop() {
      await Promise.all(held.map((h) => h.release()));
      held = [];
      sender?.close();
      sender = null;
    },
    destination(threadKey, replyRef) {
      const to = readReplyRef(replyRef)?.to ?? parseThreadKey(threadKey)?.sender ?? threadKey;
      return to.toLowerCase();
    },
    startThread: startEmailThread,
    async send(msg) {
      const contents = await Promise.all((msg.attachments ?? []).map((a) => files?.read(a) ?? null));
      const mail = composeReply(msg, settings, contents, unsubscribe);
      const messageId = await smtp().send(mail);
      return { providerId: messageId, status: 'sent' };
    },
  };
}
