import { Agent, request } from 'node:http';

export interface LoadResult {
  sent: number;
  acked: number;
  errors: number;
  seconds: number;
  /** Request start times by message id (performance.now()). */
  startedAt: Map<string, number>;
  /** Request → response latencies (ms). */
  ackLatencies: number[];
}

const agent = new Agent({ keepAlive: true, maxSockets: 256 });

/** POSTs `body` on a keep-alive connection; resolves with the HTTP status. */
export function post(
  url: string,
  body: string,
  headers: Record<string, string> = { 'content-type': 'application/json' },
): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const message = (prefix: string, i: number, customers: number) => ({
  id: `${prefix}-${i}`,
  body: JSON.stringify({ id: `${prefix}-${i}`, from: `customer-${i % customers}`, text: `how much is item ${i}?` }),
});

/** Closed loop: `connections` clients each send the next message as soon as the last is acknowledged. */
export async function closedLoop(
  url: string,
  opts: { connections: number; seconds: number; prefix: string; customers: number },
): Promise<LoadResult> {
  const r: LoadResult = { sent: 0, acked: 0, errors: 0, seconds: opts.seconds, startedAt: new Map(), ackLatencies: [] };
  const end = performance.now() + opts.seconds * 1000;
  let i = 0;
  const client = async () => {
    while (performance.now() < end) {
      const m = message(opts.prefix, i++, opts.customers);
      const t0 = performance.now();
      r.startedAt.set(m.id, t0);
      r.sent++;
      try {
        const status = await post(url, m.body);
        if (status === 200) r.acked++;
        else r.errors++;
      } catch {
        r.errors++;
      }
      r.ackLatencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: opts.connections }, client));
  return r;
}

/** Open loop: sends at a fixed rate regardless of answers, so latency is measured without coordinated omission. */
export async function openLoop(
  url: string,
  opts: { rate: number; seconds: number; prefix: string; customers: number },
): Promise<LoadResult> {
  const r: LoadResult = { sent: 0, acked: 0, errors: 0, seconds: opts.seconds, startedAt: new Map(), ackLatencies: [] };
  const total = Math.round(opts.rate * opts.seconds);
  const t0 = performance.now();
  const inflight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = t0 + (i * 1000) / opts.rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((res) => setTimeout(res, wait));
    const m = message(opts.prefix, i, opts.customers);
    const start = performance.now();
    r.startedAt.set(m.id, due);
    r.sent++;
    inflight.push(
      post(url, m.body).then(
        (status) => {
          if (status === 200) r.acked++;
          else r.errors++;
          r.ackLatencies.push(performance.now() - start);
        },
        () => {
          r.errors++;
        },
      ),
    );
  }
  await Promise.all(inflight);
  return r;
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}
