import { SocketModeReceiver } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import { slackSettings } from '../../../adapters/slack/settings.ts';
import { createBoltApp } from '../../../adapters/slack/transport/bolt-app.ts';
import { RouteReceiver } from '../../../adapters/slack/transport/receiver.ts';
import { slackSignature, verifySlackRequest } from '../../../adapters/slack/transport/verify.ts';
import { HttpError } from '../../../src/errors.ts';
import type { HttpHandler, RouteRegistry } from '../../../src/http/http-types.ts';
import { silentLogger } from '../../../src/log.ts';
import { signLikeSlack } from './support/slack-requests.ts';

const base = { botToken: 'xoxb-1', signingSecret: 'secret-123' };
const bot = { botUserId: 'UBOT0001', botId: 'BBOT0001', teamId: 'T1' };
const added: string[] = [];
const routes: RouteRegistry = { add: (method, pattern) => void added.push(`${method} ${pattern}`) };

describe('Slack transport', () => {
  it('builds the Socket Mode receiver when the settings switch to it', () => {
    const settings = slackSettings.parse({ ...base, transport: 'socket', appToken: 'xapp-1-abc' });
    const { receiver } = createBoltApp(settings, {
      routes,
      log: silentLogger,
      bot,
      keepUnreadable: async () => {},
    });
    expect(receiver).toBeInstanceOf(SocketModeReceiver);
  });

  it('mounts the Events API on our HTTP routes by default', async () => {
    const settings = slackSettings.parse(base);
    const { app, receiver } = createBoltApp(settings, {
      routes,
      log: silentLogger,
      bot,
      keepUnreadable: async () => {},
    });
    expect(receiver).toBeInstanceOf(RouteReceiver);
    await app.start();
    expect(added).toContain('POST /slack/events');
  });

  it('asks for an app token before Socket Mode can be used', () => {
    const r = slackSettings.safeParse({ ...base, transport: 'socket' });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(['appToken']);
  });

  it('refuses desk routes that match nothing and agents listed twice', () => {
    const r = slackSettings.safeParse({
      ...base,
      desk: {
        defaultChannel: 'CDESK0001',
        routes: [{ deskChannel: 'CDESK0002' }],
        agents: [
          { slackUser: 'UA0000001', agent: 'a' },
          { slackUser: 'UA0000001', agent: 'b' },
        ],
      },
    });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.message).sort()).toEqual([
      'UA0000001 is listed twice',
      'a route needs at least one of channel, category, team, vip',
    ]);
  });

  it('verifies signatures computed independently of its own signer, within five minutes', () => {
    const now = Date.UTC(2026, 0, 5, 9);
    const ts = Math.floor(now / 1000);
    const body = '{"type":"event_callback"}';
    const headers = {
      'x-slack-request-timestamp': String(ts),
      'x-slack-signature': signLikeSlack('s3cret', ts, body),
    };
    expect(() => verifySlackRequest('s3cret', headers, Buffer.from(body), now)).not.toThrow();
    expect(() => verifySlackRequest('other', headers, Buffer.from(body), now)).toThrow('does not match');
    expect(() => verifySlackRequest('s3cret', headers, Buffer.from(`${body} `), now)).toThrow('does not match');
    expect(() => verifySlackRequest('s3cret', headers, Buffer.from(body), now + 6 * 60_000)).toThrow('five minutes');
    expect(() => verifySlackRequest('s3cret', {}, Buffer.from(body), now)).toThrow(HttpError);
  });

  it("accepts Slack's published example request and signs it to Slack's published signature", () => {
    // From Slack's "Verifying requests from Slack" guide: a slash command, signed with its example secret.
    const secret = '8f742231b10e8888abcd99yyyzzz85a5';
    const timestamp = '1531420618';
    const body =
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V' +
      '&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=' +
      '&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN' +
      '&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
    const signature = 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503';
    const headers = { 'x-slack-request-timestamp': timestamp, 'x-slack-signature': signature };
    const at = Number(timestamp) * 1000 + 30_000;
    expect(() => verifySlackRequest(secret, headers, Buffer.from(body), at)).not.toThrow();
    expect(slackSignature(secret, timestamp, body)).toBe(signature);
    expect(signLikeSlack(secret, timestamp, body)).toBe(signature);
  });

  it('checks the signature window against real time, whatever clock the router runs on', async () => {
    const handlers: HttpHandler[] = [];
    const capture: RouteRegistry = { add: (_m, _p, handler) => void handlers.push(handler) };
    const receiver = new RouteReceiver({
      signingSecret: 's3cret',
      path: '/slack/events',
      routes: capture,
      log: silentLogger,
      keepUnreadable: async () => {},
    });
    await receiver.start();
    const handler = handlers[0];
    if (!handler) throw new Error('no route');
    const request = (ts: number) => {
      const rawBody = Buffer.from('{"type":"url_verification","challenge":"c1"}');
      const headers = {
        'content-type': 'application/json',
        'x-slack-request-timestamp': String(ts),
        'x-slack-signature': slackSignature('s3cret', ts, rawBody),
      };
      return {
        method: 'POST',
        path: '/slack/events',
        query: new URLSearchParams(),
        headers,
        rawBody,
        params: {},
        ip: '127.0.0.1',
        publicUrl: 'http://127.0.0.1/slack/events',
        raw: null as never,
        principal: null,
      };
    };
    // A test clock set to a fixed date (the README's 2026-01-05) must not refuse an event Slack signs now.
    const fresh = await handler(request(Math.floor(Date.now() / 1000)));
    expect(fresh).toMatchObject({ status: 200, body: { challenge: 'c1' } });
    await expect(async () => handler(request(Math.floor(Date.UTC(2026, 0, 5, 9) / 1000)))).rejects.toThrow(
      'five minutes',
    );
  });
});
