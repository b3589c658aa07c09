import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock, VirtualClock } from '../../src/clock.ts';
import { createLookupRunner, type LookupOutcome, type LookupTask } from '../../src/flow-language/lookup-runner.ts';
import { silentLogger } from '../../src/log.ts';

let server: Server;
let base: string;
const seen: Array<{ method?: string; url?: string; auth?: string; body: string }> = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => {
      body += d;
    });
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, auth: req.headers.authorization, body });
      const [status, text] =
        req.url === '/orders/A1'
          ? [200, '{"status":"shipped","eta":"Friday"}']
          : req.url === '/orders/bad-json'
            ? [200, 'not json']
            : req.url === '/orders/denied'
              ? [401, '']
              : req.url === '/orders/down'
                ? [503, '']
                : [404, ''];
      res.writeHead(status, { 'content-type': 'application/json' }).end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function task(path: string, over: Partial<LookupTask['request']> = {}): LookupTask {
  return {
    conversationId: 'c',
    runId: 'r',
    token: 't',
    attempt: 1,
    timeoutMs: 5_000,
    request: { url: `${base}${path}`, method: 'GET', headers: {}, ...over },
  };
}

async function outcomeOf(t: LookupTask, clock = systemClock): Promise<LookupOutcome> {
  const outcomes: LookupOutcome[] = [];
  const runner = createLookupRunner({ clock, log: silentLogger, onOutcome: async (_t, o) => void outcomes.push(o) });
  runner.begin(t);
  for (let i = 0; i < 200 && outcomes.length === 0; i++) {
    await new Promise((r) => setTimeout(r, 5));
    await runner.idle();
  }
  return outcomes[0] as LookupOutcome;
}

describe('lookups against a business endpoint', () => {
  it('reads a JSON answer, and sends the method, headers and body asked for', async () => {
    expect(await outcomeOf(task('/orders/A1', { headers: { authorization: 'Bearer k' } }))).toEqual({
      kind: 'found',
      data: { status: 'shipped', eta: 'Friday' },
    });
    expect(seen.at(-1)).toMatchObject({ method: 'GET', url: '/orders/A1', auth: 'Bearer k' });
    await outcomeOf(task('/orders/A1', { method: 'POST', body: '{"q":1}' }));
    expect(seen.at(-1)).toMatchObject({ method: 'POST', body: '{"q":1}' });
  });

  it('tells not found, a refusal that retrying cannot fix, and failures worth retrying apart', async () => {
    expect(await outcomeOf(task('/orders/nope'))).toEqual({ kind: 'not_found', status: 404 });
    expect(await outcomeOf(task('/orders/denied'))).toEqual({ kind: 'failed', reason: 'HTTP 401' });
    expect(await outcomeOf(task('/orders/down'))).toEqual({ kind: 'transient', reason: 'HTTP 503' });
    expect(await outcomeOf(task('/orders/bad-json'))).toEqual({ kind: 'transient', reason: 'answer 200 is not JSON' });
    expect(
      (await outcomeOf({ ...task('/x'), request: { url: 'http://127.0.0.1:1/x', method: 'GET', headers: {} } })).kind,
    ).toBe('transient');
  });

  it('gives up on an endpoint that does not answer in time, on the clock it is given', async () => {
    const clock = new VirtualClock();
    const outcomes: LookupOutcome[] = [];
    const runner = createLookupRunner({
      clock,
      log: silentLogger,
      fetch: (_url, init) =>
        new Promise((_resolve, reject) => init.signal.addEventListener('abort', () => reject(init.signal.reason))),
      onOutcome: async (_t, o) => void outcomes.push(o),
    });
    runner.begin(task('/slow'));
    clock.advance(4_999);
    await new Promise((r) => setImmediate(r));
    await runner.idle();
    expect(outcomes).toEqual([]);
    clock.advance(1);
    await new Promise((r) => setImmediate(r));
    await runner.idle();
    expect(outcomes).toEqual([{ kind: 'transient', reason: 'no answer within 5000 ms' }]);
  });

  it('abandons requests in flight on stop without recording them', async () => {
    const outcomes: LookupOutcome[] = [];
    const runner = createLookupRunner({
      clock: new VirtualClock(),
      log: silentLogger,
      fetch: (_url, init) =>
        new Promise((_resolve, reject) => init.signal.addEventListener('abort', () => reject(init.signal.reason))),
      onOutcome: async (_t, o) => void outcomes.push(o),
    });
    runner.begin(task('/slow'));
    await runner.stop();
    await new Promise((r) => setImmediate(r));
    expect(outcomes).toEqual([]);
  });
});
