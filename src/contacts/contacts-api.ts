import { z } from 'zod';
import { actingAs } from '../access/principal.ts';
import type { Clock } from '../clock.ts';
import { notFound } from '../errors.ts';
import type { HttpRequest, HttpResponse, RouteDoc, RouteRegistry } from '../http/http-types.ts';
import { jsonBody, optionalJsonBody, queryObject, validate } from '../http/json-body.ts';
import type { VipCriteria } from '../settings/contacts-schema.ts';
import type { Store, StoreTx } from '../store/contract.ts';
import { contactView } from './contact-view.ts';
import { linkIdentity } from './link.ts';
import { liveContact, mergeContacts } from './merge.ts';
import { acceptSuggestion, rejectSuggestion } from './suggestions.ts';
import { refreshVip } from './vip.ts';

/**
 * The token-protected contacts API: list and search contacts, show one with
 * every conversation on every channel, edit attributes and tags, link and
 * unlink identities, merge, and answer suggested matches. A merged-away id
 * answers 308 with the contact it now lives in.
 */

const agent = { auth: 'agent', maxBodyBytes: 64 * 1024 } as const;
/** The acting agent's id and where from, for merges and their audit entries. */
const acting = (req: HttpRequest, named: string | undefined) => {
  const p = actingAs(req.principal, named);
  return { by: p.agentId, via: p.via };
};
const by = z.string().trim().min(1).max(200).optional();
const count = (max: number) => z.coerce.number().int('must be a whole number').min(1).max(max);

const listQuery = z
  .object({
    search: z.string().trim().min(1).max(200).optional(),
    tag: z.string().trim().min(1).max(100).optional(),
    vip: z.enum(['true', 'false'], { message: 'must be true or false' }).optional(),
    attribute: z
      .string()
      .regex(/^[\w-]{1,100}:.{1,200}$/, 'NAME:VALUE, e.g. plan:gold')
      .optional()
      .describe('Contacts whose attribute NAME has VALUE'),
    limit: count(200).default(50),
    before: z.coerce.number().int('must be epoch milliseconds').min(0).optional(),
  })
  .strict();
const suggestionsQuery = z
  .object({ status: z.enum(['pending', 'accepted', 'rejected']).default('pending'), limit: count(200).default(50) })
  .strict();
const identityBody = z
  .object({
    kind: z.string().trim().min(1).max(50),
    value: z.string().trim().min(1).max(500),
    verified: z.boolean().optional(),
    by,
  })
  .strict();
const mergeBody = z.object({ into: z.string().min(1).max(100), by }).strict();
const acceptBody = z.object({ into: z.string().min(1).max(100).optional(), by }).strict();
const byBody = z.object({ by }).strict();
const consentBody = z
  .object({ channel: z.string().trim().min(1).max(50), granted: z.boolean(), by })
  .strict()
  .describe('Consent to messages on a channel (`*` for all), given or withdrawn');
const tag = z.string().trim().min(1).max(100);
const tagsBody = z.object({ add: z.array(tag).max(50).default([]), remove: z.array(tag).max(50).default([]) }).strict();
const attributesBody = z
  .object({
    set: z.record(z.string().min(1).max(100), z.unknown()).default({}),
    unset: z.array(z.string()).max(100).default([]),
  })
  .strict();

