import type { Selectable } from 'kysely';
import { newId } from '../ids.ts';
import type { Ctx } from './query-helpers.ts';
import type { BugsTable } from './schema.ts';

export interface Bug {
  id: string;
  /** `github` or `redmine` */
  tracker: string;
  /** The number (GitHub) or id (Redmine). */
  key: string;
  url: string;
  title: string;
  severity: string;
  createdAt: number;
  fixedAt: number | null;
}

export interface BugLink {
  bugId: string;
  conversationId: string;
  linkedAt: number;
  notifiedAt: number | null;
}

/** Bugs logged in the tracker and the conversations linked to them. */
export interface BugRecords {
  add(bug: Omit<Bug, 'id' | 'fixedAt'>): Promise<Bug>;
  get(id: string): Promise<Bug | null>;
  byKey(tracker: string, key: string): Promise<Bug | null>;
  /** Bugs with this issue key, of any tracker (one, unless trackers were changed). */
  withKey(key: string): Promise<Bug[]>;
  /** Links a conversation to a bug; false when it was linked already. */
  link(bugId: string, conversationId: string, now: number): Promise<boolean>;
  ofConversation(conversationId: string): Promise<Bug[]>;
  /** Marks the bug fixed (once) and returns the links whose customers were not told yet, claiming them. */
  fixed(bugId: string, now: number): Promise<BugLink[]>;
  /** Bugs not fixed yet, of one tracker (for polling). */
  open(tracker: string): Promise<Bug[]>;
}

type BugRow = Selectable<BugsTable>;

const fromRow = (r: BugRow): Bug => ({
  id: r.id,
  tracker: r.tracker,
  key: r.key,
  url: r.url,
  title: r.title,
  severity: r.severity,
  createdAt: Number(r.created_at),
  fixedAt: r.fixed_at === null ? null : Number(r.fixed_at),
});

export function bugRecords(ctx: Ctx): BugRecords {
  const bugs = () => ctx.db.selectFrom('bugs').selectAll();
  return {
    async add(bug) {
      const row = { id: newId(), ...bug, created_at: bug.createdAt, fixed_at: null };
      const { createdAt: _, ...values } = row;
      await ctx.db.insertInto('bugs').values(values).execute();
      return { ...bug, id: row.id, fixedAt: null };
    },
    async get(id) {
      const r = await bugs().where('id', '=', id).executeTakeFirst();
      return r ? fromRow(r) : null;
    },
    async byKey(tracker, key) {
      const r = await bugs().where('tracker', '=', tracker).where('key', '=', key).executeTakeFirst();
      return r ? fromRow(r) : null;
    },
    async withKey(key) {
      const rows = await bugs().where('key', '=', key).orderBy('created_at').execute();
      return rows.map(fromRow);
    },
    async link(bugId, conversationId, now) {
      const had = await ctx.db
        .selectFrom('bug_links')
        .select('bug_id')
        .where('bug_id', '=', bugId)
        .where('conversation_id', '=', conversationId)
        .executeTakeFirst();
      if (had) return false;
      await ctx.db
        .insertInto('bug_links')
        .values({ bug_id: bugId, conversation_id: conversationId, linked_at: now, notified_at: null })
        .execute();
      return true;
    },
    async ofConversation(conversationId) {
      const rows = await ctx.db
        .selectFrom('bugs')
        .innerJoin('bug_links', 'bug_links.bug_id', 'bugs.id')
        .selectAll('bugs')
        .where('bug_links.conversation_id', '=', conversationId)
        .orderBy('bugs.created_at')
        .execute();
      return rows.map(fromRow);
    },
    async fixed(bugId, now) {
      await ctx.db
        .updateTable('bugs')
        .set({ fixed_at: now })
        .where('id', '=', bugId)
        .where('fixed_at', 'is', null)
        .execute();
      const rows = await ctx.db
        .updateTable('bug_links')
        .set({ notified_at: now })
        .where('bug_id', '=', bugId)
        .where('notified_at', 'is', null)
        .returningAll()
        .execute();
      return rows
        .map((r) => ({
          bugId: r.bug_id,
          conversationId: r.conversation_id,
          linkedAt: Number(r.linked_at),
          notifiedAt: now,
        }))
        .sort((a, b) => a.linkedAt - b.linkedAt);
    },
    async open(tracker) {
      const rows = await bugs()
        .where('tracker', '=', tracker)
        .where('fixed_at', 'is', null)
        .orderBy('created_at')
        .execute();
      return rows.map(fromRow);
    },
  };
}
