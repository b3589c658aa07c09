import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { botframeworkDefinition } from '../../adapters/botframework/definition.ts';
import { withSuggestedActions } from '../../adapters/botframework/suggested-actions.ts';
import type { App } from '../../src/app.ts';
import { activity } from '../adapters/botframework/support.ts';
import { FakeBotService } from '../fakes/botframework-service.ts';
import { choiceFlowSettings, TOPICS } from '../support/choice-flow.ts';
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
      settings: testSettings({ ...choiceFlowSettings(), channels: { botframework: { enabled: true, settings } } }),
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

  it('asks a choice question with suggested actions; the tapped one (imBack) answers it', async () => {
    const post = (id: string, text: string) =>
      fetch(`${app.url}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(activity(service.url, { id, text, conversation: { id: 'conv-2' } })),
      });
    const before = service.received.length;
    expect((await post('act-q-1', 'I have a question')).status).toBe(200);
    const asked = (await service.waitFor(before + 1)).at(-1);
    expect(asked?.activity).toMatchObject({
      text: 'What would you like to know about?',
      suggestedActions: { to: ['user-1'], actions: TOPICS.map((t) => ({ type: 'imBack', title: t, value: t })) },
    });
    // imBack posts the title as the person's message
    expect((await post('act-q-2', TOPICS[1] as string)).status).toBe(200);
    const answered = (await service.waitFor(before + 2)).at(-1);
    expect(answered?.activity).toMatchObject({ text: 'We bake a vegan sourdough every day.' });
    expect(answered?.activity.suggestedActions).toBeUndefined();
  }, 30_000);

  it('keeps the numbered text on Teams for more than the three suggested actions Teams shows', () => {
    const options = ['A', 'B', 'C', 'D'].map((l) => ({ value: l.toLowerCase(), label: l }));
    const text = 'Pick one\n\n1. A\n2. B\n3. C\n4. D';
    const msg = { text, parts: [{ type: 'choices', options, list: '1. A\n2. B\n3. C\n4. D' }] };
    expect(withSuggestedActions(msg, { channelId: 'msteams', user: { id: 'u' } })).toEqual({ text });
    expect(withSuggestedActions(msg, { channelId: 'webchat', user: { id: 'u' } }).text).toBe('Pick one');
  });
});
