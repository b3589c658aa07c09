import { afterEach, describe, expect, it } from 'vitest';
import { refusal } from '../../support/send-refusal.ts';
import { activity, outbound, startBot } from './support.ts';

type Bot = Awaited<ReturnType<typeof startBot>>;

describe('Bot Framework adapter (CloudAdapter, no app id, fake service)', () => {
  let bot: Bot;
  afterEach(() => bot?.close());

  it('stores a message activity posted without auth before answering 200', async () => {
    bot = await startBot();
    const res = await bot.post(activity(bot.service.url));
    expect(res.status).toBe(200);
    expect(bot.ingestCalls).toHaveLength(1);
    expect(bot.ingestCalls[0]).toMatchObject({ threadKey: 'emulator/conv-1', text: 'How much is a loaf?' });
  });

  it('replies through the stored reference, to the customer’s activity', async () => {
    bot = await startBot();
    await bot.post(activity(bot.service.url));
    const env = bot.ingestCalls[0]!;
    const sent = await bot.adapter.send(outbound({ threadKey: env.threadKey, replyRef: env.replyRef ?? null }));
    expect(sent.providerId).toBe('act-1');
    expect(bot.service.received).toMatchObject([
      {
        conversationId: 'conv-1',
        replyToId: 'act-1',
        authorization: null,
        activity: { type: 'message', text: 'A loaf is £4.', recipient: { id: 'user-1' }, from: { id: 'bot-1' } },
      },
    ]);
  });

  it('ignores activities that are not messages', async () => {
    bot = await startBot();
    const res = await bot.post(
      activity(bot.service.url, { type: 'conversationUpdate', membersAdded: [{ id: 'user-1' }] }),
    );
    expect(res.status).toBe(200);
    expect(bot.ingestCalls).toHaveLength(0);
  });

  it('refuses a serviceUrl off the allow-list (403), bad JSON and activities without a type (400)', async () => {
    bot = await startBot();
    const res = await bot.post(activity('https://evil.test/'));
    expect(res).toEqual({
      status: 403,
      text: expect.stringMatching(/serviceUrl https:\/\/evil.test\/ is not allowed/),
    });
    expect((await bot.post('{nope')).status).toBe(400);
    expect((await bot.post({ text: 'hi' })).status).toBe(400);
    expect(bot.ingestCalls).toHaveLength(0);
  });

  it('answers 500 when the activity cannot be stored', async () => {
    bot = await startBot();
    bot.control.failIngest = true;
    expect((await bot.post(activity(bot.service.url))).status).toBe(500);
  });

  it('requires a token when an app id is configured', async () => {
    bot = await startBot({ appId: '00000000-0000-0000-0000-000000000001', appPassword: 'secret' });
    const res = await bot.post(activity(bot.service.url));
    expect(res.status).toBe(401);
    expect(bot.ingestCalls).toHaveLength(0);
  });

  it('maps connector failures and refuses a thread without a reference', async () => {
    bot = await startBot();
    await bot.post(activity(bot.service.url));
    const env = bot.ingestCalls[0]!;
    // (429 and 5xx are retried inside the connector client first: the unit tests cover their mapping)
    bot.service.script({ status: 404 });
    const gone = await refusal(
      bot.adapter.send(outbound({ threadKey: env.threadKey, replyRef: env.replyRef ?? null })),
    );
    expect(gone).toMatchObject({ failure: 'permanent', providerCode: 'Scripted' });
    expect(gone.message).toMatch(/answered 404/);
    const none = await refusal(bot.adapter.send(outbound({ threadKey: env.threadKey })));
    expect(none.message).toMatch(/must write to the bot first/);
  });
});
