import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/clock.ts';
import { silentLogger } from '../../src/log.ts';
import { openSocket, readUntilClosed, settlesSoon, startTestServer, type TestServer } from './helpers.ts';

let t: TestServer | null = null;
afterEach(async () => {
  await t?.server.close(0);
  t = null;
});

/** A route whose handler waits until the test releases it, and tells when it has started. */
function blockingRoute(server: TestServer['server']) {
  let release = () => {};
  let markStarted = () => {};
  const started = new Promise<void>((r) => {
    markStarted = r;
  });
  server.routes.add('GET', '/slow', async () => {
    markStarted();
    await new Promise<void>((r) => {
      release = r;
    });
    return { status: 200, body: 'finished' };
  });
  return { started, release: () => release() };
}

describe('graceful close', () => {
  it('waits for a request in flight, answers it, then releases', async () => {
    const clock = new VirtualClock();
    t = await startTestServer({ log: silentLogger, clock });
    const { server, url } = t;
    const slow = blockingRoute(server);
    const inFlight = fetch(`${url}/slow`);
    await slow.started;

    const closing = server.close(10_000);
    expect(server.draining).toBe(true);
    expect(await settlesSoon(closing)).toBe(false);
    // No new connections are accepted while draining.
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();

    slow.release();
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(res.headers.get('connection')).toBe('close');
    expect(await res.text()).toBe('finished');
    await closing;
  });

  it('answers 503 to a request that arrives on an open connection while draining', async () => {
    const clock = new VirtualClock();
    t = await startTestServer({ log: silentLogger, clock });
    const { server, url } = t;
    const slow = blockingRoute(server);
    const inFlight = fetch(`${url}/slow`);
    await slow.started;

    const s = await openSocket(url);
    const reply = readUntilClosed(s);
    s.write('GET /readyz HTTP/1.1\r\nHost: x\r\n');
    // Let the server read the partial request so the connection counts as busy, not idle.
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    const closing = server.close(10_000);
    s.write('\r\n');
    const text = await reply;
    expect(text).toMatch(/^HTTP\/1\.1 503/);
    expect(text).toContain('shutting_down');

    slow.release();
    await inFlight;
    await closing;
  });

  it('closes connections still busy once the grace period is over', async () => {
    const clock = new VirtualClock();
    t = await startTestServer({ log: silentLogger, clock });
    const { server, url } = t;
    const slow = blockingRoute(server);
    const inFlight = fetch(`${url}/slow`).then(
      () => 'answered',
      () => 'cut off',
    );
    await slow.started;
    const closing = server.close(5_000);
    clock.advance(4_999);
    expect(await settlesSoon(closing)).toBe(false);
    clock.advance(1);
    await closing;
    expect(await inFlight).toBe('cut off');
    slow.release();
  });

  it('ends long-lived streams at once instead of waiting for them', async () => {
    const clock = new VirtualClock();
    t = await startTestServer({ log: silentLogger, clock });
    const { server, url } = t;
    server.routes.add('GET', '/events', () => ({
      stream: true,
      takeover: (res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(': hello\n\n');
      },
    }));
    const res = await fetch(`${url}/events`);
    const reader = res.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe(': hello\n\n');
    await server.close(60_000);
    expect((await reader.read()).done).toBe(true);
  });

  it('can be called twice and reports draining', async () => {
    t = await startTestServer({ log: silentLogger });
    const { server } = t;
    expect(server.draining).toBe(false);
    await server.close(1000);
    expect(server.draining).toBe(true);
    // close is idempotent
    await server.close(1000);
  });
});
