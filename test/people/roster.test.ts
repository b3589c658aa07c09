import { describe, expect, it } from 'vitest';
import { createRoster } from '../../src/people/roster.ts';
import { oncallFile } from '../../src/settings/policy-schema.ts';

const settings = oncallFile.parse({
  people: {
    maya: { name: 'Maya', channel: 'sms', to: '+447700900101' },
    tom: { name: 'Tom', channel: 'sms', to: '+447700900102' },
    sam: { name: 'Sam', channel: 'email', to: 'sam@shop.example' },
    ola: { name: 'Ola', channel: 'pager', to: '42', kind: 'pager' },
  },
  rotation: { start: '2026-03-23 07:00', every: '1w', order: ['maya', 'tom'] },
  chain: ['oncall', 'next', 'sam', 'oncall'],
});
const roster = createRoster(settings, 'Europe/London');

describe('the on-call roster', () => {
  it('hands over at 07:00 local time, across the change to summer time', () => {
    // 29 March 2026 the clocks go forward: the handover on the 30th is at 06:00 UTC
    expect(roster.onCall(Date.UTC(2026, 2, 30, 5, 59))?.id).toBe('maya');
    expect(roster.onCall(Date.UTC(2026, 2, 30, 6, 0))?.id).toBe('tom');
    expect(roster.onCall(Date.UTC(2026, 3, 6, 6, 0))?.id).toBe('maya');
    // before the first handover the rotation runs backwards
    expect(roster.onCall(Date.UTC(2026, 2, 20, 12, 0))?.id).toBe('tom');
  });

  it('resolves the chain in order, each person once, with identities from the channel', () => {
    const chain = roster.chain(Date.UTC(2026, 2, 24, 12, 0));
    expect(chain.map((p) => p.id)).toEqual(['maya', 'tom', 'sam']);
    expect(chain.map((p) => p.identity.kind)).toEqual(['phone', 'phone', 'email']);
    expect(roster.get('ola')?.identity).toEqual({ kind: 'pager', value: '42' });
  });

  it('has nobody on call without a rotation', () => {
    const none = createRoster(oncallFile.parse({ people: settings.people }), 'Europe/London');
    expect(none.onCall(Date.UTC(2026, 2, 24))).toBeNull();
    expect(none.chain(Date.UTC(2026, 2, 24)).map((p) => p.id)).toEqual([]);
  });
});
