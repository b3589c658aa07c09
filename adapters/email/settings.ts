import { z } from 'zod';
import { reconnectSettings } from '../shared/backoff.ts';

/**
 * The `email:` block of config/channels.yaml. Secrets are written as
 * `${ENV_VAR}`: the loader resolves them before this schema sees the strings.
 */

const port = z.number().int().min(1).max(65535);

const imapSettings = z
  .object({
    host: z.string().min(1),
    port: port.default(993),
    secure: z.boolean().default(true).describe('TLS from the start (993); false uses STARTTLS when offered'),
    user: z.string().min(1),
    pass: z.string().min(1).describe('A secret: write it as a reference to an environment variable'),
  })
  .strict();

const mailboxSettings = z
  .object({
    imap: imapSettings,
    mailbox: z.string().min(1).default('INBOX'),
    onProcessed: z
      .enum(['flag', 'move'])
      .default('flag')
      .describe('What happens to a message once it is stored: add `flag`, or move it to `moveTo`'),
    flag: z
      .string()
      .regex(/^\\?[A-Za-z$][\w$.-]*$/, 'an IMAP flag such as \\Seen or a keyword such as $Touchpoint')
      .default('\\Seen'),
    moveTo: z.string().min(1).optional().describe('Folder processed messages are moved to (created when missing)'),
  })
  .strict()
  .refine((m) => m.onProcessed !== 'move' || m.moveTo !== undefined, {
    message: 'moveTo is required when onProcessed is move',
    path: ['moveTo'],
  });

const smtpSettings = z
  .object({
    host: z.string().min(1),
    port: port.default(587),
    secure: z.boolean().default(false).describe('TLS from the start (465); false uses STARTTLS when offered'),
    user: z.string().min(1).optional(),
    pass: z.string().min(1).optional().describe('A secret: write it as a reference to an environment variable'),
    ignoreTLS: z.boolean().default(false).describe('Never upgrade with STARTTLS (local test servers only)'),
    maxConnections: z.number().int().min(1).max(50).default(3),
    rateLimit: z.number().int().min(1).default(5).describe('Messages per second across the connection pool'),
  })
  .strict()
  .refine((s) => (s.user === undefined) === (s.pass === undefined), {
    message: 'give both user and pass, or neither',
    path: ['pass'],
  });

const domain = z
  .string()
  .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/i, 'a domain such as shop.example');

export const emailSettings = z
  .object({
    address: z
      .email('an email address such as support@shop.example')
      .describe('The address customers write to and replies come from'),
    displayName: z.string().default('').describe('Name shown with the address, e.g. "Acme Support"'),
    mailboxes: z.array(mailboxSettings).min(1).describe('IMAP mailboxes to watch'),
    smtp: smtpSettings,
    maxAttachmentBytes: z
      .number()
      .int()
      .positive()
      .default(10 * 1024 * 1024),
    maxMessageBytes: z
      .number()
      .int()
      .positive()
      .default(25 * 1024 * 1024)
      .describe('Larger messages are stored with their headers only'),
    plusAddressing: z
      .boolean()
      .default(false)
      .describe('Reply-To carries a thread token (support+token@…); the mail server must accept plus addresses'),
    messageIdDomain: domain.optional().describe('Domain of our Message-IDs; defaults to the address domain'),
    reconnect: reconnectSettings('Back-off between IMAP reconnect attempts'),
  })
  .strict();

export type EmailSettings = z.infer<typeof emailSettings>;
export type MailboxSettings = EmailSettings['mailboxes'][number];
export type SmtpSettings = EmailSettings['smtp'];
