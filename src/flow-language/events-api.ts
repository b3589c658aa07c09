import { z } from 'zod';
import type { Clock } from '../clock.ts';
import { checkedIdentity } from '../contacts/link.ts';
import type { WriteDeps, Written } from '../decide/write-decision.ts';
import type { RouteRegistry } from '../http/http-types.ts';
import { jsonBody } from '../http/json-body.ts';
import type { IdentityRef } from '../model/types.ts';
import type { FirstContactDeps } from '../outbound/first-contact.ts';
import type { Settings } from '../settings/types.ts';
import type { Store } from '../store/contract.ts';
import { routeBusinessEvent } from './business-events.ts';

/**
 * `POST /api/events` (admin token): the business's systems report what
 * happened (`purchase.completed`, `booking.created`, `order.shipped`,
 * `inquiry.created` …) for a customer, and the flows listening start at once.
 * The customer is named by an identity on file, or by an email address or
 * phone number (a new contact is created when no one has them). Answers 200
 * with the flows started and cancelled, 400 for a malformed body, 404 for an
 * unknown customer named only by a channel id, 409 when no channel the rules
 * allow can reach them.
 */

const channelName = z.string().trim().min(1).max(50);
const eventBody = z
  .object({
    id: z.string().min(1).max(200).optional().describe('Your id for the event: a retry with the same id is ignored'),
    type: z
      .string()
      .max(100)
      .regex(/^[a-z][a-z0-9_-]*(\.[a-z0-9_-]+)*$/, 'a dotted lowercase name such as purchase.completed'),
    contact: z
      .object({ kind: z.string().min(1).max(50), value: z.string().trim().min(1).max(500) })
      .strict()
      .optional()
      .describe('An identity of the contact: { kind: "email", value: "ada@example.com" }'),
    email: z.string().trim().min(1).max(320).optional().describe("The customer's email address"),
    phone: z.string().trim().min(1).max(40).optional().describe("The customer's number, international: +447700900123"),
    name: z.string().trim().min(1).max(200).optional().describe("The customer's name, kept when the contact has none"),
    channel: channelName.optional().describe('Reach the customer on this channel only'),
    consent: z
      .array(channelName)
      .max(20)
      .optional()
      .describe('Channels the customer agreed to messages on (sms, whatsapp …), recorded as their consent'),
    conversationId: z.string().min(1).max(100).optional(),
    data: z.record(z.string(), z.unknown()).default({}),
  })
  .strict()
  .refine((b) => b.contact || b.email || b.phone, {
    message: 'say who the event is about: contact, email or phone',
    path: ['contact'],
  });

export interface EventsApiDeps extends WriteDeps {
  store: Store;
  settings: Settings;
  clock: Clock;
  /** How a customer with no conversation we can write on is reached. */
  firstContact?: FirstContactDeps | undefined;
  onWritten?: (written: Written) => void;
}

export function registerEventsApi(routes: RouteRegistry, deps: EventsApiDeps): void {
  routes.add(
    'POST',
    '/api/events',
    async (req) => {
      const { contact, email, phone, ...body } = jsonBody(req, eventBody);
      const given: IdentityRef[] = [
        ...(contact ? [contact] : []),
        ...(email ? [{ kind: 'email', value: email }] : []),
        ...(phone ? [{ kind: 'phone', value: phone }] : []),
      ];
      const event = { ...body, identities: given.map(checkedIdentity) };
      const { result, written } = await deps.store.transaction((tx) =>
        routeBusinessEvent(tx, event, { ...deps, now: deps.clock.now() }),
      );
      if (written && (written.messages.length > 0 || written.events.length > 0)) deps.onWritten?.(written);
      return { status: 200, body: result };
    },
    {
      auth: 'admin',
      maxBodyBytes: 64 * 1024,
      doc: { summary: 'A business event (an order shipped …) that may start flows', body: eventBody },
    },
  );
}
