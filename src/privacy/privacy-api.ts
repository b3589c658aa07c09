import { z } from 'zod';
import type { BlobStore } from '../blobs/contract.ts';
import type { Clock } from '../clock.ts';
import { unauthorized } from '../errors.ts';
import type { HttpRequest, Principal, RouteRegistry } from '../http/http-types.ts';
import { optionalJsonBody } from '../http/json-body.ts';
import type { Store } from '../store/contract.ts';
import { eraseContact } from './erase.ts';
import { exportContact } from './export.ts';

const adminOnly = { auth: 'admin', maxBodyBytes: 1024 } as const;
const eraseBody = z.object({}).strict();

const who = (req: HttpRequest): Principal => {
  if (!req.principal) throw unauthorized('this route needs an authenticated request');
  return req.principal;
};

/**
 * A person's data on request, for admins: `GET /api/contacts/:id/export`
 * (everything held, as one JSON document) and `POST /api/contacts/:id/erase`.
 */
export function registerPrivacyApi(
  routes: RouteRegistry,
  deps: { store: Store; clock: Clock; blobs?: BlobStore; onErased?: (contactId: string) => void },
): void {
  const { store, clock } = deps;

  routes.add(
    'GET',
    '/api/contacts/:id/export',
    async (req) => {
      const doc = await exportContact(store, req.params.id as string, who(req), clock.now(), deps.blobs);
      const file = `contact-${doc.contact.id}.json`;
      return { status: 200, headers: { 'content-disposition': `attachment; filename="${file}"` }, body: doc };
    },
    { ...adminOnly, doc: { summary: 'Everything held about a contact, as one JSON document' } },
  );

  routes.add(
    'POST',
    '/api/contacts/:id/erase',
    async (req) => {
      optionalJsonBody(req, eraseBody);
      const result = await eraseContact(store, req.params.id as string, who(req), clock.now(), deps.blobs);
      deps.onErased?.(result.contactId);
      return { status: 200, body: result };
    },
    { ...adminOnly, doc: { summary: 'Erase a contact (idempotent)', body: eraseBody, optionalBody: true } },
  );
}
