import { type Client, Events, type Message } from 'discord.js';
import { type ChannelHost, type Logger, reasonOf } from '../../../src/channel/index.ts';
import { backoffDelay } from '../../shared/backoff.ts';
import { factsOf } from '../inbound/facts.ts';
import { IngestQueue } from '../inbound/ingest-queue.ts';
import { toEnvelope } from '../inbound/to-envelope.ts';
import type { DiscordSettings } from '../settings.ts';
import { createGatewayClient } from './client.ts';

/**
 * Holds the bot's one gateway connection. discord.js heartbeats, reconnects
 * and resumes by itself once logged in (a resumed session replays what was
 * dispatched meanwhile); this class only retries a first login that failed,
 * and feeds every message to the core through the ingest queue.
 */
export class GatewayConnection {
  readonly #settings: DiscordSettings;
  readonly #host: ChannelHost;
  readonly #log: Logger;
  readonly #queue: IngestQueue;
  #client: Client | null = null;
  #stopped = false;
  #failures = 0;
  #cancelRetry: (() => void) | null = null;
  /** The login in progress: destroying a discord.js client mid-login makes it reconnect on its own. */
  #login: Promise<void> | null = null;

  constructor(settings: DiscordSettings, host: ChannelHost) {
    this.#settings = settings;
    this.#host = host;
    this.#log = host.log.child({ gateway: 'discord' });
    this.#queue = new IngestQueue(host);
  }

  /** Logs in; resolves after the first attempt, whether it worked or will be retried. */
  async start(): Promise<void> {
    this.#login = this.#connect();
    await this.#login;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#cancelRetry?.();
    this.#queue.stop();
    await this.#login;
    const client = this.#client;
    this.#client = null;
    await client?.destroy();
    await this.#queue.idle();
  }

  /** Resolves once every message received so far was handed to the core (tests). */
  idle(): Promise<void> {
    return this.#queue.idle();
  }

  async #connect(): Promise<void> {
    if (this.#stopped) return;
    const client = createGatewayClient(this.#settings);
    this.#watch(client);
    this.#client = client;
    try {
      await client.login(this.#settings.token);
      this.#failures = 0;
      this.#log.info({ bot: client.user?.id }, 'connected to the Discord gateway');
    } catch (err) {
      if (this.#client === client) this.#client = null;
      await client.destroy().catch(() => {});
      if (this.#stopped) return;
      if ((err as { code?: unknown }).code === 'TokenInvalid') {
        this.#log.error({ err }, 'Discord refused the bot token: fix discord.token; not retrying');
        return;
      }
      this.#failures++;
      const delay = backoffDelay(this.#settings.reconnect, this.#failures);
      this.#log.warn({ err, inMs: delay, attempt: this.#failures }, 'Discord login failed; trying again');
      const cancel = this.#host.clock.after(delay, () => {
        this.#cancelRetry = null;
        this.#login = this.#connect();
      });
      this.#cancelRetry = cancel;
    }
  }

  #watch(client: Client): void {
    client.on(Events.MessageCreate, (m) => this.#onMessage(client, m));
    client.on(Events.ShardResume, (_id, replayed) => this.#log.info({ replayed }, 'Discord gateway session resumed'));
    client.on(Events.ShardReconnecting, () => this.#log.info('Discord gateway reconnecting'));
    client.on(Events.ShardDisconnect, (event) =>
      this.#log.error({ code: event.code }, 'Discord closed the gateway for good; restart after fixing the cause'),
    );
    // discord.js reports trouble as 'error' events; an unheard one would crash the process.
    client.on(Events.ShardError, (err) => this.#log.warn({ err }, 'Discord gateway error'));
    client.on(Events.Error, (err) => this.#log.warn({ err }, 'Discord client error'));
  }

  #onMessage(client: Client, message: Message): void {
    const botId = client.user?.id;
    if (!botId) return;
    try {
      const parsed = toEnvelope(factsOf(message), botId, this.#settings);
      if ('skip' in parsed) {
        this.#log.debug({ messageId: message.id, reason: parsed.skip }, 'Discord message is not a touchpoint');
        return;
      }
      this.#queue.push(parsed.envelope);
    } catch (err) {
      this.#queue.keep(message.id, reasonOf(err), JSON.stringify({ id: message.id, content: message.content }));
    }
  }
}
