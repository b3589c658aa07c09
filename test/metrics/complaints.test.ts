import { describe, expect, it } from 'vitest';
import { complaintWeeks } from '../../src/metrics/complaints.ts';

const at = (iso: string) => Date.parse(iso);

describe('complaints per week', () => {
  it('counts the conversations whose intent or category is listed, by the Monday of their week and category', () => {
    const rows = [
      { createdAt: at('2026-01-05T09:00Z'), intent: 'complaint', category: 'feedback' },
      { createdAt: at('2026-01-11T23:59Z'), intent: null, category: 'billing_dispute' },
      { createdAt: at('2026-01-11T23:59Z'), intent: 'complaint', category: 'feedback' },
      { createdAt: at('2026-01-12T00:00Z'), intent: 'complaint', category: null },
      { createdAt: at('2026-01-12T00:00Z'), intent: 'pricing', category: 'sales' },
      { createdAt: at('2026-01-12T00:00Z'), intent: 'complaints_about_x', category: null },
    ];
    expect(complaintWeeks(rows, ['complaint', 'billing_dispute'])).toEqual([
      { week: '2026-01-05', category: 'billing_dispute', count: 1 },
      { week: '2026-01-05', category: 'feedback', count: 2 },
      { week: '2026-01-12', category: '(none)', count: 1 },
    ]);
  });
});
