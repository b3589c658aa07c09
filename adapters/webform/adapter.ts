import {
  type ChannelAdapter,
  type ChannelCapabilities,
  type ChannelHost,
  CorsPolicy,
  IpRateLimit,
  type OutboundMessage,
  permanent,
  type RateLimit,
  type SendResult,
} from '../../src/channel/index.ts';
import { registerWebformRoutes } from './routes.ts';
import { type WebformSettings, windowMs } from './settings.ts';
import { emailOf } from './thread.ts';

/**
 * Contact forms on the business's site. Inbound only: a form gives an
 * (unverified) email address, and answering it is the email channel's job,
 * so `send` refuses every message for the outbox to dead-letter visibly.
 */
export class WebformAdapter implements ChannelAdapter {
  readonly channel = 'webform';
  readonly capabilities: ChannelCapabilities = {
    threads: false,
    privateReply: false,
    attachments: false,
    richParts: false,
    maxTextLength: null,
    idempotentSend: false,
    replyVia: 'email',
  };
  readonly rateLimit: RateLimit = { minTimeMs: 0, maxConcurrent: 1 };
  readonly #settings: WebformSettings;

  constructor(settings: WebformSettings) {
    this.#settings = settings;
  }

  async start(host: ChannelHost): Promise<void> {
    const limiter = new IpRateLimit({
      max: this.#settings.ipRateLimit.max,
      windowMs: windowMs(this.#settings),
      clock: host.clock,
    });
    registerWebformRoutes(host.routes, {
      settings: this.#settings,
      host,
      limiter,
      cors: new CorsPolicy(this.#settings.allowedOrigins),
    });
  }

  async stop(): Promise<void> {}

  destination(threadKey: string): string {
    return emailOf(threadKey) ?? threadKey;
  }

  async send(_message: OutboundMessage): Promise<SendResult> {
    throw permanent('web form has no reply channel yet; configure the email channel');
  }
}
