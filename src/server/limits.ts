import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { type ErrorCode, HttpError } from '../errors.ts';

export interface ServerLimits {
  /** Time a client has to send the request headers. */
  headersTimeoutMs: number;
  /** Time a client has to send the whole request, body included (Node's default is 300 s). */
  requestTimeoutMs: number;
  /** Open connections at once; more are answered 503. */
  maxConnections: number;
  /** Requests in flight at once from one client address; more are answered 503. */
  perIpConcurrency: number;
}

export const DEFAULT_LIMITS: ServerLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  maxConnections: 1_000,
  perIpConcurrency: 50,
};

/** A 503 that tells the client when to try again. */
export class Overloaded extends HttpError {
  readonly retryAfterSeconds = 1;
  constructor(code: ErrorCode, reason: string) {
    super(503, code, reason);
  }
}

/**
 * Bounds what slow or numerous clients can hold: Node ends requests whose
 * headers or body take too long (408); connections past the cap and requests
 * past an address's share are answered 503 with the reason, not dropped, so
 * a provider sees why and retries.
 */
export class ConnectionLimits {
  readonly #limits: ServerLimits;
  readonly #overCap = new WeakSet<Socket>();
  readonly #perIp = new Map<string, number>();
  #open = 0;

  constructor(limits: ServerLimits) {
    this.#limits = limits;
  }

  apply(server: Server): void {
    server.headersTimeout = this.#limits.headersTimeoutMs;
    server.requestTimeout = this.#limits.requestTimeoutMs;
    server.on('connection', (socket: Socket) => {
      this.#open++;
      if (this.#open > this.#limits.maxConnections) this.#overCap.add(socket);
      socket.once('close', () => {
        this.#open--;
      });
    });
  }

  /** Throws 503 when the connection is past the cap. */
  checkConnection(socket: Socket): void {
    if (this.#overCap.has(socket)) {
      throw new Overloaded(
        'too_many_connections',
        `the server has ${this.#limits.maxConnections} connections open, its limit; try again shortly`,
      );
    }
  }

  /** Counts a request from `ip` in flight; throws 503 past the address's share. Call the result when it is done. */
  admit(ip: string): () => void {
    const n = this.#perIp.get(ip) ?? 0;
    if (n >= this.#limits.perIpConcurrency) {
      throw new Overloaded(
        'too_many_requests_in_flight',
        `${this.#limits.perIpConcurrency} requests from this address are in flight, its limit; try again shortly`,
      );
    }
    this.#perIp.set(ip, n + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.#perIp.get(ip) ?? 1) - 1;
      if (left <= 0) this.#perIp.delete(ip);
      else this.#perIp.set(ip, left);
    };
  }
}