export function registerContactsApi(
  routes: RouteRegistry,
  deps: { store: Store; clock: Clock; vip?: VipCriteria | undefined },
): void {
  const { store, clock } = deps;
  const inTx = <T>(fn: (tx: StoreTx, now: number) => Promise<T>) => store.transaction((tx) => fn(tx, clock.now()));
  /** After an edit of identities, tags or attributes, VIP follows the criteria. */
  const vipAfter = async (tx: StoreTx, id: string, now: number, cause: string) => {
    const contact = await tx.getContact(id);
    if (contact) await refreshVip(tx, contact, deps.vip, { now, cause });
  };

  routes.add(
    'GET',
    '/api/contacts',
    async (req) => {
      const q = validate(queryObject(req), listQuery, 'query');
      const contacts = await store.listContacts({
        limit: q.limit,
        ...(q.search ? { search: q.search } : {}),
        ...(q.tag ? { tag: q.tag } : {}),
        ...(q.vip ? { vip: q.vip === 'true' } : {}),
        ...(q.attribute ? { attribute: splitAttribute(q.attribute) } : {}),
        ...(q.before !== undefined ? { before: q.before } : {}),
      });
      const last = contacts.at(-1);
      return {
        status: 200,
        body: { contacts, nextBefore: contacts.length === q.limit && last ? last.createdAt : null },
      };
    },
    { ...agent, doc: { summary: 'Contacts, newest first, filtered and paged by `nextBefore`', query: listQuery } },
  );

  routes.add(
    'GET',
    '/api/contacts/suggestions',
    async (req) => {
      const q = validate(queryObject(req), suggestionsQuery, 'query');
      return { status: 200, body: { suggestions: await store.listSuggestions(q) } };
    },
    { ...agent, doc: { summary: 'Suggested matches of two contacts', query: suggestionsQuery } },
  );

  routes.add(
    'GET',
    '/api/contacts/:id',
    async (req) => {
      const id = req.params.id as string;
      const moved = await redirect(store, id);
      if (moved) return moved;
      const contact = await store.getContact(id);
      if (!contact) throw notFound(`no contact ${id}`);
      return { status: 200, body: await contactView(store, contact) };
    },
    { ...agent, doc: { summary: 'One contact with every conversation on every channel (308 when merged away)' } },
  );

  const post = (path: string, doc: RouteDoc, run: (id: string, req: HttpRequest) => Promise<unknown>) =>
    routes.add(
      'POST',
      `/api/contacts/${path}`,
      async (req) => ({ status: doc.status ?? 200, body: await run(req.params.id as string, req) }),
      { ...agent, doc },
    );

  post(':id/identities', { summary: 'Link an identity to the contact', body: identityBody, status: 201 }, (id, req) => {
    const b = jsonBody(req, identityBody);
    return inTx(async (tx, now) => {
      const linked = await linkIdentity(tx, id, { kind: b.kind, value: b.value, verified: b.verified === true });
      await vipAfter(tx, id, now, `identity linked by ${acting(req, b.by).by}`);
      return linked;
    });
  });
  routes.add(
    'DELETE',
    '/api/contacts/:id/identities/:identityId',
    async (req) => {
      const { id, identityId } = req.params as { id: string; identityId: string };
      const removed = await inTx(async (tx) => {
        await liveContact(tx, id);
        return tx.removeIdentity(id, identityId);
      });
      if (!removed) throw notFound(`contact ${id} has no identity ${identityId}`);
      return { status: 204 };
    },
    { ...agent, doc: { summary: 'Unlink an identity', status: 204 } },
  );
  post(':id/merge', { summary: 'Merge this contact into another', body: mergeBody }, (id, req) => {
    const b = jsonBody(req, mergeBody);
    return inTx((tx, now) => mergeContacts(tx, { fromId: id, intoId: b.into, ...acting(req, b.by), now }));
  });
  post(':id/tags', { summary: 'Add and remove tags (VIP follows)', body: tagsBody }, (id, req) => {
    const b = jsonBody(req, tagsBody);
    return inTx(async (tx, now) => {
      await liveContact(tx, id);
      await tx.addTags(id, b.add);
      await tx.removeTags(id, b.remove);
      await vipAfter(tx, id, now, 'tags edited');
      return { tags: await tx.tagsOf(id) };
    });
  });
  post(':id/attributes', { summary: 'Set and unset attributes', body: attributesBody }, (id, req) => {
    const b = jsonBody(req, attributesBody);
    return inTx(async (tx, now) => {
      const contact = await liveContact(tx, id);
      const attributes = { ...contact.attributes, ...b.set };
      for (const k of b.unset) delete attributes[k];
      await tx.updateContact(id, { attributes });
      await refreshVip(tx, { ...contact, attributes }, deps.vip, { now, cause: 'attributes edited' });
      return { attributes };
    });
  });
  post(
    ':id/consent',
    { summary: 'Record consent to a channel, given or withdrawn', body: consentBody, status: 201 },
    (id, req) => {
      const b = jsonBody(req, consentBody);
      return inTx(async (tx, now) => {
        await liveContact(tx, id);
        const source = `recorded by ${acting(req, b.by).by}`;
        return tx.recordContactChange({
          contactId: id,
          kind: 'consent',
          channel: b.channel,
          on: b.granted,
          source,
          at: now,
        });
      });
    },
  );
  post(
    'suggestions/:id/accept',
    { summary: 'Accept a suggested match (merges)', body: acceptBody, optionalBody: true },
    (id, req) => {
      const b = optionalJsonBody(req, acceptBody);
      return inTx((tx, now) => acceptSuggestion(tx, id, { ...acting(req, b.by), now, into: b.into }));
    },
  );
  post(
    'suggestions/:id/reject',
    { summary: 'Reject a suggested match', body: byBody, optionalBody: true },
    (id, req) => {
      const b = optionalJsonBody(req, byBody);
      return inTx((tx, now) => rejectSuggestion(tx, id, { ...acting(req, b.by), now }));
    },
  );
}

/** `plan:gold` → { name: 'plan', value: 'gold' } (the value may hold colons). */
export function splitAttribute(text: string): { name: string; value: string } {
  const at = text.indexOf(':');
  return { name: text.slice(0, at), value: text.slice(at + 1) };
}

/** 308 to where a merged-away contact lives now, or null when `id` was never merged away. */
async function redirect(store: Store, id: string): Promise<HttpResponse | null> {
  const into = await store.mergedInto(id);
  if (!into) return null;
  const location = `/api/contacts/${encodeURIComponent(into)}`;
  return { status: 308, headers: { location }, body: { mergedInto: into, location } };
}
