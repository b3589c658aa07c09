import type { Kysely } from 'kysely';
import { StoreError } from '../errors.ts';
import { newId } from '../ids.ts';
import type { Contact, Identity, IdentityRef } from '../model/types.ts';
import * as history from './contact-history.ts';
import type {
  ContactChange,
  ContactChangeKind,
  MergeRecord,
  MergeSuggestion,
  MovedRows,
  NewSuggestion,
  SuggestionStatus,
} from './contact-records.ts';
import * as contacts from './contacts.ts';
import type { ContactPatch } from './contract.ts';
import * as hot from './hot-queries.ts';
import { staleKpiDaysOfContact } from './kpi-days.ts';
import { contactData, emit, type OutEvents, wanted } from './out-events.ts';
import { atomicCtx, type Ctx } from './query-helpers.ts';
import { contactColumns, contactFromRow, toFlag, toJson } from './rows.ts';
import type { Database, StoreKind } from './schema.ts';
import type { SqliteStatements } from './sqlite-dialect.ts';

/**
 * The contact half of the StoreTx operations (contacts, identities, tags, merges and suggestions);
 * `KyselyTx` (tx-ops.ts) adds conversations, messages, the outbox, timers and inbound turns.
 */
export class ContactTxOps {
  protected readonly db: Kysely<Database>;
  readonly kind: StoreKind;
  protected readonly ctx: Ctx;

  constructor(db: Kysely<Database>, kind: StoreKind, statements: SqliteStatements | undefined, out?: OutEvents) {
    this.db = db;
    this.kind = kind;
    this.ctx = { db, kind, statements, out };
  }

  async findContactByIdentity(identity: IdentityRef): Promise<Contact | null> {
    const row = await hot.contactByIdentity.first(this.ctx, { kind: identity.kind, value: identity.value });
    return row ? contactFromRow(row) : null;
  }

  createContact(
    contact: Partial<Omit<Contact, 'id' | 'createdAt'>>,
    identity: IdentityRef,
    now: number,
  ): Promise<Contact> {
    const created: Contact = {
      id: newId(),
      name: contact.name ?? null,
      vip: contact.vip ?? false,
      language: contact.language ?? null,
      timezone: contact.timezone ?? null,
      optOuts: contact.optOuts ?? [],
      attributes: contact.attributes ?? {},
      createdAt: now,
    };
    return atomicCtx(this.ctx, async (ctx) => {
      await hot.insertContact.run(ctx, {
        id: created.id,
        name: created.name,
        vip: toFlag(created.vip),
        language: created.language,
        timezone: created.timezone,
        opt_outs: toJson(created.optOuts),
        attributes: toJson(created.attributes),
        created_at: now,
      });
      await hot.insertIdentity.run(ctx, {
        id: newId(),
        contact_id: created.id,
        kind: identity.kind,
        value: identity.value,
        verified: toFlag(identity.verified),
      });
      return created;
    });
  }

