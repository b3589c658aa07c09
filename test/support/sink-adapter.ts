import { Agent, request } from 'node:http';
import { z } from 'zod';
import type { AdapterDefinition, ChannelAdapter, ChannelHost, SendCheck } from '../../src/channel/contract.ts';
import { badRequest, permanent, rateLimited, transient, uncertain } from '../../src/errors.ts';

/**
 * A test channel: inbound as a JSON webhook (`POST /sink/inbound`), outbound
 * as a JSON POST to a provider fake (`sinkUrl`) carrying the outbox id as a
 * nonce. `idempotent` (the default): the provider deduplicates on it, the way
 * Discord's `enforce_nonce` works, so a resend is harmless. Without it every
 * send creates a message, and `lookup` lets the core ask the provider's
 * message list for the nonce before resending. Used by crash and load tests.
 */
const settings = z
  .object({
    sinkUrl: z.string().url(),
    idempotent: z.boolean().default(true),
    lookup: z.boolean().default(false),
  })
  .strict();

const inbound = z.object({ id: z.string().min(1), from: z.string().min(1), text: z.string() }).strict();

export const sinkDefinition: AdapterDefinition<z.infer<typeof settings>> = {
  channel: 'sink',
  settings,
  async create(s): Promise<ChannelAdapter> {
    let host: ChannelHost | null = null;
    return {
      channel: 'sink',
      capabilities: {
        threads: false,
        privateReply: false,
        attachments: false,
        richParts: false,
        maxTextLength: null,
        idempotentSend: s.idempotent,
      },
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
        const body = JSON.stringify({
          nonce: msg.id,
          enforceNonce: s.idempotent,
          to: msg.destination,
          text: msg.text,
          replyTo: msg.replyRef?.inbound ?? null,
        });
        let res: { status: number; text: string; retryAfter: string | undefined };
        try {
          res = await postJson(s.sinkUrl, body);
        } catch (err) {
          const code = (err as { code?: unknown }).code;
          throw code === 'ECONNREFUSED' ? transient('sink unreachable', err) : uncertain('sink connection lost', err);
        }
        if (res.status === 429) throw rateLimited('sink rate limit', Number(res.retryAfter ?? '1') * 1000, 429);
        if (res.status >= 500) throw transient(`sink answered ${res.status}`, undefined, res.status);
        if (res.status >= 400) throw permanent(`sink refused: ${res.text}`, res.status);
        return { providerId: (JSON.parse(res.text) as { id: string }).id, status: 'delivered' };
      },
      ...(s.lookup ? { reconcile: (msg) => lookUp(s.sinkUrl, msg.destination, msg.id) } : {}),
    };
  },
};

async function lookUp(sinkUrl: string, to: string, nonce: string): Promise<SendCheck> {
  let listed: { messages: Array<{ id: string; nonce: string }> };
  try {
    const res = await fetch(`${sinkUrl}?to=${encodeURIComponent(to)}`);
    if (!res.ok) throw new Error(`sink answered ${res.status}`);
    listed = (await res.json()) as typeof listed;
  } catch (err) {
    throw transient('sink list unreachable', err);
  }
  const hit = listed.messages.find((m) => m.nonce === nonce);
  return hit ? { state: 'sent', providerId: hit.id } : { state: 'not-sent' };
}

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

function postJson(
  url: string,
  body: string,
): Promise<{ status: number; text: string; retryAfter: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        timeout: 10_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            text: Buffer.concat(chunks).toString('utf8'),
            retryAfter: res.headers['retry-after'],
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('sink timed out')));
    req.on('error', reject);
    req.end(body);
  });
}
