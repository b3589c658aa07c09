import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { discordDefinition } from '../../../adapters/discord/definition.ts';
import type { ChannelAdapter, SendCheck } from '../../../src/channel/contract.ts';
import { systemClock } from '../../../src/clock.ts';
import { silentLogger } from '../../../src/log.ts';
import type { OutboundMessage } from '../../../src/model/types.ts';
import { outbound } from './support/outbound.ts';
import { startWorld, type World } from './support/world.ts';

/**
 * Asking Discord, through @discordjs/rest against the fake, whether a reply the
 * router could not record was posted. Discord never returns a nonce in a fetch,
 * so the bot's own messages in the channel since the attempt are matched.
 */
describe('reconciling an unconfirmed Discord reply', () => {
  let world: World;
  let adapter: ChannelAdapter;

  beforeAll(async () => {
    world = await startWorld();
  });
  afterEach(async () => {
    await adapter?.stop();
  });
  afterAll(async () => {
    await world?.discord.stop();
  });

  const fresh = async () => {
    adapter = await discordDefinition.create(world.settings(), { log: silentLogger, clock: systemClock });
    return adapter;
  };
  const check = (m: OutboundMessage, since = Date.now() - 1_000, known: string[] = []): Promise<SendCheck> => {
    if (!adapter.reconcile) throw new Error('the Discord adapter reconciles');
    return adapter.reconcile(m, { since, knownProviderIds: known });
  };

  it('finds the bot’s answer to the customer’s message, and not another answer with the same words', async () => {
    const { discord, guild, help, cora } = world;
    const since = Date.now() - 1_000;
    const asked = discord.say({ guildId: guild.id, channelId: help, author: cora, content: 'price?' });
    const other = discord.say({ guildId: guild.id, channelId: help, author: cora, content: 'and bread?' });
    const threadKey = `discord:ch:${guild.id}:${help}:${cora.id}`;
    const mine = outbound({ threadKey, replyRef: { channelId: help, messageId: asked.id, guildId: guild.id } });
    const theirs = outbound({ threadKey, replyRef: { channelId: help, messageId: other.id, guildId: guild.id } });
    const sent = await (await fresh()).send(mine);
    expect(await check(mine, since)).toEqual({ state: 'sent', providerId: sent.providerId });
    expect(await check(theirs, since)).toEqual({ state: 'not-sent' });
    // A person saying the same words is not the bot's post either.
    discord.say({ guildId: guild.id, channelId: help, author: cora, content: 'A loaf is £4.' });
    expect(await check(outbound({ threadKey, text: 'A loaf is £4.' }), since, [sent.providerId as string])).toEqual({
      state: 'not-sent',
    });
  });

  it('finds every part of a long reply, or says only some went out', async () => {
    const { discord, guild, help, cora } = world;
    const since = Date.now() - 1_000;
    const threadKey = `discord:ch:${guild.id}:${help}:${cora.id}`;
    const text = `${'a'.repeat(1990)} ${'b'.repeat(1990)} ${'c'.repeat(100)}`;
    const msg = outbound({ threadKey, text });
    const sent = await (await fresh()).send(msg);
    expect(await check(msg, since)).toEqual({ state: 'sent', providerId: sent.providerId });
    const posted = discord.posted.slice(-3).map((p) => p.payload.id);
    expect(await check(msg, since, posted.slice(1))).toMatchObject({
      state: 'unknown',
      reason: '1 of its 3 parts were posted',
    });
  });

  it('looks only after the attempt (less clock skew), and never sees a nonce in what it reads', async () => {
    const { discord, guild, help, cora } = world;
    const threadKey = `discord:ch:${guild.id}:${help}:${cora.id}`;
    const msg = outbound({ threadKey, text: 'Opening at nine' });
    await (await fresh()).send(msg);
    expect(await check(msg, Date.now() + 5 * 60_000)).toEqual({ state: 'not-sent' });
    const res = await fetch(`${discord.apiBaseUrl}/v10/channels/${help}/messages?limit=5`, {
      headers: { authorization: 'Bot fake-bot-token' },
    });
    const listed = (await res.json()) as Array<Record<string, unknown>>;
    expect(listed.length).toBeGreaterThan(0);
    expect(listed.some((m) => 'nonce' in m)).toBe(false);
  });
});
