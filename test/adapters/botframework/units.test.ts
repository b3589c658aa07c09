import { describe, expect, it } from 'vitest';
import { activityEnvelope, messageActivity } from '../../../adapters/botframework/activity.ts';
import { toSendError } from '../../../adapters/botframework/send-errors.ts';
import { DEFAULT_SERVICE_URLS, serviceUrlAllowed } from '../../../adapters/botframework/service-urls.ts';
import { botframeworkSettings } from '../../../adapters/botframework/settings.ts';
import { decodeThreadKey, encodeThreadKey } from '../../../adapters/botframework/thread-key.ts';
import { activity } from './support.ts';

describe('Bot Framework thread keys', () => {
  it.each([
    { channelId: 'msteams', conversationId: '19:abc@thread.tacv2;messageid=1700000000000' },
    { channelId: 'webchat', conversationId: 'Ab3/x|000001' },
    { channelId: 'emulator', conversationId: 'a:1xyz' },
  ])('round-trips $channelId', (t) => {
    expect(decodeThreadKey(encodeThreadKey(t))).toEqual(t);
  });

  it('refuses what it did not build', () => {
    expect(decodeThreadKey('no-slash')).toBeNull();
    expect(decodeThreadKey('/conv')).toBeNull();
    expect(decodeThreadKey('teams/')).toBeNull();
    expect(() => encodeThreadKey({ channelId: 'a/b', conversationId: 'c' })).toThrow(/channel id/);
  });
});

describe('service URL allow-list', () => {
  it('allows the Microsoft hosts by default and nothing else', () => {
    expect(serviceUrlAllowed('https://smba.trafficmanager.net/emea/', DEFAULT_SERVICE_URLS)).toBe(true);
    expect(serviceUrlAllowed('https://webchat.botframework.com/', DEFAULT_SERVICE_URLS)).toBe(true);
    expect(serviceUrlAllowed('https://botframework.com.evil.test/', DEFAULT_SERVICE_URLS)).toBe(false);
    expect(serviceUrlAllowed('http://webchat.botframework.com/', DEFAULT_SERVICE_URLS)).toBe(false);
    expect(serviceUrlAllowed('not a url', DEFAULT_SERVICE_URLS)).toBe(false);
  });

  it('matches scheme, host, port and path prefix of a local entry', () => {
    const local = ['http://127.0.0.1:3978/'];
    expect(serviceUrlAllowed('http://127.0.0.1:3978', local)).toBe(true);
    expect(serviceUrlAllowed('http://127.0.0.1:3979/', local)).toBe(false);
    expect(serviceUrlAllowed('http://user:pw@127.0.0.1:3978/', local)).toBe(false);
  });
});

describe('activity → envelope', () => {
  it('keeps the conversation reference and names the touchpoint', () => {
    const a = messageActivity.parse(
      activity('http://127.0.0.1:1', {
        attachments: [{ contentType: 'image/png', contentUrl: 'https://x.test/a.png' }],
      }),
    );
    const e = activityEnvelope(a, 'botframework');
    expect(e).toMatchObject({
      providerId: 'emulator/conv-1/act-1',
      touchpoint: { channel: 'botframework', kind: 'botframework.emulator', visibility: 'private' },
      threadKey: 'emulator/conv-1',
      from: { kind: 'botframework', value: 'emulator:user-1', name: 'Cora' },
      text: 'How much is a loaf?',
      attachments: [{ contentType: 'image/png', url: 'https://x.test/a.png' }],
      replyRef: {
        activityId: 'act-1',
        channelId: 'emulator',
        serviceUrl: 'http://127.0.0.1:1',
        conversation: { id: 'conv-1' },
        bot: { id: 'bot-1', name: 'Bakery Bot' },
        user: { id: 'user-1', name: 'Cora' },
      },
      sentAt: Date.UTC(2026, 0, 5, 9),
    });
  });

  it('treats a Teams channel post as public and drops the bot mention', () => {
    const a = messageActivity.parse(
      activity('https://smba.trafficmanager.net/emea/', {
        channelId: 'msteams',
        conversation: { id: '19:abc@thread.tacv2', isGroup: true, conversationType: 'channel', tenantId: 't1' },
        text: '<at>Bakery Bot</at> my order is late',
      }),
    );
    expect(activityEnvelope(a, 'botframework')).toMatchObject({
      touchpoint: { kind: 'teams', visibility: 'public' },
      text: 'my order is late',
      replyRef: {
        conversation: { id: '19:abc@thread.tacv2', isGroup: true, conversationType: 'channel', tenantId: 't1' },
      },
    });
  });
});

describe('Bot Connector errors and settings', () => {
  const restError = (statusCode: number | undefined, retry?: string) =>
    Object.assign(new Error('nope'), { statusCode, code: 'X', response: { headers: { get: () => retry } } });

  it('maps 429, 5xx, 4xx and network failures', () => {
    expect(toSendError(restError(429, '3'))).toMatchObject({ failure: 'rate_limited', retryAfterMs: 3000 });
    expect(toSendError(restError(502)).failure).toBe('transient');
    expect(toSendError(restError(403))).toMatchObject({ failure: 'permanent', providerCode: 'X' });
    expect(toSendError(restError(undefined)).message).toMatch(/could not be reached/);
  });

  it('needs a password with an app id, and a tenant for single-tenant apps', () => {
    expect(botframeworkSettings.safeParse({}).success).toBe(true);
    const noPassword = botframeworkSettings.safeParse({ appId: 'abc' });
    expect(noPassword.error?.issues[0]).toMatchObject({ path: ['appPassword'] });
    const noTenant = botframeworkSettings.safeParse({ appId: 'abc', appPassword: 'p', appType: 'SingleTenant' });
    expect(noTenant.error?.issues[0]).toMatchObject({ path: ['tenantId'] });
    expect(botframeworkSettings.safeParse({ serviceUrls: ['ftp://x'] }).success).toBe(false);
  });
});
