import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SinkDelivery {
  nonce: string;
  to: string;
  text: string;
  replyTo: string | null;
  at: number;
}

/**
 * The provider fake behind the sink adapter. Like Discord with `enforceNonce`,
 * a repeated nonce returns the earlier message instead of posting again, so
 * `delivered` is what customers saw and `raw` counts every attempt.
 */
export interface SinkServer {
  url: string;
  raw: SinkDelivery[];
  delivered: Map<string, SinkDelivery>;
  onDelivery: ((d: SinkDelivery) => void) | null;
  close(): Promise<void>;
}

export async function startSinkServer(): Promise<SinkServer> {
  const sink: SinkServer = {
    url: '',
    raw: [],
    delivered: new Map(),
    onDelivery: null,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Omit<SinkDelivery, 'at'>;
      const d: SinkDelivery = { ...body, at: performance.now() };
      sink.raw.push(d);
      if (!sink.delivered.has(d.nonce)) {
        sink.delivered.set(d.nonce, d);
        sink.onDelivery?.(d);
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: `sink-${d.nonce}` }));
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  sink.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/messages`;
  return sink;
}
