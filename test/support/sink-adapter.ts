import { z } from 'zod';
import type { AdapterDefinition, ChannelAdapter, ChannelHost } from '../../src/channel/contract.ts';
import { badRequest, permanent, rateLimited, transient } from '../../src/errors.ts';

/**
 * A test channel: inbound as a JSON webhook (`POST /sink/inbound`), outbound
 * as a JSON POST to a provider fake (`sinkUrl`) carrying the outbox id as an
 * idempotency key, the way Discord's nonce works. Used by crash and load tests.
 */
const settings = z.object({ sinkUrl: z.string().url() }).strict();

const inbound = z.object({ id: z.string().min(1), from: z.string().min(1), text: z.string() }).strict();

export const sinkDefinition: AdapterDefinition<z.infer<typeof settings>> = {
  channel: 'sink',
  settings,
  create(s): ChannelAdapter {
    let host: ChannelHost | null = null;
    return {
      channel: 'sink',
      capabilities: { threads: false, privateReply: false, attachments: false, richParts: false, maxTextLength: null, idempotentSend: true },
      rateLimit: { minTimeMs: 0, maxConcurrent: 4 },
      async start(h) {
        host = h;
        h.routes.add('POST', '/sink/inbound', async (req) => {
          let body: unknown;
          try {
            body = JSON.parse(req.rawBody.toString('utf8'));
          } catch {
            throw badRequest('body is not JSON');
          }
          const parsed = inbound.safeParse(body);
          if (!parsed.success) throw badRequest(`invalid message: ${parsed.error.issues[0]?.message ?? 'bad shape'}`);
          const m = parsed.data;
          if (!host) throw new Error('sink adapter not started');
          const r = await host.ingest({
            channel: 'sink',
            providerId: m.id,
            touchpoint: { channel: 'sink', kind: 'sink', visibility: 'private' },
            threadKey: `sink:${m.from}`,
            from: { kind: 'sink', value: m.from },
            text: m.text,
            replyRef: { inbound: m.id },
          });
          return { status: 200, body: { stored: r.stored, duplicate: r.duplicate } };
        });
      },
      async stop() {
        host = null;
      },
      destination: (threadKey) => threadKey.slice('sink:'.length),
      async send(msg) {
        let res: Response;
        try {
          res = await fetch(s.sinkUrl, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ nonce: msg.id, to: msg.destination, text: msg.text, replyTo: msg.replyRef?.inbound ?? null }),
          });
        } catch (err) {
          throw transient('sink unreachable', err);
        }
        const text = await res.text();
        if (res.status === 429) throw rateLimited('sink rate limit', Number(res.headers.get('retry-after') ?? '1') * 1000, 429);
        if (res.status >= 500) throw transient(`sink answered ${res.status}`, undefined, res.status);
        if (!res.ok) throw permanent(`sink refused: ${text}`, res.status);
        return { providerId: (JSON.parse(text) as { id: string }).id, status: 'delivered' };
      },
    };
  },
};
