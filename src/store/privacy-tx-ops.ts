import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { IdentityRef } from '../model/types.ts';
import { AccessTxOps } from './access-tx-ops.ts';
import { queueBlobsOf } from './blob-sweeps.ts';
import { staleKpiDaysOfContact } from './kpi-days.ts';
import { toJson } from './rows.ts';

/** What an erasure removed, by table: counts only. */
export interface ErasedRows {
  messages: number;
  outbox: number;
  inboundEvents: number;
  unreadable: number;
  timers: number;
  identities: number;
  conversations: number;
}

export interface CsatAnswer {
  conversationId: string;
  at: number;
  score: number | null;
  comment: string | null;
}

/** A tombstone keeps no identity, only a digest of it: enough to recognise it again. */
export const identityDigest = (identity: Pick<IdentityRef, 'kind' | 'value'>): string =>
  createHash('sha256').update(`${identity.kind}\n${identity.value}`).digest('hex');

/**
 * Erasures and tombstones, on top of the access operations. An erasure is a
 * durable job: requested (with the tombstones) in one transaction, carried
 * out and finished in another, so a crash between leaves it pending for a resume.
 */
export class PrivacyTxOps extends AccessTxOps {
  /** Records the job and tombstones the identities; false when the contact's erasure was requested before. */
  async requestErasure(contactId: string, by: string, identities: IdentityRef[], now: number): Promise<boolean> {
    const existing = await this.db
      .selectFrom('erasures')
      .select('status')
      .where('contact_id', '=', contactId)
      .executeTakeFirst();
    for (const identity of identities) {
      await this.db
        .insertInto('tombstones')
        .values({ digest: identityDigest(identity), kind: identity.kind, erased_at: now })
        .onConflict((oc) => oc.column('digest').doNothing())
        .execute();
    }
    if (existing) return false;
    await this.db
      .insertInto('erasures')
      .values({ contact_id: contactId, requested_at: now, requested_by: by, status: 'pending', finished_at: null })
      .execute();
    return true;
  }

  async erasureStatus(contactId: string): Promise<{ status: 'pending' | 'done'; finishedAt: number | null } | null> {
    const row = await this.db
      .selectFrom('erasures')
      .select(['status', 'finished_at'])
      .where('contact_id', '=', contactId)
      .executeTakeFirst();
    if (!row) return null;
    const finishedAt = row.finished_at == null ? null : Number(row.finished_at);
    return { status: row.status as 'pending' | 'done', finishedAt };
  }

  /** Contacts whose erasure was requested and not finished (a crash in between). */
  async pendingErasures(): Promise<string[]> {
    const rows = await this.db.selectFrom('erasures').select('contact_id').where('status', '=', 'pending').execute();
    return rows.map((r) => r.contact_id);
  }

  async isTombstoned(identity: Pick<IdentityRef, 'kind' | 'value'>): Promise<boolean> {
    const row = await this.db
      .selectFrom('tombstones')
      .select('digest')
      .where('digest', '=', identityDigest(identity))
      .executeTakeFirst();
    return row !== undefined;
  }

  async liftTombstone(identity: Pick<IdentityRef, 'kind' | 'value'>): Promise<void> {
    await this.db.deleteFrom('tombstones').where('digest', '=', identityDigest(identity)).execute();
  }

