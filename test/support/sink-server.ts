import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SinkDelivery {
  /** The provider's id for the message it created (a deduplicated request gets the earlier one's). */
  id: string;
  nonce: string;
  to: string;
  text: string;
  replyTo: string | null;
  at: number;
}

/**
 * The provider fake behind the sink adapter. Every POST is recorded in `raw`.
 * A request with `enforceNonce` is deduplicated like Discord's: a repeated
 * nonce returns the earlier message instead of creating one. Without it,
 * every request creates a message, like Twilio's or Slack's. `created` is
 * what customers saw. `GET /messages?to=…` lists the messages created for a
 * recipient with their nonce, newest first, like a provider's message list
 * that carries the sender's own metadata. `latencyMs` delays each answer
 * after the message is created, like a real provider's round trip.
 */
export interface SinkServer {
  url: string;
  raw: SinkDelivery[];
  created: SinkDelivery[];
  /** The first message created per nonce. */
  delivered: Map<string, SinkDelivery>;
  onDelivery: ((d: SinkDelivery) => void) | null;
  close(): Promise<void>;
}

interface Post {
  nonce: string;
  enforceNonce?: boolean;
  to: string;
  text: string;
  replyTo: string | null;
}

export async function startSinkServer(o: { latencyMs?: number } = {}): Promise<SinkServer> {
  let seq = 0;
  const sink: SinkServer = {
    url: '',
    raw: [],
    created: [],
    delivered: new Map(),
    onDelivery: null,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const answer = (res: import('node:http').ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://sink');
    if (req.method === 'GET' && url.pathname === '/messages') {
      const to = url.searchParams.get('to');
      const found = sink.created.filter((d) => d.to === to).reverse();
      answer(res, 200, { messages: found.map((d) => ({ id: d.id, nonce: d.nonce, text: d.text })) });
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Post;
      const earlier = body.enforceNonce ? sink.delivered.get(body.nonce) : undefined;
      const d: SinkDelivery = {
        id: earlier?.id ?? `sink-${++seq}`,
        nonce: body.nonce,
        to: body.to,
        text: body.text,
        replyTo: body.replyTo,
        at: performance.now(),
      };
      sink.raw.push(d);
      if (!earlier) {
        sink.created.push(d);
        if (!sink.delivered.has(d.nonce)) sink.delivered.set(d.nonce, d);
        sink.onDelivery?.(d);
      }
      if (o.latencyMs) setTimeout(() => answer(res, 200, { id: d.id }), o.latencyMs);
      else answer(res, 200, { id: d.id });
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  sink.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/messages`;
  return sink;
}
