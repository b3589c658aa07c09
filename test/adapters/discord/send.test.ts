import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { nonceFor } from '../../../adapters/discord/api/nonce.ts';
import { discordDefinition } from '../../../adapters/discord/definition.ts';
import type { ChannelAdapter } from '../../../src/channel/contract.ts';
import { systemClock } from '../../../src/clock.ts';
import { SendError } from '../../../src/errors.ts';
import { silentLogger } from '../../../src/log.ts';
import { outbound } from './support/outbound.ts';
import { startWorld, type World } from './support/world.ts';

/** Sends through @discordjs/rest (the client discord.js uses) to the fake REST API. */
describe('Discord sends', () => {
  let world: World;
  let adapter: ChannelAdapter;
  const fresh = async () => {
    adapter = await discordDefinition.create(world.settings(), { log: silentLogger, clock: systemClock });
    return adapter;
  };

  beforeAll(async () => {
    world = await startWorld();
  });
  afterEach(async () => {
    await adapter?.stop();
    world.discord.script.length = 0;
  });
  afterAll(async () => {
    await world?.discord.stop();
  });

  const failure = async (p: Promise<unknown>): Promise<SendError> => {
    const err = await p.then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SendError);
    return err as SendError;
  };

  it('answers in the same channel with the message reference and a nonce, and a retry does not post twice', async () => {
    const { discord, guild, help, cora } = world;
    const asked = discord.say({ guildId: guild.id, channelId: help, author: cora, content: 'price?' });
    const msg = outbound({
      threadKey: `discord:ch:${guild.id}:${help}:${cora.id}`,
      replyRef: { channelId: help, messageId: asked.id, guildId: guild.id },
    });
    const first = await (await fresh()).send(msg);
    const again = await adapter.send({ ...msg, attempt: 2 });
    expect(discord.messageRequests).toBe(2);
    expect(discord.posted).toHaveLength(1);
    expect(again.providerId).toBe(first.providerId);
    const [post] = discord.posted;
    expect(post?.payload.channel_id).toBe(help);
    expect(post?.body).toMatchObject({
      content: 'A loaf is £4.',
      nonce: nonceFor(msg.id),
      enforce_nonce: true,
      message_reference: { message_id: asked.id },
      allowed_mentions: { parse: ['users'] },
    });
  });

  it('opens a DM to start a private thread with a user', async () => {
    const { discord, cora } = world;
    discord.dm(cora, 'hello');
    const thread = (await fresh()).startThread?.({ to: { kind: 'discord', value: cora.id } });
    expect(thread).toEqual({
      threadKey: `discord:dm:${cora.id}`,
      touchpoint: { channel: 'discord', kind: 'discord.dm', visibility: 'private' },
      replyRef: null,
    });
    expect(adapter.startThread?.({ to: { kind: 'email', value: 'cora@example.test' } })).toBeNull();
    const before = discord.posted.length;
    await adapter.send(outbound({ threadKey: thread?.threadKey ?? '', text: 'Let us continue here.' }));
    expect(discord.posted[before]?.payload.channel_id).toBe(discord.dmChannelOf(cora.id));
    expect(discord.posted[before]?.body.message_reference).toBeUndefined();
  });

  it('splits text longer than Discord allows, each part with its own nonce', async () => {
    const { discord, general, guild, cora } = world;
    const before = discord.posted.length;
    const text = `${'a'.repeat(1500)}\n\n${'b'.repeat(1500)}`;
    await (await fresh()).send(outbound({ threadKey: `discord:ch:${guild.id}:${general}:${cora.id}`, text }));
    const parts = discord.posted.slice(before).map((p) => p.body);
    expect(parts.map((p) => String(p.content).length)).toEqual([1500, 1500]);
    expect(new Set(parts.map((p) => p.nonce)).size).toBe(2);
  });

  it('reports a 429 as rate_limited with Retry-After, without waiting in discord.js', async () => {
    const { discord, guild, general, cora } = world;
    discord.script.push({ status: 429, retryAfterSeconds: 7 });
    const started = Date.now();
    const err = await failure(
      (await fresh()).send(outbound({ threadKey: `discord:ch:${guild.id}:${general}:${cora.id}` })),
    );
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(err.failure).toBe('rate_limited');
    expect(err.retryAfterMs).toBeGreaterThanOrEqual(7_000);
    expect(err.retryAfterMs).toBeLessThan(8_000);
  });

  it('sorts server errors, dropped connections, closed DMs and unknown channels', async () => {
    const { discord, guild, help, cora } = world;
    const key = `discord:ch:${guild.id}:${help}:${cora.id}`;
    discord.script.push({ status: 502 });
    expect((await failure((await fresh()).send(outbound({ threadKey: key })))).failure).toBe('transient');
    discord.script.push({ drop: true });
    expect((await failure(adapter.send(outbound({ threadKey: key })))).failure).toBe('transient');

    discord.closedDms.add(cora.id);
    const closed = await failure(adapter.send(outbound({ threadKey: `discord:dm:${cora.id}` })));
    discord.closedDms.delete(cora.id);
    expect(closed).toMatchObject({ failure: 'permanent', providerCode: '50007' });

    const unknown = await failure(
      adapter.send(outbound({ threadKey: `discord:ch:${guild.id}:123456789012345678:${cora.id}` })),
    );
    expect(unknown).toMatchObject({ failure: 'permanent', providerCode: '10003' });
    expect((await failure(adapter.send(outbound({ threadKey: 'email:x' })))).failure).toBe('permanent');
  });
});