  /**
   * Removes everything that holds the contact's words or identities, keeping
   * the anonymous shells facts and metrics count on (the contact and
   * conversation rows, the facts without comments). Idempotent.
   */
  async eraseContactRows(contactId: string, now: number): Promise<ErasedRows> {
    const db = this.db;
    const conversations = await db
      .selectFrom('conversations')
      .select(['id', 'channel', 'thread_key'])
      .where('contact_id', '=', contactId)
      .execute();
    const ids = conversations.map((c) => c.id);
    const identities = await db.selectFrom('identities').select('value').where('contact_id', '=', contactId).execute();
    const n = (r: { numDeletedRows?: bigint; numUpdatedRows?: bigint }) =>
      Number(r.numDeletedRows ?? r.numUpdatedRows ?? 0n);
    const out: ErasedRows = {
      messages: 0,
      outbox: 0,
      inboundEvents: 0,
      unreadable: 0,
      timers: 0,
      identities: 0,
      conversations: ids.length,
    };
    if (ids.length > 0) {
      out.outbox = n(await db.deleteFrom('outbox').where('conversation_id', 'in', ids).executeTakeFirst());
      // Their files: deleted after this commit (src/privacy/blob-sweep.ts), unless another message holds the same bytes.
      await queueBlobsOf(db, 'conversation_id', ids, now);
      await db.deleteFrom('media_fetches').where('conversation_id', 'in', ids).execute();
      out.messages = n(await db.deleteFrom('messages').where('conversation_id', 'in', ids).executeTakeFirst());
      out.timers = n(await db.deleteFrom('timers').where('conversation_id', 'in', ids).executeTakeFirst());
      out.inboundEvents = n(
        await db.deleteFrom('inbound_events').where('conversation_id', 'in', ids).executeTakeFirst(),
      );
      await db.updateTable('facts').set({ comment: null }).where('conversation_id', 'in', ids).execute();
      // untagged (a staff thread no more) and no longer a VIP's
      await staleKpiDaysOfContact(db, contactId);
      await db
        .updateTable('conversations')
        .set(() => ({
          thread_key: sql<string>`'erased:' || id`,
          flow_state: null,
          reply_ref: null,
          tags: '[]',
          status: 'closed',
          updated_at: now,
        }))
        .where('id', 'in', ids)
        .execute();
    }
    // Webhooks out about them (message texts, their contact's fields), sent or not: nothing of theirs goes on.
    await db
      .deleteFrom('webhook_deliveries')
      .where('order_key', 'in', [...ids, contactId])
      .execute();
    for (const c of conversations) {
      // Events of the thread not yet tied to a conversation (pending, failed) hold their words too.
      out.inboundEvents += n(
        await db
          .deleteFrom('inbound_events')
          .where('channel', '=', c.channel)
          .where('thread_key', '=', c.thread_key)
          .executeTakeFirst(),
      );
    }
    for (const { value } of identities) {
      for (const form of new Set([value, encodeURIComponent(value)])) {
        out.unreadable += n(
          await db.deleteFrom('unreadable_inbound').where('payload', 'like', `%${form}%`).executeTakeFirst(),
        );
        // Adapters' own state (a call waiting for its outcome) may name them too.
        await db.deleteFrom('channel_state').where('value', 'like', `%${form}%`).execute();
      }
    }
    await db.deleteFrom('contact_tags').where('contact_id', '=', contactId).execute();
    await db
      .deleteFrom('contact_suggestions')
      .where((eb) => eb.or([eb('contact_id', '=', contactId), eb('other_id', '=', contactId)]))
      .execute();
    await db
      .updateTable('contact_merges')
      .set({ moved: '{}' })
      .where((eb) => eb.or([eb('from_id', '=', contactId), eb('into_id', '=', contactId)]))
      .execute();
    out.identities = n(await db.deleteFrom('identities').where('contact_id', '=', contactId).executeTakeFirst());
    await db
      .updateTable('contacts')
      .set({
        name: null,
        language: null,
        timezone: null,
        vip: 0,
        // Opted out of everything: the one consent check stops any send to the shell.
        opt_outs: toJson(['*']),
        attributes: toJson({ erased: true }),
      })
      .where('id', '=', contactId)
      .execute();
    return out;
  }

  async finishErasure(contactId: string, now: number): Promise<void> {
    await this.db
      .updateTable('erasures')
      .set({ status: 'done', finished_at: now })
      .where('contact_id', '=', contactId)
      .execute();
  }

  /** Empties a stored inbound event's envelope (an erased person's redelivery): the row stays, as done, for deduplication. */
  async forgetInbound(eventId: string): Promise<void> {
    await this.db
      .updateTable('inbound_events')
      .set({ envelope: '{}', thread_key: 'erased' })
      .where('id', '=', eventId)
      .execute();
  }

  /** The CSAT answers of these conversations. */
  async csatAnswers(conversationIds: string[]): Promise<CsatAnswer[]> {
    if (conversationIds.length === 0) return [];
    const rows = await this.db
      .selectFrom('facts')
      .select(['conversation_id', 'at', 'score', 'comment'])
      .where('kind', '=', 'csat')
      .where('conversation_id', 'in', conversationIds)
      .orderBy('at')
      .execute();
    return rows.map((r) => ({
      conversationId: r.conversation_id,
      at: Number(r.at),
      score: r.score == null ? null : Number(r.score),
      comment: r.comment,
    }));
  }
}
