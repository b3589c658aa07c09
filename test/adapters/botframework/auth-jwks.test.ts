import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakeBotService } from '../../fakes/botframework-service.ts';
import { FakeMicrosoftLogin } from '../../fakes/microsoft/login.ts';
import { refusal } from '../../support/send-refusal.ts';
import { activity, outbound, startBot } from './support.ts';

/**
 * Bot Framework with authentication on, as in production: botbuilder checks
 * the RS256 token on each activity against the OpenID metadata and keys of
 * login.botframework.com, and gets its own token for replies from
 * login.microsoftonline.com (MSAL, client credentials); the connector only
 * takes replies carrying that token. Both sign-in services are local fakes.
 */
const APP_ID = '6b3a2f4e-6f0d-4a57-9c55-0d3f4d7b2a11';
const SECRET = 'app-password-123';
/** A second bot: botbuilder caches tokens per app id across adapters, so a wrong password needs an app of its own. */
const OTHER_APP = '0c9e8d7f-1a2b-4c3d-8e9f-a0b1c2d3e4f5';

let login: FakeMicrosoftLogin;
let service: FakeBotService;
let bot: Awaited<ReturnType<typeof startBot>> | null = null;

beforeAll(async () => {
  login = await FakeMicrosoftLogin.start({
    clients: { [APP_ID]: SECRET, [OTHER_APP]: 'other-password-456' },
    endorsements: ['webchat', 'msteams'],
  });
  service = await FakeBotService.start({
    acceptToken: (a) => login.acceptsConnectorToken(a, APP_ID) || login.acceptsConnectorToken(a, OTHER_APP),
  });
});
afterAll(async () => {
  await service?.close();
  await login?.stop();
});
afterEach(async () => {
  await bot?.close();
  bot = null;
  service.received.length = 0;
});

const start = (appId = APP_ID, password = SECRET) => startBot({ appId, appPassword: password }, service);
const webchat = (o: Record<string, unknown> = {}) => activity(service.url, { channelId: 'webchat', ...o });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('Bot Framework with authentication on', () => {
  it('takes an activity whose token the channel signed for this bot and service URL', async () => {
    bot = await start();
    const token = login.channelToken({ appId: APP_ID, serviceUrl: service.url });
    expect((await bot.post(webchat({ id: 'a-ok' }), bearer(token))).status).toBe(200);
    expect(bot.ingestCalls.map((e) => e.providerId)).toEqual(['webchat/conv-1/a-ok']);
  });

  it.each([
    ['no token', () => ({})],
    [
      'a token signed by a key the channel did not publish',
      () => bearer(login.channelToken({ appId: APP_ID, serviceUrl: service.url, signedBy: 'other' })),
    ],
    [
      'an expired token',
      () => bearer(login.channelToken({ appId: APP_ID, serviceUrl: service.url, now: Date.now() - 7_200_000 })),
    ],
    ['a token for another bot', () => bearer(login.channelToken({ appId: 'another-app', serviceUrl: service.url }))],
    [
      'a token for another service URL',
      () => bearer(login.channelToken({ appId: APP_ID, serviceUrl: 'https://smba.trafficmanager.net/emea/' })),
    ],
  ])('refuses an activity with %s (401), storing nothing', async (_what, headers) => {
    bot = await start();
    expect((await bot.post(webchat(), headers())).status).toBe(401);
    expect(bot.ingestCalls).toEqual([]);
  });

  it('refuses an activity from a channel the signing key is not endorsed for', async () => {
    bot = await start();
    const token = login.channelToken({ appId: APP_ID, serviceUrl: service.url });
    expect((await bot.post(webchat({ channelId: 'slack' }), bearer(token))).status).toBe(401);
    expect(bot.ingestCalls).toEqual([]);
  });

  it('sends a reply with an access token it got from the token endpoint, which the connector accepts', async () => {
    bot = await start();
    const token = login.channelToken({ appId: APP_ID, serviceUrl: service.url });
    await bot.post(webchat({ id: 'a-reply' }), bearer(token));
    const issued = login.tokensIssued;
    const [env] = bot.ingestCalls;
    await bot.adapter.send(outbound({ threadKey: env!.threadKey, replyRef: env!.replyRef ?? null }));
    expect(login.tokensIssued).toBeGreaterThan(issued);
    expect(service.received).toHaveLength(1);
    expect(login.acceptsConnectorToken(service.received[0]!.authorization, APP_ID)).toBe(true);
  });

  it('sends nothing when its app password is wrong: the token endpoint refuses, and the failure is permanent', async () => {
    bot = await start(OTHER_APP, 'not-the-password');
    const token = login.channelToken({ appId: OTHER_APP, serviceUrl: service.url });
    await bot.post(webchat({ id: 'a-bad-secret' }), bearer(token));
    const [env] = bot.ingestCalls;
    const refused = login.tokensRefused;
    const err = await refusal(
      bot.adapter.send(outbound({ threadKey: env!.threadKey, replyRef: env!.replyRef ?? null })),
    );
    expect(login.tokensRefused).toBeGreaterThan(refused);
    expect(service.received).toEqual([]);
    expect(err.failure).toBe('permanent');
  });

  it('the fake connector itself refuses a reply without a token it accepts', async () => {
    const url = `${service.url}/v3/conversations/conv-1/activities`;
    const body = JSON.stringify({ type: 'message', text: 'hi' });
    const headers = { 'content-type': 'application/json' };
    expect((await fetch(url, { method: 'POST', headers, body })).status).toBe(401);
    const forged = { ...headers, authorization: `Bearer ${login.channelToken({ appId: APP_ID, serviceUrl: url })}` };
    expect((await fetch(url, { method: 'POST', headers: forged, body })).status).toBe(401);
    expect(service.received).toEqual([]);
  });
});
