import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discordDefinition } from '../../adapters/discord/definition.ts';
import type { App } from '../../src/app.ts';
import { startWorld, type World } from '../adapters/discord/support/world.ts';
import { startLocalApp } from '../support/local-app.ts';
import { testSettings } from '../support/settings.ts';

/** The whole router with the Discord adapter, discord.js logged in to the fake Discord. */
describe('Discord DM end to end', () => {
  let world: World;
  let app: App;
  let stopApp: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    world = await startWorld();
    ({ app, stop: stopApp } = await startLocalApp('tp-discord-e2e-', {
      settings: testSettings({ channels: { discord: { enabled: true, settings: world.settings() } } }),
      adapters: { discord: discordDefinition },
    }));
    await world.discord.gateway.waitFor(() => world.discord.gateway.connected, 'the bot to connect');
  });
  afterAll(async () => {
    await stopApp?.();
    await world?.discord.stop();
  });

  it('answers "how much is a loaf?" in the DM channel', async () => {
    const { discord, cora } = world;
    const asked = discord.dm(cora, 'how much is a loaf?');
    await discord.waitForPosts(1, 10_000);
    const [answer] = discord.posted;
    expect(answer?.payload.channel_id).toBe(discord.dmChannelOf(cora.id));
    expect(answer?.body).toMatchObject({
      content: 'A loaf is £4.',
      enforce_nonce: true,
      message_reference: { message_id: asked.id },
    });
    expect(String(answer?.body.nonce).length).toBeLessThanOrEqual(25);

    const conversations = await app.store.listConversations({});
    expect(conversations).toHaveLength(1);
    const [conversation] = conversations;
    expect(conversation?.touchpoint).toEqual({ channel: 'discord', kind: 'discord.dm', visibility: 'private' });
    expect(conversation?.threadKey).toBe(`discord:dm:${cora.id}`);
    const messages = await app.store.listMessages(conversation?.id ?? '');
    expect(messages.map((m) => `${m.direction}: ${m.text}`)).toEqual([
      'inbound: how much is a loaf?',
      'outbound: A loaf is £4.',
    ]);
    await expect
      .poll(async () => (await app.store.listMessages(conversation?.id ?? ''))[1]?.providerId)
      .toBe(answer?.payload.id);
  }, 15_000);
});
