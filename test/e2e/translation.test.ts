import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adapters } from '../../adapters/registry.ts';
import { loadConfig } from '../../src/cli/load-config.ts';
import type { Message } from '../../src/model/types.ts';
import { webchatHistory } from '../adapters/slack/support/desk-app.ts';
import { type FakeLibreTranslate, startFakeLibreTranslate } from '../fakes/libretranslate.ts';
import { type LocalApp, startLocalApp } from '../support/local-app.ts';
import { shiftedClock } from '../support/shifted-clock.ts';

const QUESTION = 'Kann ich morgen eine Torte abholen?';
const QUESTION_EN = 'Can I collect a cake tomorrow?';
const REPLY = 'Yes, from 8:00 at the counter.';
const REPLY_DE = 'Ja, ab 8:00 Uhr an der Theke.';

/**
 * Translation through a local LibreTranslate: the agent writes English, the
 * German customer reads German, the original stays with the message, and the
 * desk gets the customer's words in English as a note.
 */
describe('translation (business.yaml translation: libretranslate)', () => {
  let fake: FakeLibreTranslate;
  let local: LocalApp;

  beforeAll(async () => {
    fake = await startFakeLibreTranslate({ [QUESTION]: QUESTION_EN, [REPLY]: REPLY_DE }, { apiKey: 'lt-key' });
    const settings = loadConfig({ configDir: 'config', flowsDir: 'flows', adapters, env: { ...process.env } });
    settings.business.translation = { provider: 'libretranslate', url: fake.url, apiKey: 'lt-key', timeout: '5s' };
    local = await startLocalApp('tp-translate-', {
      settings,
      adapters,
      clock: shiftedClock(new Date('2026-11-24T10:00:00Z')),
    });
  }, 60_000);

  afterAll(async () => {
    await local?.stop();
    await fake?.close();
  });

  async function germanVisitor(): Promise<{ token: string; conversationId: string }> {
    const url = local.app.url;
    const before = new Set((await local.app.store.listConversations({})).map((c) => c.id));
    const { token } = (await (await fetch(`${url}/webchat/session`, { method: 'POST' })).json()) as { token: string };
    const res = await fetch(`${url}/webchat/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-visitor-token': token },
      body: JSON.stringify({ text: QUESTION, clientId: 'c1' }),
    });
    expect(res.status).toBe(202);
    await local.app.drain();
    const mine = (await local.app.store.listConversations({})).find((c) => !before.has(c.id));
    return { token, conversationId: mine?.id as string };
  }

  const reply = (conversationId: string, text: string) =>
    fetch(`${local.app.url}/api/conversations/${conversationId}/reply`, {
      method: 'POST',
      headers: { authorization: `Bearer ${local.app.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ text, agent: 'maya' }),
    });

  const notes = async (conversationId: string): Promise<string[]> =>
    (await local.app.store.listMessages(conversationId, { includeInternal: true }))
      .filter((m) => m.visibility === 'internal' && m.author.name === 'translation')
      .map((m) => m.text);

  it('the agent writes English and the customer reads German; the original is kept; the desk reads the customer in English', async () => {
    const { token, conversationId } = await germanVisitor();
    const contact = await local.app.store.getContact(
      (await local.app.store.getConversation(conversationId))?.contactId as string,
    );
    expect(contact?.language).toBe('de');

    // The customer's words, translated for the desk, arrive as a note in the background.
    for (let i = 0; i < 50 && (await notes(conversationId)).length === 0; i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(await notes(conversationId)).toEqual([`Translated from de: ${QUESTION_EN}`]);
    expect(fake.requests).toContainEqual({
      path: '/translate',
      body: { q: QUESTION, source: 'de', target: 'en', format: 'text', api_key: 'lt-key' },
    });

    expect((await reply(conversationId, REPLY)).status).toBe(201);
    await local.app.drain();
    expect((await webchatHistory(local.app.url, token)).at(-1)).toBe(REPLY_DE);
    const sent = (await local.app.store.listMessages(conversationId)).at(-1) as Message;
    expect(sent.text).toBe(REPLY_DE);
    expect(sent.parts).toEqual([{ type: 'translation', original: REPLY, from: 'en', to: 'de' }]);
  }, 30_000);

  it('a failing endpoint never loses the reply: it goes out as written and the agents are told', async () => {
    const { token, conversationId } = await germanVisitor();
    fake.failWith = 429;
    try {
      expect((await reply(conversationId, 'See you soon.')).status).toBe(201);
    } finally {
      fake.failWith = null;
    }
    await local.app.drain();
    expect((await webchatHistory(local.app.url, token)).at(-1)).toBe('See you soon.');
    expect((await notes(conversationId)).at(-1)).toMatch(
      /^Not translated into de \(.* answered 429: .*\): the reply went out as written\.$/,
    );
  }, 30_000);
});
