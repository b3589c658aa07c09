import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slackDefinition } from '../../adapters/slack/definition.ts';
import { slackSettings } from '../../adapters/slack/settings.ts';
import { webchatDefinition } from '../../adapters/webchat/definition.ts';
import { webchatSettings } from '../../adapters/webchat/settings.ts';
import { type App, startApp } from '../../src/app.ts';
import { silentLogger } from '../../src/log.ts';
import { routerFile } from '../../src/settings/schema.ts';
import { APP_TOKEN, DESK, SECRET, TOKEN, webchatSays } from '../adapters/slack/support/desk-app.ts';
import { FakeSlackApi } from '../fakes/slack-api.ts';
import { testSettings } from '../support/settings.ts';

/**
 * The desk's summary of a broadcast, through the Slack adapter (bolt's web
 * client) against the fake Slack Web API: a post in the desk channel when the
 * broadcast starts, is paused, resumed and is done, with its figures; and a
 * router stopped and started again on the same data posts none of them again.
 */
describe('Slack desk: a summary of each broadcast in the desk channel', () => {
  let slack: FakeSlackApi;
  let dir: string;
  let app: App;

  const settings = () =>
    testSettings({
      router: routerFile.parse({ broadcasts: { desk: { channel: 'slack', to: DESK }, pollInterval: '50ms' } }),
      channels: {
        webchat: { enabled: true, settings: webchatSettings.parse({}) },
        slack: {
          enabled: true,
          rateLimit: { minTimeMs: 50 },
          settings: slackSettings.parse({
            botToken: TOKEN,
            signingSecret: SECRET,
            apiBaseUrl: slack.apiUrl,
            desk: { defaultChannel: DESK, agents: [] },
          }),
        },
      },
    });
  const start = async () => {
    app = await startApp({
      settings: settings(),
      adapters: { webchat: webchatDefinition, slack: slackDefinition },
      dataDir: dir,
      databaseUrl: null,
      port: 0,
      log: silentLogger,
    });
    await app.credentialsChecked();
  };
  const admin = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${app.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${app.adminToken}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return (await res.json()) as { id: string; status: string };
  };
  const summaries = () => slack.posts.filter((p) => p.channel === DESK && p.text.includes('Broadcast "Loaves"'));
  const summary = (words: string) => slack.until(() => summaries().find((p) => p.text.includes(words)));
  const eventOf = (text: string) => /on webchat (started|is done|was \w+):/.exec(text)?.[1];

  beforeAll(async () => {
    slack = await FakeSlackApi.start({ token: TOKEN, appToken: APP_TOKEN, intervalMs: 50, channels: [DESK] });
    dir = await mkdtemp(join(tmpdir(), 'tp-slack-broadcast-'));
    await start();
  }, 30_000);
  afterAll(async () => {
    await app?.stop();
    await slack?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('posts when it starts and when it is done: segment, sent, skipped by why, failed, replies so far', async () => {
    // Three web chat visitors tagged `news`; one of them opted out of the web chat.
    for (const [i, text] of ['one', 'two', 'three'].entries()) {
      await webchatSays(app.url, `hello ${text}`);
      await app.drain();
      const [c] = await app.store.listConversations({ limit: 1 });
      const contactId = c?.contactId as string;
      await app.store.addTags(contactId, ['news']);
      if (i === 2) await app.store.updateContact(contactId, { optOuts: ['webchat'] });
    }
    const made = await admin('POST', '/api/broadcasts', {
      name: 'Loaves',
      channel: 'webchat',
      message: 'Fresh loaves today, {name|friend}!',
      segment: { tags: ['news'] },
      quietHours: false,
    });
    const started = await summary('started');
    expect(started.text).toBe(`:mega: Broadcast "Loaves" on webchat started: 3 contacts in the segment. (${made.id})`);
    const done = await summary('is done');
    expect(done.text.split('\n')).toEqual([
      ':mega: Broadcast "Loaves" on webchat is done: 3 recipients of 3 contacts in the segment.',
      'Sent 2, skipped 1 (1 opted out), failed 0.',
      `0 replied so far. (${made.id})`,
    ]);
    await new Promise((r) => setTimeout(r, 300));
    expect(summaries().map((p) => eventOf(p.text))).toEqual(['started', 'is done']);
  }, 30_000);

  it('posts each change once: a router started again on the same data posts none again', async () => {
    const before = summaries().map((p) => p.text);
    // Paused before it starts; the router stops at once, maybe before the post is out.
    const made = await admin('POST', '/api/broadcasts', {
      name: 'Loaves',
      channel: 'webchat',
      message: 'Second batch!',
      segment: { tags: ['news'] },
      startAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
    expect((await admin('POST', `/api/broadcasts/${made.id}/pause`)).status).toBe('paused');
    await app.stop();
    await start();
    await summary('was paused');
    expect((await admin('POST', `/api/broadcasts/${made.id}/cancel`)).status).toBe('cancelled');
    const cancelled = await summary('was cancelled');
    expect(cancelled.text).toContain('0 recipients of 3 contacts in the segment.');
    await new Promise((r) => setTimeout(r, 500));
    await app.drain();
    // What the first router posted stays as it was; the pause and the cancel once each; nothing more.
    const after = summaries().map((p) => p.text);
    expect(after.slice(0, before.length)).toEqual(before);
    expect(after.slice(before.length).map(eventOf)).toEqual(['was paused', 'was cancelled']);
  }, 30_000);
});
