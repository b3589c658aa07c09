import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slackDefinition } from '../../adapters/slack/definition.ts';
import { slackSettings } from '../../adapters/slack/settings.ts';
import { webchatDefinition } from '../../adapters/webchat/definition.ts';
import { webchatSettings } from '../../adapters/webchat/settings.ts';
import { AGENT, DESK, SECRET, TOKEN } from '../adapters/slack/support/desk-app.ts';
import { startTwilioApp, type TwilioApp } from '../e2e/twilio-app.ts';
import { FakeSlackApi } from '../fakes/slack-api.ts';

/**
 * A file the visitor uploads in the web chat (kept when it arrives, no fetch
 * job) reaches the agent like any customer's file: uploaded into the Slack
 * desk thread through files.uploadV2, with the same bytes.
 */
describe('a web chat upload reaches the Slack desk thread', () => {
  let t: TwilioApp;
  let slack: FakeSlackApi;

  beforeAll(async () => {
    slack = await FakeSlackApi.start({ token: TOKEN, intervalMs: 0, channels: [DESK] });
    const settings = slackSettings.parse({
      botToken: TOKEN,
      signingSecret: SECRET,
      apiBaseUrl: slack.apiUrl,
      desk: { defaultChannel: DESK, agents: [{ slackUser: AGENT, agent: 'maya', name: 'Maya' }] },
    });
    t = await startTwilioApp({
      router: { attachments: { fetch: { testHosts: ['127.0.0.1', 'localhost'], maxAttempts: 3 } } },
      moreChannels: {
        channels: {
          webchat: { enabled: true, settings: webchatSettings.parse({}) },
          slack: { enabled: true, rateLimit: { minTimeMs: 50 }, settings },
        },
        adapters: { webchat: webchatDefinition, slack: slackDefinition },
      },
    });
  }, 30_000);
  afterAll(async () => {
    await t?.stop();
    await slack?.stop();
  });

  it('uploads the visitor’s PDF into the thread of their conversation', async () => {
    const url = t.app.url;
    const { token } = (await (await fetch(`${url}/webchat/session`, { method: 'POST' })).json()) as { token: string };
    const headers = { 'x-visitor-token': token };
    const said = await fetch(`${url}/webchat/messages`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'I want to talk to a person please, the cake arrived squashed', clientId: 'c1' }),
    });
    expect(said.status).toBe(202);
    await t.app.drain();
    const thread = await slack.until(() =>
      slack.posts.find((p) => p.channel === DESK && p.threadTs === null && p.blocks),
    );

    const receipt = Buffer.from('%PDF-1.4\n% order 1042, one chocolate cake\n');
    const uploaded = await fetch(`${url}/webchat/files?clientId=f1&name=receipt.pdf`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/pdf' },
      body: new Uint8Array(receipt),
    });
    expect(uploaded.status).toBeLessThan(300);
    await t.app.drain();
    const shown = await slack.until(() => slack.files.shared.find((f) => f.threadTs === thread.ts));
    expect(shown.channel).toBe(DESK);
    const hash = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    expect(hash(shown.bytes)).toBe(hash(receipt));
    // Once: the thread's next sync (the visitor writes again) does not upload it again.
    await fetch(`${url}/webchat/messages`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'that is the receipt', clientId: 'c2' }),
    });
    await t.app.drain();
    await slack.until(() =>
      slack.posts.find((p) => p.threadTs === thread.ts && p.text.includes('that is the receipt')),
    );
    expect(slack.files.shared.filter((f) => f.threadTs === thread.ts)).toHaveLength(1);
  });
});
