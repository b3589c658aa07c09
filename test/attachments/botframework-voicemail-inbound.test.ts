import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { botframeworkDefinition } from '../../adapters/botframework/definition.ts';
import type { App } from '../../src/app.ts';
import type { Message } from '../../src/model/types.ts';
import { routerFile } from '../../src/settings/schema.ts';
import { activity } from '../adapters/botframework/support.ts';
import { ACCOUNT_SID, AFTER_HOURS, OUR_SMS, startTwilioApp, type TwilioApp } from '../e2e/twilio-app.ts';
import { FakeBotService } from '../fakes/botframework-service.ts';
import { FakeMicrosoftLogin } from '../fakes/microsoft/login.ts';
import { startLocalApp } from '../support/local-app.ts';
import { testSettings } from '../support/settings.ts';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const inboundOf = async (app: App): Promise<Message[]> => {
  const out: Message[] = [];
  for (const c of await app.store.listConversations({}))
    out.push(...(await app.store.listMessages(c.id)).filter((m) => m.direction === 'inbound'));
  return out;
};

/**
 * Bot Framework with authentication on: a Web Chat upload's `contentUrl` is on
 * the channel's connector, which serves it only with the bot's own connector
 * token (from the fake Microsoft sign-in, as for replies); a contentUrl off the
 * allowed service hosts is refused, and gets no token.
 */
describe('Bot Framework attachments', () => {
  const APP_ID = '6b3a2f4e-6f0d-4a57-9c55-0d3f4d7b2a11';
  let login: FakeMicrosoftLogin;
  let service: FakeBotService;
  let app: App;
  let stop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    login = await FakeMicrosoftLogin.start({ clients: { [APP_ID]: 'app-password-123' } });
    service = await FakeBotService.start({ acceptToken: (a) => login.acceptsConnectorToken(a, APP_ID) });
    const settings = botframeworkDefinition.settings.parse({
      serviceUrls: [`${service.url}/`],
      appId: APP_ID,
      appPassword: 'app-password-123',
    });
    const router = routerFile.parse({ attachments: { fetch: { testHosts: ['127.0.0.1'], maxAttempts: 1 } } });
    ({ app, stop } = await startLocalApp('tp-bf-media-', {
      settings: testSettings({ router, channels: { botframework: { enabled: true, settings } } }),
      adapters: { botframework: botframeworkDefinition },
    }));
  }, 30_000);
  afterAll(async () => {
    await stop?.();
    await service?.close();
    await login?.stop();
  });

  it('fetches a contentUrl on the connector with the connector token; refuses one elsewhere', async () => {
    const photo = randomBytes(12_000);
    const contentUrl = service.addAttachment(photo, 'image/jpeg');
    const body = activity(service.url, {
      id: 'act-file-1',
      channelId: 'webchat',
      attachments: [
        { contentType: 'image/jpeg', contentUrl, name: 'cake.jpg' },
        { contentType: 'image/png', contentUrl: 'https://files.evil.example/x.png', name: 'x.png' },
      ],
    });
    const token = login.channelToken({ appId: APP_ID, serviceUrl: service.url });
    const res = await fetch(`${app.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(200);
    await app.drain();
    const [message] = await inboundOf(app);
    expect(message?.attachments.map((a) => [a.name, a.sha256, a.error])).toEqual([
      ['cake.jpg', sha(photo), undefined],
      ['x.png', undefined, "host files.evil.example is not one of this channel's"],
    ]);
    expect(service.attachmentRequests).toHaveLength(1);
    expect(login.acceptsConnectorToken(service.attachmentRequests[0] ?? null, APP_ID)).toBe(true);
  }, 30_000);
});

/**
 * A voicemail's recording: fetched from Twilio's API with the account's Basic
 * auth (the CDN it redirects to gets none), kept beside its transcription,
 * sound only, and not held to MMS's 5 MB.
 */
describe('voicemail recordings', () => {
  let t: TwilioApp;
  beforeAll(async () => {
    t = await startTwilioApp({
      start: AFTER_HOURS,
      voice: {},
      router: { attachments: { fetch: { testHosts: ['127.0.0.1', 'localhost'], maxAttempts: 1 } } },
    });
  });
  afterAll(async () => {
    await t?.stop();
  });

  let n = 0;
  async function voicemail(caller: string, recordingUrl: string): Promise<Message | undefined> {
    const call = {
      AccountSid: ACCOUNT_SID,
      ApiVersion: '2010-04-01',
      CallSid: `CA${String(++n).padStart(32, '7')}`,
      From: caller,
      To: OUR_SMS,
    };
    await t.post('/twilio/voice', { ...call, CallStatus: 'ringing', Direction: 'inbound' });
    await t.post('/twilio/voice/transcription', {
      ...call,
      RecordingSid: `RE${String(n).padStart(32, '8')}`,
      RecordingUrl: recordingUrl,
      TranscriptionStatus: 'completed',
      TranscriptionText: 'Please call me back about the cake.',
    });
    await t.app.drain();
    const c = (await t.app.store.listConversations({ channel: 'sms' })).find(
      (x) => x.threadKey === `${OUR_SMS}/${caller}`,
    );
    return (await t.app.store.listMessages(c?.id ?? '')).find((m) => m.attachments.length > 0);
  }

  it('keeps a 6 MB recording fetched with the account’s credentials, with its transcription', async () => {
    const sound = randomBytes(6 * 1024 * 1024);
    const before = t.api.mediaRequests.length;
    const message = await voicemail('+14155550601', t.api.addRecording(sound));
    expect(message?.text).toBe('Please call me back about the cake.');
    expect(message?.attachments[0]).toMatchObject({
      contentType: 'audio/mpeg',
      sha256: sha(sound),
      size: sound.length,
    });
    expect(
      t.api.mediaRequests.slice(before).map((r) => [r.path.replace(/RE[0-9a-f]{32}/, 'RE…'), r.authorized]),
    ).toEqual([
      [`/2010-04-01/Accounts/${ACCOUNT_SID}/Recordings/RE….mp3`, true],
      ['/cdn/RE…', false],
    ]);
  });

  it('refuses a recording that is not sound', async () => {
    const message = await voicemail('+14155550602', t.api.addRecording(Buffer.from('<html>'), 'text/html'));
    expect(message?.attachments[0]?.error).toBe('content type text/html is not one this channel takes');
  });
});
