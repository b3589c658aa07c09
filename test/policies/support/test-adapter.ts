import type {
  ChannelAdapter,
  ChannelCapabilities,
  SendResult,
  StartedThread,
  StartThreadRequest,
} from '../../../src/channel/contract.ts';
import type { OutboundMessage } from '../../../src/model/types.ts';

/**
 * A channel that declares what it can do, for policy tests: whether it offers
 * a private reply to a public post, which identity kind it can start a thread
 * with (none: it cannot message first), and what kind of touchpoint that
 * thread is. Sends succeed and are recorded.
 */
export interface TestChannel {
  channel: string;
  /** The identity kind this channel reaches (`social`, `email`, `phone`); null: it never starts threads. */
  reaches: string | null;
  privateReply?: boolean;
  /** Touchpoint kind of the threads it starts. */
  startsKind?: string;
}

export class PolicyTestAdapter implements ChannelAdapter {
  readonly channel: string;
  readonly capabilities: ChannelCapabilities;
  readonly rateLimit = { minTimeMs: 0, maxConcurrent: 4 };
  readonly sent: OutboundMessage[] = [];
  readonly #def: TestChannel;

  constructor(def: TestChannel) {
    this.#def = def;
    this.channel = def.channel;
    this.capabilities = {
      threads: true,
      privateReply: def.privateReply === true,
      attachments: false,
      richParts: false,
      maxTextLength: null,
      idempotentSend: true,
    };
  }

  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  destination(threadKey: string): string {
    return `to:${threadKey}`;
  }

  startThread(request: StartThreadRequest): StartedThread | null {
    if (this.#def.reaches === null || request.to.kind !== this.#def.reaches) return null;
    const how = request.privateReplyTo ? `reply-to:${request.privateReplyTo.threadKey}` : 'dm';
    return {
      threadKey: `${this.channel}:${how}:${request.to.value}`,
      touchpoint: { channel: this.channel, kind: this.#def.startsKind ?? this.channel, visibility: 'private' },
      replyRef: request.privateReplyTo ? { inReplyToPost: request.privateReplyTo.threadKey } : null,
    };
  }

  async send(message: OutboundMessage): Promise<SendResult> {
    this.sent.push(message);
    return { providerId: `${this.channel}-${this.sent.length}`, status: 'sent' };
  }
}
