import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discordDefinition } from '../../adapters/discord/definition.ts';
import type { ChannelAdapter } from '../../src/channel/contract.ts';
import { systemClock } from '../../src/clock.ts';
import { SendError } from '../../src/errors.ts';
import { silentLogger } from '../../src/log.ts';
import { outbound } from '../adapters/discord/support/outbound.ts';
import { startWorld, type World } from '../adapters/discord/support/world.ts';
import { keptFiles } from '../support/kept-files.ts';

/**
 * An agent's kept file goes to Discord as a real upload: discord.js's REST
 * client sends multipart/form-data (`payload_json` + `files[n]`, each named
 * in `attachments`), which the fake checks as Discord does.
 */
describe('Discord: agent files uploaded', () => {
  let world: World;
  let kept: Awaited<ReturnType<typeof keptFiles>>;
  let adapter: ChannelAdapter;
  beforeAll(async () => {
    world = await startWorld();
    kept = await keptFiles();
    adapter = await discordDefinition.create(world.settings({ gateway: false }), {
      log: silentLogger,
      clock: systemClock,
    });
    await adapter.start(kept.host);
  });
  afterAll(async () => {
    await adapter?.stop();
    await world?.discord.stop();
    await kept?.close();
  });

  it('uploads the file with the text, the same bytes and name, and a retry posts nothing twice', async () => {
    const { discord, guild, help, cora } = world;
    const photo = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47]), randomBytes(40_000)]);
    const file = await kept.files.keep(photo, 'image/png', 'new-cake.png');
    const msg = outbound({
      threadKey: `discord:ch:${guild.id}:${help}:${cora.id}`,
      text: 'Here is the replacement cake.',
      author: { kind: 'agent', name: 'Dana' },
      attachments: [file],
    });
    const before = discord.posted.length;
    const sent = await adapter.send(msg);
    await adapter.send({ ...msg, attempt: 2 });
    expect(discord.posted).toHaveLength(before + 1);
    const post = discord.posted.at(-1);
    expect(post?.payload.id).toBe(sent.providerId);
    expect(post?.body).toMatchObject({
      content: 'Here is the replacement cake.',
      attachments: [{ id: 0, filename: 'new-cake.png' }],
    });
    expect(post?.files).toHaveLength(1);
    expect(post?.files[0]).toMatchObject({ filename: 'new-cake.png', contentType: 'image/png' });
    expect(post?.files[0]?.bytes.equals(photo)).toBe(true);
    expect(post?.payload.attachments).toMatchObject([{ filename: 'new-cake.png', size: photo.length }]);
  });

  it('sends a file alone, and refuses for good one that is no longer kept', async () => {
    const { discord, guild, help, cora } = world;
    const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(1_000)]);
    const file = await kept.files.keep(pdf, 'application/pdf', 'receipt.pdf');
    const threadKey = `discord:ch:${guild.id}:${help}:${cora.id}`;
    await adapter.send(outbound({ threadKey, text: '', attachments: [file] }));
    expect(discord.posted.at(-1)?.files[0]?.bytes.equals(pdf)).toBe(true);

    await kept.blobs.delete(file.blobKey as string);
    const err = await adapter
      .send(outbound({ threadKey, text: 'again', attachments: [file] }))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SendError);
    expect(err).toMatchObject({ failure: 'permanent' });
    expect((err as Error).message).toMatch(/no longer kept/);
  });
});
