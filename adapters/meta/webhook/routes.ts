import {
  badRequest,
  type ChannelHost,
  type Envelope,
  type HttpRequest,
  type HttpResponse,
} from '../../../src/channel/index.ts';
import { type DmLink, linkKey } from '../links.ts';
import type { MetaChannel, MetaSettings } from '../settings.ts';
import { commentEnvelope, dmEnvelope } from './envelope.ts';
import { type MetaEvent, parseWebhook } from './parse.ts';
import { subscriptionChallenge, verifySignature } from './verify.ts';

/** Meta batches up to 1,000 events in one delivery. */
const MAX_BODY = 4 * 1024 * 1024;

/**
 * `GET {webhookPath}` answers the subscription check; `POST {webhookPath}`
 * takes signed event batches. The 200 goes out only once every event of the
 * batch is stored (they are ingested together, so one group commit covers
 * them); a storage failure answers 500 and Meta delivers the batch again.
 */
export function registerWebhookRoutes(o: { channel: MetaChannel; host: ChannelHost; settings: MetaSettings }): void {
  const { channel, host, settings } = o;
  const object = channel === 'facebook' ? 'page' : 'instagram';

  host.routes.add('GET', settings.webhookPath, (req) => ({
    status: 200,
    headers: { 'content-type': 'text/plain; charset=utf-8' },
    body: subscriptionChallenge(req.query, settings.verifyToken),
  }));

  host.routes.add(
    'POST',
    settings.webhookPath,
    async (req: HttpRequest): Promise<HttpResponse> => {
      verifySignature(req, settings.appSecret);
      const events = parseWebhook(jsonOf(req), object);
      const envelopes: Envelope[] = [];
      for (const e of events) {
        const envelope = await toEnvelope(channel, host, settings.ours, e);
        if (envelope) envelopes.push(envelope);
      }
      try {
        await Promise.all(envelopes.map((e) => host.ingest(e)));
      } catch (err) {
        host.log.error({ err, events: envelopes.length }, 'storing Meta events failed');
        return { status: 500, body: 'the events could not be stored; retry later' };
      }
      return { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'EVENT_RECEIVED' };
    },
    { maxBodyBytes: MAX_BODY },
  );
}

async function toEnvelope(
  channel: MetaChannel,
  host: ChannelHost,
  ours: string,
  e: MetaEvent,
): Promise<Envelope | null> {
  if (e.type === 'ignored') {
    host.log.debug({ reason: e.reason }, 'Meta event ignored');
    return null;
  }
  if (e.ours !== ours) {
    host.log.warn({ ours: e.ours, configured: ours }, 'Meta event for another Page or account ignored');
    return null;
  }
  if (e.type === 'comment') return commentEnvelope(channel, e);
  const link = await host.state.get<DmLink>(linkKey(ours, e.user));
  return dmEnvelope(channel, e, link);
}

function jsonOf(req: HttpRequest): unknown {
  try {
    return JSON.parse(req.rawBody.toString('utf8'));
  } catch {
    throw badRequest('body is not valid JSON');
  }
}
