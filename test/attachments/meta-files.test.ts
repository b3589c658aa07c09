import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metaFileLimits } from '../../adapters/meta/api/send.ts';
import { facebookDefinition } from '../../adapters/meta/definition.ts';
import { HOUR_MS } from '../../adapters/meta/window.ts';
import type { ChannelAdapter } from '../../src/channel/contract.ts';
import { fileRefusal } from '../../src/channel/file-limits.ts';
import { VirtualClock } from '../../src/clock.ts';
import { silentLogger } from '../../src/log.ts';
import { ACCESS_TOKEN, APP_SECRET, outbound, PAGE_ID, VERIFY_TOKEN } from '../adapters/meta/support.ts';
import { FakeGraphApi } from '../fakes/graph-api.ts';
import { createFakeHost } from '../support/fake-host.ts';
import { type KeptFiles, keptFiles } from '../support/kept-files.ts';

/**
 * An agent's kept files go to a Messenger conversation as Send API
 * attachments by URL (the signed link), one message each after the text,
 * which the Graph fake downloads as Meta does; a retry sends only what is
 * missing; a comment thread takes text only.
 */
describe('Messenger: agent files as Send API attachments', () => {
  let graph: FakeGraphApi;
  let kept: KeptFiles;
  let adapter: ChannelAdapter;
  const clock = new VirtualClock();

  beforeAll(async () => {
    graph = await FakeGraphApi.start({ accessToken: ACCESS_TOKEN, pages: [PAGE_ID], now: () => clock.now() });
    kept = await keptFiles();
    const settings = facebookDefinition.settings.parse({
      appSecret: APP_SECRET,
      verifyToken: VERIFY_TOKEN,
      accessToken: ACCESS_TOKEN,
      apiBaseUrl: graph.url,
      pageId: PAGE_ID,
    });
    adapter = await facebookDefinition.create(settings, { log: silentLogger, clock });
    await adapter.start({
      ...createFakeHost({ publicUrl: 'https://touchpoint.example.com/', clock }).host,
      files: kept.files,
    });
  });
  afterAll(async () => {
    await adapter?.stop();
    await graph?.close();
    await kept?.close();
  });

  it('sends the text, then each file by its signed link; Meta downloads the same bytes; a retry sends only the rest', async () => {
    const now = clock.now();
    graph.personWrote(PAGE_ID, '501', now - HOUR_MS);
    const photo = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(20_000)]);
    const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(8_000)]);
    const image = await kept.files.keep(photo, 'image/jpeg', 'cake.jpg');
    const doc = await kept.files.keep(pdf, 'application/pdf', 'receipt.pdf');
    const msg = outbound({
      threadKey: `dm:${PAGE_ID}:501`,
      lastInboundAt: now - HOUR_MS,
      text: 'Photo and receipt attached',
      author: { kind: 'agent', name: 'Dana' },
      attachments: [image, doc],
    });
    // The PDF's link cannot be downloaded (gone from the store): Meta refuses that message alone.
    await kept.blobs.delete(doc.blobKey as string);
    await expect(adapter.send(msg)).rejects.toThrow(/Failed to fetch the file from the url/);
    expect(graph.sends.map((s) => s.file?.type ?? 'text')).toEqual(['text', 'image']);

    await kept.files.keep(pdf, 'application/pdf', 'receipt.pdf');
    const sent = await adapter.send({ ...msg, attempt: 2 });
    expect(sent.providerId).toBe('m_1');
    expect(graph.sends.map((s) => s.file?.type ?? 'text')).toEqual(['text', 'image', 'file']);
    expect(graph.sends[1]?.file?.bytes.equals(photo)).toBe(true);
    expect(graph.sends[1]?.file?.contentType).toBe('image/jpeg');
    expect(graph.sends[2]?.file?.bytes.equals(pdf)).toBe(true);
    expect(graph.sends[2]?.body).toMatchObject({
      recipient: { id: '501' },
      messaging_type: 'RESPONSE',
      message: { attachment: { type: 'file', payload: { is_reusable: false } } },
    });
  });

  it('refuses files on a comment thread for good (a comment reply carries text only)', async () => {
    const file = await kept.files.keep(Buffer.from('%PDF-1.4 c'), 'application/pdf', 'c.pdf');
    const err = await adapter
      .send(
        outbound({
          threadKey: `comment:${PAGE_ID}:p_c1`,
          replyRef: { comment: 'p_c1', root: 'p_c1' },
          attachments: [file],
        }),
      )
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ failure: 'permanent', message: 'a comment reply carries text only' });
  });

  it('names what Instagram cannot carry: a PDF, or a file over 25 MB', () => {
    const ig = metaFileLimits('instagram');
    expect(fileRefusal(ig, { contentType: 'application/pdf', size: 1_000 })).toMatch(
      /application\/pdf files are not carried/,
    );
    expect(fileRefusal(ig, { contentType: 'image/png', size: 30 * 1024 * 1024 })).toMatch(
      /more than its 26214400-byte limit/,
    );
    expect(fileRefusal(ig, { contentType: 'image/png', size: 1_000 })).toBeNull();
    expect(fileRefusal(metaFileLimits('facebook'), { contentType: 'application/pdf', size: 1_000 })).toBeNull();
  });
});
