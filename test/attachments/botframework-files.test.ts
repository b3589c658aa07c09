import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { botframeworkDefinition } from '../../adapters/botframework/definition.ts';
import type { ChannelAdapter } from '../../src/channel/contract.ts';
import { VirtualClock } from '../../src/clock.ts';
import { silentLogger } from '../../src/log.ts';
import { activity, outbound } from '../adapters/botframework/support.ts';
import { FakeBotService } from '../fakes/botframework-service.ts';
import { createFakeHost } from '../support/fake-host.ts';
import { startHarness } from '../support/http-harness.ts';
import { type KeptFiles, keptFiles } from '../support/kept-files.ts';

/**
 * An agent's kept file goes to a Bot Framework conversation as an attachment
 * (contentType, name, contentUrl = the signed link), sent by botbuilder's
 * CloudAdapter to a connector fake that checks the attachment as the
 * connector does; the client fetching the link gets the same bytes.
 */
describe('Bot Framework: agent files as attachments', () => {
  let service: FakeBotService;
  let kept: KeptFiles;
  let adapter: ChannelAdapter;
  let harness: Awaited<ReturnType<typeof startHarness>>;
  let fake: ReturnType<typeof createFakeHost>;

  beforeAll(async () => {
    service = await FakeBotService.start();
    kept = await keptFiles();
    const settings = botframeworkDefinition.settings.parse({ serviceUrls: [`${service.url}/`] });
    adapter = await botframeworkDefinition.create(settings, { log: silentLogger, clock: new VirtualClock() });
    fake = createFakeHost({ publicUrl: 'https://touchpoint.example.com/' });
    await adapter.start({ ...fake.host, files: kept.files });
    harness = await startHarness(fake.routes, 'https://touchpoint.example.com');
  });
  afterAll(async () => {
    await adapter?.stop();
    await harness?.close();
    await service?.close();
    await kept?.close();
  });

  it('sends the file on a signed link the client can fetch, with its name and type', async () => {
    await fetch(`${harness.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(activity(service.url)),
    });
    const env = fake.ingestCalls[0];
    expect(env).toBeDefined();
    const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(5_000)]);
    const file = await kept.files.keep(pdf, 'application/pdf', 'invoice.pdf');
    await adapter.send(
      outbound({
        threadKey: env?.threadKey as string,
        replyRef: env?.replyRef ?? null,
        text: 'Your invoice',
        attachments: [file],
      }),
    );
    const [got] = service.received;
    const [att] = (got?.activity.attachments ?? []) as Array<{ contentType: string; contentUrl: string; name: string }>;
    expect(att).toMatchObject({ contentType: 'application/pdf', name: 'invoice.pdf' });
    expect(att?.contentUrl.startsWith(`${kept.publicUrl}/media/${file.sha256}?`)).toBe(true);
    const res = await fetch(att?.contentUrl as string);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(pdf)).toBe(true);
  });

  it('refuses for good a kept file it cannot link to, instead of sending without it', async () => {
    const noLinks = { ...kept.files, link: () => null };
    const other = await botframeworkDefinition.create(
      botframeworkDefinition.settings.parse({ serviceUrls: [`${service.url}/`] }),
      { log: silentLogger, clock: new VirtualClock() },
    );
    await other.start({ ...createFakeHost({ publicUrl: 'https://x.example/' }).host, files: noLinks });
    const file = await kept.files.keep(Buffer.from('%PDF-1.4 x'), 'application/pdf', 'x.pdf');
    const env = fake.ingestCalls[0];
    const err = await other
      .send(outbound({ threadKey: env?.threadKey as string, replyRef: env?.replyRef ?? null, attachments: [file] }))
      .catch((e: unknown) => e);
    await other.stop();
    expect(err).toMatchObject({ failure: 'permanent' });
  });
});
