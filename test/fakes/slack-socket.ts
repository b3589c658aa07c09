import { randomBytes, randomUUID } from 'node:crypto';
import type { Server as HttpServer } from 'node:http';
import { WebSocket, WebSocketServer } from 'ws';

/**
 * Slack's Socket Mode, for @slack/socket-mode: `apps.connections.open` (on
 * the fake Web API, with the app-level token) hands out a one-time WebSocket
 * URL; the connection opens with a `hello`; requests arrive as envelopes
 * (`events_api`, `interactive`, `slash_commands`) with an `envelope_id`,
 * which the app acknowledges by sending `{envelope_id, payload}` back. An
 * envelope left unacknowledged is what Slack would deliver again
 * (`redeliver`, with `retry_attempt` counting up).
 */

export type EnvelopeType = 'events_api' | 'interactive' | 'slash_commands';

interface Envelope {
  envelope_id: string;
  type: EnvelopeType;
  payload: Record<string, unknown>;
  accepts_response_payload: boolean;
  retry_attempt: number;
  retry_reason: string;
}

export class FakeSocketMode {
  /** Acknowledgements received: envelope id → the payload sent with it. */
  readonly acks = new Map<string, unknown>();
  /** Connections opened with a valid ticket. */
  connections = 0;
  readonly #wss: WebSocketServer;
  readonly #tickets = new Set<string>();
  readonly #sent = new Map<string, Envelope>();
  #socket: WebSocket | null = null;
  #waiters: Array<() => boolean> = [];

  constructor(server: HttpServer) {
    this.#wss = new WebSocketServer({ server, path: '/link/' });
    this.#wss.on('connection', (socket, req) => this.#accept(socket, new URL(req.url ?? '/', 'ws://x')));
  }

  /** A one-time URL for `apps.connections.open`, on the fake's own port. */
  openUrl(httpBase: string): string {
    const ticket = randomUUID();
    this.#tickets.add(ticket);
    return `${httpBase.replace(/^http/, 'ws')}/link/?ticket=${ticket}&app_id=${randomBytes(8).toString('hex')}`;
  }

  get connected(): boolean {
    return this.#socket?.readyState === WebSocket.OPEN;
  }

  /** Sends one envelope to the connected app; returns its id. */
  send(type: EnvelopeType, payload: Record<string, unknown>): string {
    const envelope: Envelope = {
      envelope_id: randomUUID(),
      type,
      payload,
      accepts_response_payload: type !== 'events_api',
      retry_attempt: 0,
      retry_reason: '',
    };
    this.#sent.set(envelope.envelope_id, envelope);
    this.#write(envelope);
    return envelope.envelope_id;
  }

  /** Sends an unacknowledged envelope again, as Slack does after its timeout. */
  redeliver(envelopeId: string): void {
    const earlier = this.#sent.get(envelopeId);
    if (!earlier || this.acks.has(envelopeId)) throw new Error(`envelope ${envelopeId} is not waiting for an ack`);
    const again = { ...earlier, retry_attempt: earlier.retry_attempt + 1, retry_reason: 'timeout' };
    this.#sent.set(envelopeId, again);
    this.#write(again);
  }

  /** Resolves once `check` holds after some socket activity; rejects after `timeoutMs`. */
  until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`fake Socket Mode: timed out waiting for ${what}`)), timeoutMs);
      this.#waiters.push(() => {
        if (!check()) return false;
        clearTimeout(timer);
        resolve();
        return true;
      });
    });
  }

  close(): Promise<void> {
    for (const client of this.#wss.clients) client.terminate();
    return new Promise((resolve) => this.#wss.close(() => resolve()));
  }

  #accept(socket: WebSocket, url: URL): void {
    const ticket = url.searchParams.get('ticket') ?? '';
    if (!this.#tickets.delete(ticket)) {
      socket.close(1008, 'invalid or used ticket');
      return;
    }
    this.connections += 1;
    this.#socket?.terminate();
    this.#socket = socket;
    socket.on('message', (data) => this.#receive(String(data)));
    socket.on('close', () => this.#changed());
    socket.send(
      JSON.stringify({
        type: 'hello',
        num_connections: 1,
        debug_info: { host: 'fake-slack', build_number: 1, approximate_connection_time: 18060 },
        connection_info: { app_id: url.searchParams.get('app_id') },
      }),
    );
    this.#changed();
  }

  #receive(text: string): void {
    let message: { envelope_id?: unknown; payload?: unknown };
    try {
      message = JSON.parse(text) as typeof message;
    } catch {
      return;
    }
    const id = typeof message.envelope_id === 'string' ? message.envelope_id : null;
    if (id && this.#sent.has(id) && !this.acks.has(id)) this.acks.set(id, message.payload ?? null);
    this.#changed();
  }

  #write(envelope: Envelope): void {
    if (!this.connected) throw new Error('fake Socket Mode: no app is connected');
    this.#socket?.send(JSON.stringify(envelope));
  }

  #changed(): void {
    this.#waiters = this.#waiters.filter((settled) => !settled());
  }
}
