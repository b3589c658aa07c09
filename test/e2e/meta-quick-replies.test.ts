import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messageOf } from '../../adapters/meta/api/send.ts';
import type { App } from '../../src/app.ts';
import { messengerPayload, postSigned, startMessengerRouter } from '../adapters/meta/support.ts';
import type { FakeGraphApi } from '../fakes/graph-api.ts';
import { choiceFlowSettings, TOPICS } from '../support/choice-flow.ts';

/** A choice question on Messenger: quick replies out, the tapped one (or a typed number) back as the answer. */
describe('Messenger quick replies through the whole router', () => {
  let graph: FakeGraphApi;
  let app: App;
  let stopApp: (() => Promise<void>) | undefined;
  let mid = 0;

  beforeAll(async () => {
    ({ app, graph, stop: stopApp } = await startMessengerRouter('tp-meta-quick-', choiceFlowSettings()));
  });
  afterAll(async () => {
    await stopApp?.();
  });

  const says = async (psid: string, text: string, quickReply?: string) => {
    const payload = messengerPayload([
      { psid, mid: `m.quick.${++mid}`, text, timestamp: Date.now(), ...(quickReply ? { quickReply } : {}) },
    ]);
    graph.delivered(payload);
    expect((await postSigned(`${app.url}/meta/facebook`, payload)).status).toBe(200);
    await app.drain();
    return graph.sends.filter((s) => s.to === psid).at(-1);
  };

  it('asks with quick replies (titles cut to 20 characters) and takes the tapped one as the answer', async () => {
    const asked = await says('601', 'I have a question');
    expect(asked?.body.message).toEqual({
      text: 'What would you like to know about?',
      quick_replies: [
        { content_type: 'text', title: TOPICS[0], payload: TOPICS[0] },
        { content_type: 'text', title: 'Vegan and gluten-fr…', payload: TOPICS[1] },
        { content_type: 'text', title: TOPICS[2], payload: TOPICS[2] },
      ],
    });
    expect((await says('601', 'Vegan and gluten-fr…', TOPICS[1]))?.text).toBe('We bake a vegan sourdough every day.');
  }, 30_000);

  it('still takes a typed number or label as the answer', async () => {
    await says('602', 'a question');
    expect((await says('602', '3'))?.text).toBe('Sourdough is £4.80.');
    await says('603', 'a question');
    expect((await says('603', 'celebration cakes'))?.text).toBe('Cakes start at £38.');
  }, 30_000);

  it('keeps the numbered text when there are more options than Messenger shows (13)', () => {
    const options = Array.from({ length: 14 }, (_, i) => ({ value: `o${i}`, label: `Option ${i + 1}` }));
    const text = `Pick one\n\n${options.map((o, i) => `${i + 1}. ${o.label}`).join('\n')}`;
    expect(messageOf({ text, parts: [{ type: 'choices', options }] })).toEqual({ text });
  });
});