  /** Idempotent for the same contact; an identity owned by another contact is a conflict, never a silent merge. */
  async addIdentity(contactId: string, identity: IdentityRef): Promise<void> {
    const inserted = await this.db
      .insertInto('identities')
      .values({
        id: newId(),
        contact_id: contactId,
        kind: identity.kind,
        value: identity.value,
        verified: toFlag(identity.verified),
      })
      .onConflict((oc) => oc.columns(['kind', 'value']).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (inserted) return;
    const owner = await this.db
      .selectFrom('identities')
      .select(['id', 'contact_id'])
      .where('kind', '=', identity.kind)
      .where('value', '=', identity.value)
      .executeTakeFirst();
    if (owner && owner.contact_id !== contactId) {
      throw new StoreError(
        'store_identity_taken',
        `The ${identity.kind} identity ${identity.value} already belongs to contact ${owner.contact_id}.`,
      );
    }
    if (owner && identity.verified) {
      await this.db.updateTable('identities').set({ verified: 1 }).where('id', '=', owner.id).execute();
    }
  }

  async listIdentities(contactId: string): Promise<Identity[]> {
    const rows = await this.db
      .selectFrom('identities')
      .selectAll()
      .where('contact_id', '=', contactId)
      .orderBy('verified', 'desc')
      .orderBy('id')
      .execute();
    return rows.map(contacts.identityFromRow);
  }

  async updateContact(id: string, patch: ContactPatch): Promise<void> {
    const columns = contactColumns(patch);
    if (Object.keys(columns).length === 0) return;
    const update = async (ctx: Ctx) => {
      await ctx.db.updateTable('contacts').set(columns).where('id', '=', id).execute();
      if (columns.vip !== undefined) await staleKpiDaysOfContact(ctx.db, id);
    };
    if (!wanted(this.ctx, 'contact.updated')) {
      await update(this.ctx);
      return;
    }
    await atomicCtx(this.ctx, async (ctx) => {
      await update(ctx);
      await emit(ctx, 'contact.updated', id, contactData(id, patch));
    });
  }

  async getContact(id: string): Promise<Contact | null> {
    const row = await hot.contactById.first(this.ctx, { id });
    return row ? contactFromRow(row) : null;
  }

  findIdentity(identity: Pick<IdentityRef, 'kind' | 'value'>): Promise<Identity | null> {
    return contacts.findIdentity(this.ctx, identity);
  }

  removeIdentity(contactId: string, identityId: string): Promise<boolean> {
    return contacts.removeIdentity(this.ctx, contactId, identityId);
  }

  findContactsByName(name: string, limit: number): Promise<Contact[]> {
    return contacts.findContactsByName(this.ctx, name, limit);
  }

  suggestMerge(suggestion: NewSuggestion, now: number): Promise<MergeSuggestion | null> {
    return contacts.suggestMerge(this.ctx, suggestion, now);
  }

  listSuggestions(query: {
    status?: SuggestionStatus;
    contactId?: string;
    limit?: number;
  }): Promise<MergeSuggestion[]> {
    return contacts.listSuggestions(this.ctx, query);
  }

  getSuggestion(id: string): Promise<MergeSuggestion | null> {
    return contacts.getSuggestion(this.ctx, id);
  }

  decideSuggestion(id: string, status: 'accepted' | 'rejected', by: string, now: number): Promise<boolean> {
    return contacts.decideSuggestion(this.ctx, id, status, by, now);
  }

  moveContactRows(fromId: string, intoId: string): Promise<MovedRows> {
    return contacts.moveContactRows(this.ctx, fromId, intoId);
  }

  recordMerge(record: Omit<MergeRecord, 'id'>): Promise<MergeRecord> {
    return contacts.recordMerge(this.ctx, record);
  }

  mergedInto(id: string): Promise<string | null> {
    return contacts.mergedInto(this.ctx, id);
  }

  listMerges(contactId: string): Promise<MergeRecord[]> {
    return contacts.listMerges(this.ctx, contactId);
  }

  tagsOf(contactId: string): Promise<string[]> {
    return contacts.tagsOf(this.ctx, contactId);
  }

  addTags(contactId: string, tags: string[]): Promise<void> {
    return contacts.addTags(this.ctx, contactId, tags);
  }

  removeTags(contactId: string, tags: string[]): Promise<void> {
    return contacts.removeTags(this.ctx, contactId, tags);
  }

  listContacts(query: contacts.ContactQuery): Promise<Contact[]> {
    return contacts.listContacts(this.ctx, query);
  }

  idsWithPrefix(table: 'contacts' | 'conversations', prefix: string, limit: number): Promise<string[]> {
    return contacts.idsWithPrefix(this.ctx, table, prefix, limit);
  }

  recordContactChange(change: Omit<ContactChange, 'id'>): Promise<ContactChange> {
    return history.recordContactChange(this.ctx, change);
  }

  contactHistory(contactId: string, kinds?: readonly ContactChangeKind[]): Promise<ContactChange[]> {
    return history.contactHistory(this.ctx, contactId, kinds);
  }
}
