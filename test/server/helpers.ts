import { connect, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { createAuthenticator } from '../../src/access/principal.ts';
import type { Clock } from '../../src/clock.ts';
import type { Logger } from '../../src/log.ts';
import { createHttpServer, type HttpServer, type HttpServerOptions } from '../../src/server/http-server.ts';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';

/** A pino logger whose lines are kept for assertions. */
export function capturingLogger(): { log: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
      done();
    },
  });
  return { log: pino({ level: 'info' }, sink), lines };
}

export interface TestServer {
  server: HttpServer;
  url: string;
  setReady(ready: boolean): void;
}

export async function startTestServer(
  o: Partial<Omit<HttpServerOptions, 'clock'>> & { clock?: Clock; log: Logger },
): Promise<TestServer> {
  let ready = true;
  const server = createHttpServer({
    host: '127.0.0.1',
    port: 0,
    trustProxy: false,
    authenticate: createAuthenticator({ bootstrapToken: ADMIN_TOKEN }),
    isReady: () => ready,
    ...o,
  });
  const url = await server.listen();
  return {
    server,
    url,
    setReady(r) {
      ready = r;
    },
  };
}

/** Opens a raw TCP connection to the server, for requests fetch cannot make (partial, oversized). */
export function openSocket(url: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const s = connect(Number(port), hostname, () => resolve(s));
    s.once('error', reject);
  });
}

/** Everything the server writes until it closes the connection. */
export function readUntilClosed(s: Socket): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    s.setEncoding('utf8');
    s.on('data', (d: string) => {
      text += d;
    });
    s.once('close', () => resolve(text));
    s.once('error', () => {});
  });
}

/** Resolves true if `p` settles before the event loop has run other pending work a few times. */
export async function settlesSoon(p: Promise<unknown>): Promise<boolean> {
  let settled = false;
  void p.then(
    () => {
      settled = true;
    },
    () => {
      settled = true;
    },
  );
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  return settled;
}

/** A response's JSON body, loosely typed for assertions. */
// biome-ignore lint/suspicious/noExplicitAny: assertions read whatever fields they check
export const json = (res: Response): Promise<any> => res.json();
