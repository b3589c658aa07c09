/**
 * The second baseline: a bare node:http server doing the pipeline's HTTP work
 * and nothing else. It reads and checks the webhook, answers 200 at once, then
 * posts the reply to the provider fake (SINK_URL) the way the sink adapter
 * does, on a keep-alive agent of the same size. Nothing is stored: this is the
 * "answer first, reply from memory" server that loses messages when it dies,
 * and the ceiling any server that replies over HTTP can reach on this bench.
 * Prints its URL as JSON.
 */
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

const sinkUrl = process.env.SINK_URL;
if (!sinkUrl) throw new Error('SINK_URL is required');
const agent = new Agent({ keepAlive: true, maxSockets: 64 });
const REPLY = 'A loaf is £4.';

function reply(m: { id: string; from: string }): void {
  const body = JSON.stringify({ nonce: `r-${m.id}`, to: m.from, text: REPLY, replyTo: m.id });
  const req = request(
    sinkUrl as string,
    {
      method: 'POST',
      agent,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
    },
    (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => JSON.parse(Buffer.concat(chunks).toString('utf8')));
    },
  );
  req.on('error', () => {});
  req.end(body);
}

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const m = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id?: unknown; from?: unknown; text?: unknown };
    if (typeof m.id !== 'string' || typeof m.from !== 'string' || typeof m.text !== 'string') {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end('{"error":"invalid message"}');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"stored":false}');
    reply({ id: m.id, from: m.from });
  });
});
server.keepAliveTimeout = 30_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
