import { newId } from '../ids.ts';
import type { NewUnreadable, UnreadableInbound } from './contract.ts';
import { type Ctx, clampLimit } from './query-helpers.ts';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Text as it came when it is valid UTF-8 without NUL (which PostgreSQL's text refuses), else base64. */
function encode(payload: Buffer | string): { payload: string; encoding: 'utf8' | 'base64' } {
  // A string is kept as it is (no copy through bytes and back: a kept payload may be a megabyte).
  if (typeof payload === 'string' && payload.isWellFormed() && !payload.includes('\0'))
    return { payload, encoding: 'utf8' };
  const bytes = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  if (!bytes.includes(0)) {
    try {
      return { payload: strictUtf8.decode(bytes), encoding: 'utf8' };
    } catch {
      // not text: kept byte for byte below
    }
  }
  return { payload: bytes.toString('base64'), encoding: 'base64' };
}

export async function keepUnreadable(ctx: Ctx, record: NewUnreadable): Promise<string> {
  const id = newId();
  const { payload, encoding } = encode(record.payload);
  await ctx.db
    .insertInto('unreadable_inbound')
    .values({
      id,
      channel: record.channel,
      reason: record.reason,
      payload,
      payload_encoding: encoding,
      received_at: record.receivedAt,
    })
    .execute();
  return id;
}

export async function listUnreadable(ctx: Ctx, limit?: number): Promise<UnreadableInbound[]> {
  const rows = await ctx.db
    .selectFrom('unreadable_inbound')
    .selectAll()
    .orderBy('received_at', 'desc')
    .orderBy('id', 'desc')
    .limit(clampLimit(limit, 100))
    .execute();
  return rows.map((r) => ({
    id: r.id,
    channel: r.channel,
    reason: r.reason,
    payload: r.payload,
    encoding: r.payload_encoding === 'base64' ? 'base64' : 'utf8',
    receivedAt: Number(r.received_at),
  }));
}
