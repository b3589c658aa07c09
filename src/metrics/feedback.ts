import type { TrendSettings } from '../settings/policy-schema.ts';
import type { Store } from '../store/contract.ts';
import type { FeedbackRow } from '../store/feedback-reads.ts';

/**
 * Product feedback for the product team: the conversations of a period that
 * trends.yaml `feedback` marks (feature requests, bug reports … by intent or
 * tag), as JSON or CSV. A conversation marked twice is listed under each kind.
 */

export interface FeedbackItem extends FeedbackRow {
  kind: string;
}

export async function feedbackExport(
  store: Store,
  settings: TrendSettings,
  from: number,
  to: number,
): Promise<FeedbackItem[]> {
  const items: FeedbackItem[] = [];
  for (const [kind, marks] of Object.entries(settings.feedback))
    for (const row of await store.labelledConversations({ from, to, ...marks })) items.push({ kind, ...row });
  return items.sort((a, b) => a.createdAt - b.createdAt || a.kind.localeCompare(b.kind));
}

const COLUMNS = [
  'kind',
  'created_at',
  'conversation_id',
  'channel',
  'touchpoint',
  'contact',
  'intent',
  'category',
  'tags',
  'text',
];

/** RFC 4180: every field quoted, quotes doubled; a leading = + - @ is prefixed with ' so spreadsheets never run it. */
function field(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return `"${safe.replaceAll('"', '""')}"`;
}

export function feedbackCsv(items: FeedbackItem[]): string {
  const lines = [COLUMNS.join(',')];
  for (const i of items)
    lines.push(
      [
        i.kind,
        new Date(i.createdAt).toISOString(),
        i.conversationId,
        i.channel,
        i.touchpoint,
        i.contact ?? '',
        i.intent ?? '',
        i.category ?? '',
        i.tags.join(' '),
        i.text,
      ]
        .map(field)
        .join(','),
    );
  return `${lines.join('\r\n')}\r\n`;
}
