import type { Store } from '../store/contract.ts';

/** Complaints opened per week (starting Monday, UTC), by category. */
export interface ComplaintWeek {
  week: string;
  category: string;
  count: number;
}

const DAY_MS = 86_400_000;
const day = (t: number) => new Date(t).toISOString().slice(0, 10);
/** The Monday of the week of `t` (UTC), as a date. */
export const weekOf = (t: number): string => day(t - ((new Date(t).getUTCDay() + 6) % 7) * DAY_MS);

/** Conversations (`count` of them each, else one) whose intent or category is one of `labels` (trends.yaml `complaints`), counted by week and category. */
export function complaintWeeks(
  conversations: { createdAt: number; intent: string | null; category: string | null; count?: number }[],
  labels: string[],
): ComplaintWeek[] {
  const counted = new Map<string, ComplaintWeek>();
  for (const r of conversations) {
    if (!labels.some((l) => l === r.intent || l === r.category)) continue;
    const category = r.category ?? '(none)';
    const week = weekOf(r.createdAt);
    const c = counted.get(`${week}|${category}`) ?? { week, category, count: 0 };
    c.count += r.count ?? 1;
    counted.set(`${week}|${category}`, c);
  }
  return [...counted.values()].sort((a, b) => a.week.localeCompare(b.week) || a.category.localeCompare(b.category));
}

/** The complaints of [from, to) by week and category, from the stored conversation facts. */
export async function complaintsBetween(
  store: Store,
  labels: string[],
  from: number,
  to: number,
): Promise<ComplaintWeek[]> {
  return complaintWeeks(await store.conversationFacts({ by: 'created', from, to }), labels);
}
