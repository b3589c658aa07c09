import type { App } from '@slack/bolt';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { slackSettings } from '../../../adapters/slack/settings.ts';
import { createBoltApp } from '../../../adapters/slack/transport/bolt-app.ts';
import { VirtualClock } from '../../../src/clock.ts';
import type { HttpHandler, HttpRequest, HttpResponse } from '../../../src/http/http-types.ts';
import { silentLogger } from '../../../src/log.ts';
import { signLikeSlack } from './support/slack-requests.ts';

/**
 * The Events API receiver's promises to Slack, on Node's timers faked: an
 * event is answered once its listeners finish or after 2.5 s (Slack gives up
 * at 3 s); a listener failure within that time answers 500, so Slack
 * delivers the event again, and the redelivery is handled, not dropped.
 */
const SECRET = 'receiver-secret';
const clock = new VirtualClock(Date.UTC(2026, 0, 5, 9));
let handler: HttpHandler;
let app: App;
let listener: () => Promise<void>;
let runs = 0;

beforeEach(async () => {
  runs = 0;
  listener = async () => {};
  const settings = slackSettings.parse({ botToken: 'xoxb-1', signingSecret: SECRET });
  const routes = {
    add(_m: string, _p: string, h: HttpHandler) {
      handler = h;
    },
  };
  const bot = { botUserId: 'UBOT0001', botId: 'BBOT0001', teamId: 'T0000001' };
  ({ app } = createBoltApp(settings, { routes, log: silentLogger, bot, keepUnreadable: async () => {} }));
  app.event('app_mention', async () => {
    runs += 1;
    await listener();
  });
  await app.start();
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
});
afterEach(() => {
  vi.useRealTimers();
});

function eventRequest(eventId: string, headers: Record<string, string> = {}): HttpRequest {
  const body = JSON.stringify({
    team_id: 'T0000001',
    api_app_id: 'A0000001',
    type: 'event_callback',
    event_id: eventId,
    event_time: Math.floor(clock.now() / 1000),
    event: { type: 'app_mention', user: 'UCUST0001', text: 'hi', channel: 'C0000001', ts: '1767603600.000100' },
  });
  // Slack signs with real time, and the receiver checks the window against real time.
  const ts = Math.floor(Date.now() / 1000);
  return {
    method: 'POST',
    path: '/slack/events',
    query: new URLSearchParams(),
    headers: {
      'content-type': 'application/json',
      'x-slack-request-timestamp': String(ts),
      'x-slack-signature': signLikeSlack(SECRET, ts, body),
      ...headers,
    },
    rawBody: Buffer.from(body),
    params: {},
    ip: '127.0.0.1',
    publicUrl: 'https://touchpoint.example.com/slack/events',
    raw: undefined as never,
    principal: null,
  };
}

/** The handler's answer, watched without awaiting it. */
function answer(req: HttpRequest) {
  let settled: HttpResponse | null = null;
  const done = Promise.resolve(handler(req)).then((r) => {
    settled = r as HttpResponse;
    return settled;
  });
  return {
    done,
    get settled() {
      return settled;
    },
  };
}

/** The listener waits until the returned function is called. */
function blockListener(): () => void {
  let release = () => {};
  listener = () =>
    new Promise<void>((r) => {
      release = r;
    });
  return () => release();
}

describe('Slack Events API receiver', () => {
  it('answers 200 once the listener has finished, within the time Slack waits', async () => {
    const release = blockListener();
    const a = answer(eventRequest('Ev-finish'));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(a.settled).toBeNull();
    release();
    expect(await a.done).toMatchObject({ status: 200 });
  });

  it('answers 200 after 2.5 s when the listener is still working, and lets it finish', async () => {
    const release = blockListener();
    const a = answer(eventRequest('Ev-slow'));
    await vi.advanceTimersByTimeAsync(2_499);
    expect(a.settled).toBeNull();
    await vi.advanceTimersByTimeAsync(1);
    expect(a.settled).toMatchObject({ status: 200 });
    release();
    expect(runs).toBe(1);
  });

  it('answers 500 when the listener fails, so Slack retries, and handles the retry', async () => {
    let failing = true;
    listener = async () => {
      if (failing) throw new Error('store unavailable');
    };
    const first = await answer(eventRequest('Ev-fail')).done;
    expect(first.status).toBe(500);
    failing = false;
    const retry = await answer(
      eventRequest('Ev-fail', { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_error' }),
    ).done;
    expect(retry.status).toBe(200);
    expect(runs).toBe(2);
  });

  it('acknowledges a redelivery of an event it handled without running the listener again', async () => {
    expect((await answer(eventRequest('Ev-once')).done).status).toBe(200);
    const again = await answer(
      eventRequest('Ev-once', { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' }),
    ).done;
    expect(again.status).toBe(200);
    expect(runs).toBe(1);
  });
});
