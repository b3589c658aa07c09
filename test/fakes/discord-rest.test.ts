import { DiscordAPIError, REST, Routes } from 'discord.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeDiscord, NONCE_TTL_MS } from './discord/fake-discord.ts';
import { snowflake } from './discord/snowflake.ts';

/** The fake Discord REST API refuses what Discord refuses, seen through @discordjs/rest. */
const TOKEN = 'rest-token';
const channel = snowflake();
let now = Date.UTC(2026, 0, 5, 9);
let discord: FakeDiscord;
let rest: REST;

beforeAll(async () => {
  discord = await FakeDiscord.start({
    token: TOKEN,
    guilds: [{ id: snowflake(), name: 'Bakery', channels: [{ id: channel, name: 'help' }], threads: [] }],
    now: () => now,
  });
  rest = new REST({ api: discord.apiBaseUrl, retries: 0 }).setToken(TOKEN);
});
afterAll(() => discord.stop());
beforeEach(() => {
  discord.posted.length = 0;
});

const post = (body: Record<string, unknown>) => rest.post(Routes.channelMessages(channel), { body });

async function refusal(p: Promise<unknown>): Promise<{ status: number; code: number | string }> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DiscordAPIError);
  const e = err as DiscordAPIError;
  return { status: e.status, code: e.code };
}

describe('fake Discord REST refusals', () => {
  it('returns the earlier message for a repeated nonce only for a few minutes', async () => {
    const body = { content: 'A loaf is £4.', nonce: 'tp-nonce-1', enforce_nonce: true };
    const first = (await post(body)) as { id: string };
    now += NONCE_TTL_MS - 1;
    expect(((await post(body)) as { id: string }).id).toBe(first.id);
    now += 1;
    expect(((await post(body)) as { id: string }).id).not.toBe(first.id);
    expect(discord.posted).toHaveLength(2);
  });

  it('posts a repeated nonce again without enforce_nonce', async () => {
    await post({ content: 'one', nonce: 'tp-nonce-2' });
    await post({ content: 'one', nonce: 'tp-nonce-2' });
    expect(discord.posted).toHaveLength(2);
  });

  it('refuses an empty or blank message (50006) and content over 2,000 characters (50035)', async () => {
    expect(await refusal(post({ content: '' }))).toEqual({ status: 400, code: 50006 });
    expect(await refusal(post({ content: ' \n\t ' }))).toEqual({ status: 400, code: 50006 });
    expect(await refusal(post({ nonce: 'tp-nonce-3', enforce_nonce: true }))).toEqual({ status: 400, code: 50006 });
    expect(await refusal(post({ content: 'x'.repeat(2_001) }))).toEqual({ status: 400, code: 50035 });
    expect(discord.posted).toHaveLength(0);
  });
});
