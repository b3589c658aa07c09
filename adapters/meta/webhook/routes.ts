import {
  type ChannelHost,
  type Envelope,
  failsEveryTime,
  type HttpRequest,
  type HttpResponse,
  readOrKeep,
  reasonOf,
} from '../../../src/channel/index.ts';
import { type DmLink, linkKey } from '../links.ts';
import type { MetaChannel, MetaSettings } from '../settings.ts';
import { commentEnvelope, dmEnvelope } from './envelope.ts';
import { type MetaEvent, parseWebhook, type UnreadableEvent } from './parse.ts';
import { subscriptionChallenge, verifySignature } from './verify.ts';

/** Meta batches up to 1,000 events in one delivery. */
const MAX_BODY = 4 * 1024 * 1024;

/**
 * `GET {webhookPath}` answers the subscription check; `POST {webhookPath}`
 * takes signed event batches. The 200 goes out only once every event of the
 * batch is stored (they are ingested together, so one group commit covers
 * them); a storage failure answers 500 and Meta delivers the batch again.
 * A signed batch, or one event of it, that cannot be read is kept
 * (`keepUnreadable`) instead, and the rest of the batch counts: Meta would
 * only deliver it again, and it would fail the same way.
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
      const events = await readOrKeep(host, req.rawBody, () =>
        parseWebhook(JSON.parse(req.rawBody.toString('utf8')), object),
      );
      if (!events) return received;
      const envelopes: Envelope[] = [];
      const unreadable: Array<{ reason: string; raw: unknown }> = [];
      for (const e of events) {
        if (e.type === 'unreadable') {
          unreadable.push(e);
          continue;
        }
        try {
          const envelope = await toEnvelope(channel, host, settings.ours, e);
          if (envelope) envelopes.push(envelope);
        } catch (err) {
          if (!failsEveryTime(err)) throw err;
          unreadable.push({ reason: reasonOf(err), raw: e.type === 'ignored' ? null : e.raw });
        }
      }
      const results = await Promise.allSettled(envelopes.map((e) => host.ingest(e)));
      const failed = results.flatMap((r, i) =>
        r.status === 'rejected' ? [{ err: r.reason, raw: envelopes[i]?.raw }] : [],
      );
      const storeDown = failed.find((f) => !failsEveryTime(f.err));
      if (storeDown) {
        host.log.error({ err: storeDown.err, events: envelopes.length }, 'storing Meta events failed');
        return { status: 500, body: 'the events could not be stored; retry later' };
      }
      for (const f of failed) unreadable.push({ reason: reasonOf(f.err), raw: f.raw });
      for (const u of unreadable) await host.keepUnreadable(u.reason, JSON.stringify(u.raw) ?? 'null');
      return received;
    },
    { maxBodyBytes: MAX_BODY },
  );
}

async function toEnvelope(
  channel: MetaChannel,
  host: ChannelHost,
  ours: string,
  e: Exclude<MetaEvent, UnreadableEvent>,
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

const received: HttpResponse = {
  status: 200,
  headers: { 'content-type': 'text/plain; charset=utf-8' },
  body: 'EVENT_RECEIVED',
};
