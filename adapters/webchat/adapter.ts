import {
  type ChannelAdapter,
  type ChannelCapabilities,
  type ChannelHost,
  CorsPolicy,
  IpRateLimit,
  type Logger,
  type OutboundMessage,
  type RateLimit,
  type SendResult,
  transient,
} from '../../src/channel/index.ts';
import { LiveClients } from './live.ts';
import { registerWebchatPages } from './page-routes.ts';
import { registerWebchatApi } from './routes.ts';
import { VisitorTokens } from './session.ts';
import { type WebchatSettings, windowMs } from './settings.ts';
import { visitorOf } from './thread.ts';
import { UPLOAD_TYPES } from './upload.ts';
import { isVisible, viewOfMessage, viewOfOutbound } from './view.ts';

/** Idle event streams get a comment this often, so proxies do not cut them. */
const KEEPALIVE_MS = 25_000;

/**
 * The web chat: a page and an embeddable widget on our own server. Visitors
 * post messages over HTTP and receive replies over server-sent events; the
 * store's thread history covers whatever a browser missed.
 */
export class WebchatAdapter implements ChannelAdapter {
  readonly channel = 'webchat';
  readonly capabilities: ChannelCapabilities = {
    threads: true,
    privateReply: false,
    // Agents' photos and PDFs show in the chat like the visitor's own (view.ts).
    attachments: true,
    fileLimits: { maxBytes: 25 * 1024 * 1024, types: [...UPLOAD_TYPES] },
    // Choice questions show as buttons (view.ts, chat-script.ts).
    richParts: true,
    maxTextLength: null,
    // The API refuses a longer message itself, by its own setting (maxMessageLength).
    maxInboundText: null,
    // The page keys messages by id, so a resend after a crash shows once.
    idempotentSend: true,
  };
  readonly rateLimit: RateLimit = { minTimeMs: 0, maxConcurrent: 4 };
  readonly #settings: WebchatSettings;
  readonly #log: Logger;
  readonly #live = new LiveClients();
  #host: ChannelHost | null = null;
  #stopListening: (() => void) | null = null;
  #cancelPing: (() => void) | null = null;

  constructor(settings: WebchatSettings, deps: { log: Logger }) {
    this.#settings = settings;
    this.#log = deps.log;
  }

  async start(host: ChannelHost): Promise<void> {
    this.#host = host;
    const tokens = await VisitorTokens.load(host.state);
    const cors = new CorsPolicy(this.#settings.allowedOrigins);
    const limiter = new IpRateLimit({
      max: this.#settings.ipRateLimit.max,
      windowMs: windowMs(this.#settings),
      clock: host.clock,
    });
    registerWebchatPages(host.routes, this.#settings, cors);
    registerWebchatApi(host.routes, { settings: this.#settings, host, tokens, live: this.#live, limiter, cors });
    this.#stopListening = host.onMessage((threadKey, message) => {
      const visitorId = visitorOf(threadKey);
      if (visitorId && isVisible(message)) this.#live.push(visitorId, viewOfMessage(message, visitorId, host.files));
    });
    const ping = () => {
      this.#live.ping();
      this.#cancelPing = host.clock.after(KEEPALIVE_MS, ping);
    };
    this.#cancelPing = host.clock.after(KEEPALIVE_MS, ping);
    this.#log.info({ url: `${host.publicUrl}/chat` }, 'web chat ready');
  }

  async stop(): Promise<void> {
    this.#stopListening?.();
    this.#cancelPing?.();
    this.#stopListening = null;
    this.#cancelPing = null;
    this.#live.closeAll();
  }

  destination(threadKey: string): string {
    return visitorOf(threadKey) ?? threadKey;
  }

  /** Pushes to the visitor's open pages; the message is already stored, so a closed page finds it in the history. */
  async send(message: OutboundMessage): Promise<SendResult> {
    const host = this.#host;
    if (!host) throw transient('the web chat is not started');
    const visitorId = visitorOf(message.threadKey);
    const delivered = visitorId ? this.#live.push(visitorId, viewOfOutbound(message, host.clock.now(), host.files)) : 0;
    return { providerId: message.messageId, status: delivered > 0 ? 'delivered' : 'sent' };
  }
}
