import { type App, type Logger as BoltLogger, type ReceiverEvent, SocketModeReceiver } from '@slack/bolt';
import type { Logger } from '../../../src/channel/index.ts';
import { dispatch, eventIdOf, RecentEvents } from './dispatch.ts';

/**
 * Bolt's Socket Mode receiver with the acknowledgement rules of our HTTP one
 * (dispatch.ts): Bolt alone acknowledges an event's envelope before its
 * listeners run, so a customer message could be lost in a crash; here the
 * envelope is acknowledged once the message is stored, and a failed event is
 * not acknowledged at all, so Slack delivers it again. `apiUrl` points its
 * `apps.connections.open` call at the configured Web API.
 */
export class SocketReceiver extends SocketModeReceiver {
  readonly #log: Logger;
  readonly #ackTimeoutMs: number;
  readonly #seen = new RecentEvents();

  constructor(o: { appToken: string; apiUrl?: string; logger: BoltLogger; log: Logger; ackTimeoutMs?: number }) {
    super({
      appToken: o.appToken,
      logger: o.logger,
      ...(o.apiUrl ? { installerOptions: { clientOptions: { slackApiUrl: o.apiUrl } } } : {}),
      // A failed event is left unacknowledged: Slack sends it again.
      processEventErrorHandler: async () => false,
    });
    this.#log = o.log;
    this.#ackTimeoutMs = o.ackTimeoutMs ?? 2_500;
  }

  override init(app: App): void {
    super.init({ processEvent: (event: ReceiverEvent) => this.#process(app, event) } as unknown as App);
  }

  async #process(app: App, event: ReceiverEvent): Promise<void> {
    const eventId = eventIdOf(event.body);
    if (eventId && this.#seen.has(eventId)) {
      await event.ack();
      return;
    }
    if (eventId) this.#seen.add(eventId);
    const outcome = await dispatch(app, event, { eventId, ackTimeoutMs: this.#ackTimeoutMs, log: this.#log });
    if (!outcome.ok) {
      this.#log.error({ err: outcome.err, eventId }, 'handling a Slack request failed; Slack will deliver it again');
      if (eventId) this.#seen.forget(eventId);
      throw outcome.err;
    }
    await event.ack(outcome.body);
  }
}
