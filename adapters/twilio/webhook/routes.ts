import twilio from 'twilio';
import {
  badRequest,
  type ChannelHost,
  type DeliveryStatus,
  type Envelope,
  type HttpRequest,
  type HttpResponse,
  readOrKeep,
} from '../../../src/channel/index.ts';
import { deliveryError } from '../api/delivery-codes.ts';
import { isWhatsapp } from '../numbers.ts';
import type { TwilioChannel } from '../settings.ts';
import { messageEnvelope } from './envelope.ts';
import { parseWebhook } from './parse.ts';
import { verifyWebhook, webhookParams } from './verify.ts';

const EMPTY_TWIML = new twilio.twiml.MessagingResponse().toString();

export const twiml = (xml: string, status = 200): HttpResponse => ({
  status,
  headers: { 'content-type': 'text/xml; charset=utf-8' },
  body: xml,
});

/** Twilio's status words onto ours; the inbound ones (received, receiving) never come here. */
const STATUS: Record<string, DeliveryStatus> = {
  accepted: 'queued',
  scheduled: 'queued',
  queued: 'queued',
  sending: 'sending',
  sent: 'sent',
  delivered: 'delivered',
  partially_delivered: 'delivered',
  read: 'read',
  undelivered: 'failed',
  failed: 'failed',
  canceled: 'failed',
};

/**
 * Stores the envelope and answers only once it is stored; a failure answers
 * 500 so Twilio's fallback URL can retry, unless the envelope itself was
 * refused: then its parameters are kept for inspection and Twilio hears 200.
 */
export async function ingestThenAnswer(host: ChannelHost, envelope: Envelope, answer: string): Promise<HttpResponse> {
  try {
    await readOrKeep(host, JSON.stringify(envelope.raw) ?? '', () => host.ingest(envelope));
  } catch (err) {
    host.log.error({ err, providerId: envelope.providerId }, 'storing a Twilio event failed');
    return { status: 500, body: 'the event could not be stored; retry later' };
  }
  return twiml(answer);
}

/** The parameters and event of a verified request, or null when they cannot be read (then kept). */
export function readWebhook(host: ChannelHost, req: HttpRequest) {
  return readOrKeep(host, req.rawBody, () => {
    const params = webhookParams(req);
    return { params, event: parseWebhook(params) };
  });
}

/**
 * `POST {webhookPath}/{channel}` (incoming messages) and
 * `POST {webhookPath}/{channel}/status` (delivery reports). Both accept
 * either kind, since a number's console settings are easily swapped.
 */
export function registerMessagingRoutes(o: {
  channel: TwilioChannel;
  host: ChannelHost;
  authToken: string;
  path: string;
}) {
  const { channel, host } = o;
  const handle = async (req: HttpRequest): Promise<HttpResponse> => {
    verifyWebhook(req, o.authToken);
    const read = await readWebhook(host, req);
    if (!read) return twiml(EMPTY_TWIML);
    const { params, event } = read;
    if (event.type === 'unsupported') {
      await host.keepUnreadable(event.reason, req.rawBody);
      return twiml(EMPTY_TWIML);
    }
    if (event.type === 'status') {
      const status = STATUS[event.status];
      if (!status) {
        host.log.debug({ sid: event.sid, status: event.status }, 'Twilio status ignored');
        return twiml(EMPTY_TWIML);
      }
      try {
        await host.updateDelivery(event.sid, status, event.errorCode ? deliveryError(event.errorCode) : null);
      } catch (err) {
        host.log.error({ err, sid: event.sid }, 'recording a Twilio delivery report failed');
        return { status: 500, body: 'the delivery report could not be recorded' };
      }
      return twiml(EMPTY_TWIML);
    }
    if (event.type !== 'message') {
      host.log.warn({ reason: 'a call', path: req.path }, 'Twilio request ignored');
      return twiml(EMPTY_TWIML);
    }
    if (isWhatsapp(event.from) !== (channel === 'whatsapp')) {
      // An error shows the misconfigured sender in Twilio's debugger; a silent 200 would hide it.
      // Twilio does not retry messaging webhooks, so the message is kept for a person to see.
      const other = channel === 'whatsapp' ? 'sms' : 'whatsapp';
      const reason = `a ${other} message reached the ${channel} webhook: point that sender at the ${other} webhook`;
      await host.keepUnreadable(reason, req.rawBody);
      throw badRequest(reason);
    }
    const envelope = messageEnvelope(channel, event, params);
    if (!envelope) {
      host.log.warn({ sid: event.sid, from: event.from }, 'message from a sender that cannot be answered ignored');
      return twiml(EMPTY_TWIML);
    }
    return ingestThenAnswer(host, envelope, EMPTY_TWIML);
  };
  host.routes.add('POST', o.path, handle);
  host.routes.add('POST', `${o.path}/status`, handle);
}
