import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discordDefinition } from '../../../adapters/discord/definition.ts';
import type { ChannelAdapter } from '../../../src/channel/contract.ts';
import { silentLogger } from '../../../src/log.ts';
import { FakeHost } from '../email/support/fake-host.ts';
import { startWorld, type World } from './support/world.ts';

/** The real discord.js client, logged in to the fake gateway, feeding a fake host. */
describe('Discord gateway → envelopes (discord.js against a fake Discord)', () => {
  let world: World;
  let host: FakeHost;
  let adapter: ChannelAdapter;

  beforeAll(async () => {
    world = await startWorld();
    host = new FakeHost();
    adapter = await discordDefinition.create(world.settings(), { log: silentLogger, clock: host.clock });
    await adapter.start(host);
    await world.discord.gateway.waitFor(() => world.discord.gateway.connected, 'the bot to connect');
  });
  afterAll(async () => {
    await adapter?.stop();
    await world?.discord.stop();
  });

  const stored = (id: string) =>
    host.waitFor(() => host.stored.has(id), `message ${id}`, 5_000).then(() => host.stored.get(id));

  it('turns a message in a listed channel into a public envelope', async () => {
    const { discord, guild, help, cora } = world;
    const sent = discord.say({ guildId: guild.id, channelId: help, author: cora, content: 'Do you have rye bread?' });
    const env = await stored(sent.id);
    expect(env).toMatchObject({
      channel: 'discord',
      providerId: sent.id,
      touchpoint: { channel: 'discord', kind: 'discord.channel', visibility: 'public' },
      threadKey: `discord:ch:${guild.id}:${help}:${cora.id}`,
      from: { kind: 'discord', value: cora.id, name: 'Cora' },
      text: 'Do you have rye bread?',
      replyRef: { channelId: help, messageId: sent.id, guildId: guild.id },
    });
    expect(env?.flags).toBeUndefined();
  });

  it('takes a mention in another channel, ignores the rest, and keeps DMs private', async () => {
    const { discord, guild, general, cora, otherBot } = world;
    const ignored = discord.say({ guildId: guild.id, channelId: general, author: cora, content: 'just chatting' });
    const byBot = discord.say({ guildId: guild.id, channelId: world.help, author: otherBot, content: 'beep' });
    const mention = discord.say({
      guildId: guild.id,
      channelId: general,
      author: cora,
      content: `<@${discord.bot.id}> are you open today?`,
      mentions: [discord.bot],
    });
    const dm = discord.dm(cora, 'how much is a loaf?');
    expect((await stored(mention.id))?.text).toBe('are you open today?');
    const dmEnv = await stored(dm.id);
    expect(dmEnv).toMatchObject({
      touchpoint: { kind: 'discord.dm', visibility: 'private' },
      threadKey: `discord:dm:${cora.id}`,
      replyRef: { channelId: discord.dmChannelOf(cora.id), messageId: dm.id, guildId: null },
    });
    // Dispatches arrive in order: once the DM is stored, the two skipped ones were seen and dropped.
    expect(host.stored.has(ignored.id)).toBe(false);
    expect(host.stored.has(byBot.id)).toBe(false);
  });

  it('maps a Discord thread to one conversation key', async () => {
    const { discord, guild, help, thread, cora } = world;
    const sent = discord.say({ guildId: guild.id, channelId: thread, author: cora, content: 'Can I add candles?' });
    expect((await stored(sent.id))?.threadKey).toBe(`discord:th:${guild.id}:${help}:${thread}`);
  });

  it('ingests a message dispatched while disconnected exactly once after the session resumes', async () => {
    const { discord, guild, help, cora } = world;
    const gateway = discord.gateway;
    gateway.drop();
    const missed = discord.say({
      guildId: guild.id,
      channelId: help,
      author: cora,
      content: 'sent while you were away',
    });
    await gateway.waitFor(() => gateway.resumes === 1 && gateway.connected, 'the client to resume');
    await stored(missed.id);
    const after = discord.say({ guildId: guild.id, channelId: help, author: cora, content: 'and after' });
    await stored(after.id);
    expect(gateway.identifies).toBe(1);
    expect(host.calls.filter((e) => e.providerId === missed.id)).toHaveLength(1);
  });
});
