import { z } from 'zod';
import type { Clock } from '../clock.ts';
import { checkedIdentity } from '../contacts/link.ts';
import type { WriteDeps, Written } from '../decide/write-decision.ts';
import type { RouteRegistry } from '../http/http-types.ts';
import { jsonBody } from '../http/json-body.ts';
import type { Settings } from '../settings/types.ts';
import type { Store } from '../store/contract.ts';
import { routeBusinessEvent } from './business-events.ts';

/**
 * `POST /api/events` (admin token): the business's systems report what
 * happened (`purchase.completed`, `booking.created`, `order.shipped`,
 * `inquiry.created` …) for a contact, and the flows listening start at once.
 * Answers 200 with the flows started and cancelled, 404 for an unknown
 * contact, 409 when the contact has no conversation to reach them on.
 */

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
      .describe('An identity of the contact: { kind: "email", value: "ada@example.com" }'),
    conversationId: z.string().min(1).max(100).optional(),
    data: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();

export interface EventsApiDeps extends WriteDeps {
  store: Store;
  settings: Settings;
  clock: Clock;
  onWritten?: (written: Written) => void;
}

export function registerEventsApi(routes: RouteRegistry, deps: EventsApiDeps): void {
  routes.add(
    'POST',
    '/api/events',
    async (req) => {
      const body = jsonBody(req, eventBody);
      const event = {
        ...body,
        contact: checkedIdentity(body.contact),
      };
      const { result, written } = await deps.store.transaction((tx) =>
        routeBusinessEvent(tx, event, { ...deps, now: deps.clock.now() }),
      );
      if (written && (written.messages.length > 0 || written.events.length > 0)) deps.onWritten?.(written);
      return { status: 200, body: result };
    },
    { auth: 'admin', maxBodyBytes: 64 * 1024 },
  );
}
