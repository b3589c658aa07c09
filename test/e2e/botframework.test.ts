import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { botframeworkDefinition } from '../../adapters/botframework/definition.ts';
import type { App } from '../../src/app.ts';
import { activity } from '../adapters/botframework/support.ts';
import { FakeBotService } from '../fakes/botframework-service.ts';
import { startLocalApp } from '../support/local-app.ts';
import { testSettings } from '../support/settings.ts';

/** An Emulator-style activity (no auth) into the whole router; replies reach the fake serviceUrl. */
describe('Bot Framework through the whole router', () => {
  let service: FakeBotService;
  let app: App;
  let stopApp: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    service = await FakeBotService.start();
    const settings = botframeworkDefinition.settings.parse({ serviceUrls: [`${service.url}/`] });
    ({ app, stop: stopApp } = await startLocalApp('tp-bf-e2e-', {
      settings: testSettings({ channels: { botframework: { enabled: true, settings } } }),
      adapters: { botframework: botframeworkDefinition },
    }));
  });
  afterAll(async () => {
    await stopApp?.();
    await service?.close();
  });

  it('answers an activity, then delivers a later agent reply through the stored reference', async () => {
    const res = await fetch(`${app.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(activity(service.url, { id: 'act-e2e-1' })),
    });
    expect(res.status).toBe(200);
    const [reply] = await service.waitFor(1);
    expect(reply).toMatchObject({
      conversationId: 'conv-1',
      replyToId: 'act-e2e-1',
      activity: { text: 'A loaf is £4.' },
    });

    const [conversation] = await app.store.listConversations({});
    const agent = await fetch(`${app.url}/api/conversations/${conversation?.id}/reply`, {
      method: 'POST',
      headers: { authorization: `Bearer ${app.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'Ann here: we also have rye.', agent: 'Ann' }),
    });
    expect(agent.status).toBe(201);
    const all = await service.waitFor(2);
    expect(all[1]).toMatchObject({
      conversationId: 'conv-1',
      activity: { type: 'message', text: 'Ann here: we also have rye.', recipient: { id: 'user-1' } },
    });
  }, 30_000);
});
