import type { Server as HttpServer } from 'node:http';
import { WebSocket, WebSocketServer } from 'ws';
import { Intents, KNOWN_INTENTS } from './intents.ts';
import { snowflake } from './snowflake.ts';

/**
 * A small Discord gateway (JSON encoding, no compression): HELLO, heartbeat
 * ACKs, IDENTIFY → READY and the guilds' GUILD_CREATE, dispatches with an
 * increasing sequence, and RESUME → the dispatches after the client's
 * sequence, then RESUMED. Dispatches made while no client is connected are
 * kept for the next resume, as Discord does within a session. IDENTIFY must
 * name valid intents (4013 otherwise), privileged ones only if the app has them
 * enabled (4014); each dispatch is shaped by the session's intents (`shape`).
 */

interface Dispatch {
  s: number;
  t: string;
  d: unknown;
}

export interface GatewayHooks {
  token: string;
  /** READY's `d`, given the new session id and resume URL. */
  ready(sessionId: string, resumeUrl: string): Record<string, unknown>;
  /** GUILD_CREATE payloads sent after READY. */
  guilds(): unknown[];
  /** Privileged intents the app has enabled in the developer portal. */
  privilegedIntents: number;
  /** A dispatch as a session with these intents receives it; null when it receives none. */
  shape(t: string, d: unknown, intents: number): unknown | null;
}

const PRIVILEGED = (1 << 1) | (1 << 8) | Intents.messageContent;

const OP = { dispatch: 0, heartbeat: 1, identify: 2, resume: 6, reconnect: 7, invalidSession: 9, hello: 10, ack: 11 };

export class FakeGateway {
  readonly #wss: WebSocketServer;
  readonly #hooks: GatewayHooks;
  readonly #heartbeatMs: number;
  #url = '';
  #socket: WebSocket | null = null;
  #ready = false;
  #sessionId: string | null = null;
  #seq = 0;
  #intents = 0;
  #log: Dispatch[] = [];
  identifies = 0;
  resumes = 0;
  heartbeats = 0;
  #waiters: { check: () => boolean; resolve: () => void }[] = [];

  constructor(server: HttpServer, hooks: GatewayHooks, heartbeatMs = 2_000) {
    this.#hooks = hooks;
    this.#heartbeatMs = heartbeatMs;
    this.#wss = new WebSocketServer({ server, path: '/gateway' });
    this.#wss.on('connection', (socket) => this.#accept(socket));
  }

  setUrl(url: string): void {
    this.#url = url;
  }

  get url(): string {
    return this.#url;
  }

  /** True while a client is connected and identified or resumed. */
  get connected(): boolean {
    return this.#socket !== null && this.#ready;
  }

  /** Sends (or keeps for a resume) one dispatch; returns its sequence number, or null when the session's intents exclude it. */
  dispatch(t: string, d: unknown): number | null {
    const shaped = this.#hooks.shape(t, d, this.#intents);
    if (shaped === null) return null;
    const event = { s: ++this.#seq, t, d: shaped };
    this.#log.push(event);
    if (this.connected) this.#send({ op: OP.dispatch, ...event });
    return event.s;
  }

  /** Cuts the connection without a close frame, as a network failure would: the client resumes. */
  drop(): void {
    const socket = this.#socket;
    this.#socket = null;
    this.#ready = false;
    socket?.terminate();
  }

  /** Resolves once `check` holds after some gateway event; rejects after `timeoutMs`. */
  waitFor(check: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter = { check, resolve: () => {} };
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        reject(new Error(`timed out waiting for ${what}`));
      }, timeoutMs);
      waiter.resolve = () => {
        clearTimeout(timer);
        resolve();
      };
      this.#waiters.push(waiter);
    });
  }

  close(): Promise<void> {
    for (const client of this.#wss.clients) client.terminate();
    return new Promise((resolve) => this.#wss.close(() => resolve()));
  }

  #accept(socket: WebSocket): void {
    this.#socket?.terminate();
    this.#socket = socket;
    this.#ready = false;
    socket.on('message', (data) => this.#receive(socket, String(data)));
    socket.on('close', () => {
      if (this.#socket === socket) {
        this.#socket = null;
        this.#ready = false;
      }
      this.#changed();
    });
    this.#send({ op: OP.hello, d: { heartbeat_interval: this.#heartbeatMs } });
  }

  #receive(socket: WebSocket, text: string): void {
    if (socket !== this.#socket) return;
    let payload: { op?: unknown; d?: unknown };
    try {
      payload = JSON.parse(text) as typeof payload;
    } catch {
      socket.close(4002, 'Error while decoding payload.');
      return;
    }
    const d = (payload.d ?? {}) as Record<string, unknown>;
    if (payload.op === OP.heartbeat) {
      this.heartbeats++;
      this.#send({ op: OP.ack });
    } else if (payload.op === OP.identify) {
      this.#identify(socket, d);
    } else if (payload.op === OP.resume) {
      this.#resume(d);
    } else {
      socket.close(4001, 'Unknown opcode.');
    }
    this.#changed();
  }

  #identify(socket: WebSocket, d: Record<string, unknown>): void {
    if (d.token !== this.#hooks.token) {
      socket.close(4004, 'Authentication failed.');
      return;
    }
    const intents = d.intents;
    if (typeof intents !== 'number' || !Number.isInteger(intents) || intents < 0 || intents & ~KNOWN_INTENTS) {
      socket.close(4013, 'Invalid intent(s).');
      return;
    }
    if (intents & PRIVILEGED & ~this.#hooks.privilegedIntents) {
      socket.close(4014, 'Disallowed intent(s).');
      return;
    }
    this.identifies++;
    this.#intents = intents;
    this.#sessionId = snowflake();
    this.#seq = 0;
    this.#log = [];
    this.#ready = true;
    this.dispatch('READY', this.#hooks.ready(this.#sessionId, this.#url));
    for (const guild of this.#hooks.guilds()) this.dispatch('GUILD_CREATE', guild);
  }

  #resume(d: Record<string, unknown>): void {
    if (d.token !== this.#hooks.token || d.session_id !== this.#sessionId || typeof d.seq !== 'number') {
      this.#send({ op: OP.invalidSession, d: false });
      return;
    }
    this.resumes++;
    this.#ready = true;
    const after = d.seq;
    for (const event of this.#log.filter((e) => e.s > after)) this.#send({ op: OP.dispatch, ...event });
    this.dispatch('RESUMED', {});
  }

  #send(payload: Record<string, unknown>): void {
    if (this.#socket?.readyState === WebSocket.OPEN) this.#socket.send(JSON.stringify(payload));
  }

  #changed(): void {
    for (const w of [...this.#waiters]) {
      if (w.check()) {
        this.#waiters = this.#waiters.filter((x) => x !== w);
        w.resolve();
      }
    }
  }
}
