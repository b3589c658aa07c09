import { type Insertable, type Selectable, sql } from 'kysely';
import { columnSlots, Prepared, PreparedFamily } from './prepared.ts';
import { DONE, PENDING, SENT } from './query-helpers.ts';
import type {
  ContactsTable,
  ConversationsTable,
  IdentitiesTable,
  InboundEventsTable,
  MessagesTable,
  OutboxTable,
} from './schema.ts';

/**
 * The statements every routed message and every send runs, prepared once
 * (src/store/prepared.ts). Everything else is built per call.
 */

type Row<T> = Required<Insertable<T>>;

export const contactByIdentity = new Prepared<{ kind: string; value: string }, Selectable<ContactsTable>>((db, p) =>
  db
    .selectFrom('contacts')
    .selectAll()
    .where('id', '=', (eb) =>
      eb.selectFrom('identities').select('contact_id').where('kind', '=', p.kind).where('value', '=', p.value),
    ),
);

export const contactById = new Prepared<{ id: string }, Selectable<ContactsTable>>((db, p) =>
  db.selectFrom('contacts').selectAll().where('id', '=', p.id),
);

export const insertContact = new Prepared<Row<ContactsTable>, unknown>((db, p) =>
  db.insertInto('contacts').values({
    id: p.id,
    name: p.name,
    vip: p.vip,
    language: p.language,
    timezone: p.timezone,
    opt_outs: p.opt_outs,
    attributes: p.attributes,
    created_at: p.created_at,
  }),
);

export const insertIdentity = new Prepared<Row<IdentitiesTable>, unknown>((db, p) =>
  db
    .insertInto('identities')
    .values({ id: p.id, contact_id: p.contact_id, kind: p.kind, value: p.value, verified: p.verified }),
);

export const conversationById = new Prepared<{ id: string }, Selectable<ConversationsTable>>((db, p) =>
  db.selectFrom('conversations').selectAll().where('id', '=', p.id),
);

/** Every conversation of a thread, for the caller to pick from: cheaper on SQLite than ORDER BY … LIMIT 1 over whole rows. */
export const conversationsOfThread = new Prepared<
  { channel: string; threadKey: string },
  Pick<Selectable<ConversationsTable>, 'id' | 'status' | 'updated_at'>
>((db, p) =>
  db
    .selectFrom('conversations')
    .select(['id', 'status', 'updated_at'])
    .where('channel', '=', p.channel)
    .where('thread_key', '=', p.threadKey),
);

/** By the row's columns, comma-separated, as `rows.ts` lays them out. */
export const insertConversation = new PreparedFamily<Record<string, unknown>, unknown>((key, db, p) =>
  db.insertInto('conversations').values(columnSlots(key, p) as Insertable<ConversationsTable>),
);

/** By the patched columns, comma-separated (`updated_at` always among them). */
export const updateConversation = new PreparedFamily<{ id: string } & Record<string, unknown>, unknown>((key, db, p) =>
  db.updateTable('conversations').set(columnSlots(key, p)).where('id', '=', p.id),
);

/** By the row's columns but `channel`, which is copied from the conversation in the same statement. */
export const insertMessage = new PreparedFamily<{ conversation_id: string } & Record<string, unknown>, unknown>(
  (key, db, p) =>
    db.insertInto('messages').values({
      ...(columnSlots(key, p) as unknown as Omit<Insertable<MessagesTable>, 'channel'>),
      channel: (eb) => eb.selectFrom('conversations').select('channel').where('id', '=', p.conversation_id),
    }),
);

export const insertOutbox = new Prepared<
  Pick<Row<OutboxTable>, 'id' | 'message_id' | 'conversation_id' | 'channel' | 'destination' | 'due_at'> &
    Pick<Row<OutboxTable>, 'lease_owner' | 'lease_until' | 'created_at'>,
  unknown
>((db, p) =>
  db.insertInto('outbox').values({
    id: p.id,
    message_id: p.message_id,
    conversation_id: p.conversation_id,
    channel: p.channel,
    destination: p.destination,
    status: 'pending',
    due_at: p.due_at,
    attempts: 0,
    last_error: null,
    lease_owner: p.lease_owner,
    lease_until: p.lease_until,
    created_at: p.created_at,
    sent_at: null,
    failed_at: null,
  }),
);

export const completeInbound = new Prepared<{ id: string; now: number; conversationId: string | null }, unknown>(
  (db, p) =>
    db
      .updateTable('inbound_events')
      .set({
        status: DONE,
        processed_at: p.now,
        conversation_id: p.conversationId,
        lease_owner: null,
        lease_until: null,
      })
      .where('id', '=', p.id),
);

/**
 * An inbound event's own state, and whether an earlier event of its thread is
 * still pending (see inbound.ts inboundTurn). No ORDER BY: with one, SQLite
 * spends five times as long on this lookup.
 */
export const inboundTurnState = new Prepared<
  { id: string },
  Pick<Selectable<InboundEventsTable>, 'status' | 'lease_owner' | 'lease_until'> & { earlier: number | boolean }
>((db, p) =>
  db
    .selectFrom('inbound_events as e')
    .select(['e.status', 'e.lease_owner', 'e.lease_until'])
    .select((eb) =>
      eb
        .exists(
          eb
            .selectFrom('inbound_events as p')
            .select(sql.lit(1).as('one'))
            .where('p.status', '=', PENDING)
            .whereRef('p.channel', '=', 'e.channel')
            .whereRef('p.thread_key', '=', 'e.thread_key')
            .where((x) => x(x.refTuple('p.received_at', 'p.id'), '<', x.refTuple('e.received_at', 'e.id'))),
        )
        .as('earlier'),
    )
    .where('e.id', '=', p.id),
);

export const markOutboxSent = new Prepared<{ id: string; now: number }, { message_id: string; channel: string }>(
  (db, p) =>
    db
      .updateTable('outbox')
      .set({ status: SENT, sent_at: p.now, lease_owner: null, lease_until: null, last_error: null, attempted_at: null })
      .where('id', '=', p.id)
      .returning(['message_id', 'channel']),
);

export const markMessageSent = new Prepared<
  { id: string; status: string; channel: string; providerId: string | null },
  unknown
>((db, p) =>
  db
    .updateTable('messages')
    .set((eb) => ({
      status: p.status,
      error: null,
      // A send without a provider id keeps whatever id the message had.
      provider_id: eb.fn.coalesce(p.providerId, 'provider_id'),
      channel: p.channel,
    }))
    .where('id', '=', p.id),
);
