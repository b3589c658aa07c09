/**
 * Peer: the Vercel Chat SDK with its Twilio adapter and in-memory state,
 * answering every message with one reply through Twilio's REST API (the
 * adapter's apiUrl is the fake). CONCURRENCY picks the SDK's strategy for a
 * message arriving while its thread is busy: `queue` (the fair comparison:
 * the handler answers the skipped messages too) or the default `drop`, which
 * loses them. Env as botkit-sms.ts, plus CONCURRENCY. Prints {"url"}.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createMemoryState } from '@chat-adapter/state-memory';
import { createTwilioAdapter } from '@chat-adapter/twilio';
import { Chat, type ConcurrencyStrategy } from 'chat';
import { REPLY, required } from './peer-env.ts';

const twilio = createTwilioAdapter({
  accountSid: required('ACCOUNT_SID'),
  authToken: required('AUTH_TOKEN'),
  apiUrl: required('API_URL'),
  phoneNumber: required('NUMBER'),
  webhookUrl: `${required('PUBLIC_URL')}/twilio/sms`,
  userName: 'bakery',
});
const bot = new Chat({
  userName: 'bakery',
  adapters: { twilio },
  state: createMemoryState(),
  concurrency: (process.env.CONCURRENCY ?? 'queue') as ConcurrencyStrategy,
  lockScope: 'thread',
  logger: 'silent',
});
bot.onDirectMessage(async (thread, _message, _channel, context) => {
  // One reply per message, as the other systems give: the skipped ones are answered too.
  for (let k = 0; k < (context?.totalSinceLastHandler ?? 1); k++) await thread.post(REPLY);
});

const background = new Set<Promise<unknown>>();
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v);
    const request = new Request(`http://127.0.0.1${req.url}`, {
      method: req.method,
      headers,
      body: Buffer.concat(chunks),
    });
    void bot.webhooks
      .twilio(request, {
        waitUntil: (p: Promise<unknown>) => {
          background.add(p);
          void p.finally(() => background.delete(p));
        },
      })
      .then(async (response: Response) => {
        res.writeHead(response.status, Object.fromEntries(response.headers));
        res.end(Buffer.from(await response.arrayBuffer()));
      })
      .catch(() => {
        res.writeHead(500);
        res.end();
      });
  });
});
server.keepAliveTimeout = 30_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
