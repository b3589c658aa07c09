import { ImapFlow } from 'imapflow';
import type { ChannelHost, Logger } from '../../../src/channel/index.ts';
import { backoffDelay, CancellableWait } from '../../shared/backoff.ts';
import type { EmailSettings, MailboxSettings } from '../settings.ts';
import { checkpointKey, checkpointStore } from './checkpoint.ts';
import { drainMailbox } from './drain.ts';

/** IDLE is restarted this often: servers may drop an IDLE after 30 minutes (RFC 2177). */
const IDLE_RESTART_MS = 10 * 60_000;
/** How long stop() waits for the message in hand before closing the connection anyway. */
const STOP_GRACE_MS = 10_000;

/**
 * Holds one IMAP connection to one mailbox: reads what arrived since the
 * checkpoint, then IDLEs until the server reports new mail, and reads again.
 * imapflow does not reconnect, so every connection loss ends the session and
 * a new client is made after a back-off; every session starts with a
 * catch-up from the checkpoint, so mail that arrived meanwhile is not lost.
 */
export class MailboxWatcher {
  readonly #mailbox: MailboxSettings;
  readonly #settings: EmailSettings;
  readonly #host: ChannelHost;
  readonly #log: Logger;
  readonly #label: string;
  #stopped = false;
  #client: ImapFlow | null = null;
  /** Set when the server reported new mail; the session reads again before the next IDLE. */
  #pending = false;
  #idling = false;
  #failures = 0;
  readonly #waits: CancellableWait;
  #loop: Promise<void> | null = null;

  constructor(mailbox: MailboxSettings, settings: EmailSettings, host: ChannelHost) {
    this.#mailbox = mailbox;
    this.#settings = settings;
    this.#host = host;
    this.#waits = new CancellableWait(host.clock);
    this.#label = `${mailbox.imap.user}@${mailbox.imap.host}/${mailbox.mailbox}`;
    this.#log = host.log.child({ mailbox: this.#label });
  }

  /** Starts watching; resolves after the first connection attempt, whether it worked or will be retried. */
  start(): Promise<void> {
    return new Promise((firstAttempt) => {
      this.#loop = this.#run(firstAttempt);
    });
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#waits.cancel();
    this.#wake();
    if (!this.#loop) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const grace = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), STOP_GRACE_MS);
    });
    if ((await Promise.race([this.#loop, grace])) === 'timeout') {
      this.#log.warn('mailbox session did not end in time: closing its connection');
      this.#client?.close();
      await this.#loop;
    }
    clearTimeout(timer);
  }

  async #run(firstAttempt: () => void): Promise<void> {
    while (!this.#stopped) {
      try {
        await this.#session(firstAttempt);
      } catch (err) {
        this.#log.warn({ err }, 'mailbox session failed');
      }
      firstAttempt();
      if (this.#stopped) break;
      this.#failures++;
      const delay = backoffDelay(this.#settings.reconnect, this.#failures);
      this.#log.info({ inMs: delay, attempt: this.#failures }, 'reconnecting to the mailbox');
      await this.#waits.wait(delay);
    }
  }

  async #session(connected: () => void): Promise<void> {
    const { imap } = this.#mailbox;
    const client = new ImapFlow({
      host: imap.host,
      port: imap.port,
      secure: imap.secure,
      auth: { user: imap.user, pass: imap.pass },
      logger: imapLogger(this.#log),
      disableAutoIdle: true,
      maxIdleTime: IDLE_RESTART_MS,
      connectionTimeout: 30_000,
      greetingTimeout: 15_000,
    });
    // imapflow reports connection trouble as 'error' events; an unheard one would crash the process.
    client.on('error', (err: unknown) => this.#log.warn({ err }, 'IMAP connection error'));
    client.on('exists', () => this.#wake());
    this.#client = client;
    try {
      await client.connect();
      if (this.#mailbox.onProcessed === 'move' && this.#mailbox.moveTo)
        await ensureFolder(client, this.#mailbox.moveTo);
      await client.mailboxOpen(this.#mailbox.mailbox);
      this.#failures = 0;
      this.#log.info('watching mailbox');
      connected();
      const checkpoints = checkpointStore(this.#host.state, checkpointKey(this.#mailbox));
      while (!this.#stopped && client.usable) {
        this.#pending = false;
        const stored = await drainMailbox({
          client,
          mailbox: this.#mailbox,
          label: this.#label,
          checkpoints,
          ingest: (e) => this.#host.ingest(e),
          keepUnreadable: (reason, source) => this.#host.keepUnreadable(reason, source),
          ourAddress: this.#settings.address.toLowerCase(),
          maxAttachmentBytes: this.#settings.maxAttachmentBytes,
          files: this.#host.files,
          maxMessageBytes: this.#settings.maxMessageBytes,
          log: this.#log,
          shouldStop: () => this.#stopped,
        });
        if (stored > 0) this.#log.debug({ stored }, 'mailbox read');
        if (this.#pending || this.#stopped) continue;
        this.#idling = true;
        try {
          await client.idle();
        } finally {
          this.#idling = false;
        }
        if (client.usable && !client.mailbox) throw new Error('the server closed the mailbox');
      }
    } finally {
      this.#client = null;
      await closeClient(client);
    }
  }

  /** New mail (or stop): end IDLE so the session loop reads again. Any command breaks IDLE; NOOP is the cheapest. */
  #wake(): void {
    this.#pending = true;
    const client = this.#client;
    if (this.#idling && client?.usable) client.noop().catch(() => {});
  }
}

async function ensureFolder(client: ImapFlow, path: string): Promise<void> {
  const list = await client.list();
  if (list.some((m) => m.path === path)) return;
  await client.mailboxCreate(path);
}

async function closeClient(client: ImapFlow): Promise<void> {
  if (!client.usable) {
    client.close();
    return;
  }
  try {
    await client.logout();
  } catch {
    client.close();
  }
}

/** imapflow logs every command at debug/info: only its warnings and errors reach our log. */
function imapLogger(log: Logger) {
  const quiet = () => {};
  return {
    debug: quiet,
    info: quiet,
    warn: (obj: unknown) => log.warn({ imap: obj }, 'imap'),
    error: (obj: unknown) => log.error({ imap: obj }, 'imap'),
  };
}
