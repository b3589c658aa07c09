import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A webhook receiver as a subscriber would write one (the README's example,
 * step for step): it checks every signature and answers each request as the
 * test scripts it: 200, an error status, or no answer at all (a timeout).
 */
export type Answer = number | 'hang';

export interface Received {
  eventId: string;
  type: string;
  orderKey: string;
  verified: boolean;
  answered: Answer;
  body: Record<string, unknown>;
}

export interface Receiver {
  url: string;
  received: Received[];
  /** Events answered 2xx, once each (a redelivery of one already taken is acknowledged, not counted again). */
  accepted: Received[];
  /** Answers for the next requests, in order; then 200. `answerFor` picks per event first. */
  script: Answer[];
  answerFor?: (eventId: string, body: Record<string, unknown>) => Answer | undefined;
  close(): Promise<void>;
}

export function verify(secret: string, header: string | undefined, raw: string, toleranceS = 300): boolean {
  const fields = Object.fromEntries((header ?? '').split(',').map((kv) => kv.split('=', 2)));
  const t = Number(fields.t);
  if (!Number.isInteger(t) || Math.abs(Date.now() / 1000 - t) > toleranceS) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${raw}`).digest();
  const given = Buffer.from(String(fields.v1 ?? ''), 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export async function startReceiver(
  secret: string,
  orderKeyOf: (body: Record<string, unknown>) => string,
): Promise<Receiver> {
  const hanging = new Set<() => void>();
  const r: Receiver = {
    url: '',
    received: [],
    accepted: [],
    script: [],
    close: async () => {
      for (const end of hanging) end();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const verified = verify(secret, req.headers['touchpoint-signature'] as string | undefined, raw);
      const body = JSON.parse(raw) as Record<string, unknown>;
      const eventId = String(req.headers['touchpoint-event-id']);
      const answer: Answer = !verified ? 401 : (r.answerFor?.(eventId, body) ?? r.script.shift() ?? 200);
      const entry = { eventId, type: String(body.type), orderKey: orderKeyOf(body), verified, answered: answer, body };
      r.received.push(entry);
      if (answer === 'hang') {
        const end = () => res.destroy();
        hanging.add(end);
        res.on('close', () => hanging.delete(end));
        return;
      }
      if (answer >= 200 && answer < 300 && !r.accepted.some((a) => a.eventId === eventId)) r.accepted.push(entry);
      res.writeHead(answer).end();
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  r.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  return r;
}
