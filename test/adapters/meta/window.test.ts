import { describe, expect, it } from 'vitest';
import { HOUR_MS, lastInbound, messagingWindow } from '../../../adapters/meta/window.ts';

const now = Date.UTC(2026, 0, 10, 12);
const at = (hoursAgo: number) => now - hoursAgo * HOUR_MS;

describe('Meta messaging window', () => {
  it('answers freely within 24 hours', () => {
    expect(messagingWindow({ lastInboundAt: at(23), now, byAgent: false, humanAgentTag: true })).toEqual({
      ok: true,
      messagingType: 'RESPONSE',
    });
  });

  it('tags an agent reply HUMAN_AGENT between 24 hours and 7 days', () => {
    expect(messagingWindow({ lastInboundAt: at(30), now, byAgent: true, humanAgentTag: true })).toEqual({
      ok: true,
      messagingType: 'MESSAGE_TAG',
      tag: 'HUMAN_AGENT',
    });
    expect(messagingWindow({ lastInboundAt: at(7 * 24), now, byAgent: true, humanAgentTag: true }).ok).toBe(true);
  });

  it('refuses a bot reply after 24 hours, saying why', () => {
    const d = messagingWindow({ lastInboundAt: at(25), now, byAgent: false, humanAgentTag: true });
    expect(d).toEqual({ ok: false, reason: expect.stringMatching(/25 h ago.*only a person/) });
  });

  it('refuses an agent reply after 7 days', () => {
    const d = messagingWindow({ lastInboundAt: at(7 * 24 + 1), now, byAgent: true, humanAgentTag: true });
    expect(d).toEqual({ ok: false, reason: expect.stringMatching(/past 7 days/) });
  });

  it('refuses an agent reply after 24 hours when the Human Agent tag is off', () => {
    const d = messagingWindow({ lastInboundAt: at(30), now, byAgent: true, humanAgentTag: false });
    expect(d).toEqual({ ok: false, reason: expect.stringMatching(/humanAgentTag is off/) });
  });

  it('refuses when the customer never wrote', () => {
    const d = messagingWindow({ lastInboundAt: null, now, byAgent: true, humanAgentTag: true });
    expect(d).toEqual({ ok: false, reason: expect.stringMatching(/has not written/) });
  });

  it('counts from the earlier of the core time and the reply reference', () => {
    expect(lastInbound(at(1), { lastInboundAt: at(2) })).toBe(at(2));
    expect(lastInbound(null, { lastInboundAt: at(2) })).toBe(at(2));
    expect(lastInbound(at(1), null)).toBe(at(1));
    expect(lastInbound(undefined, { lastInboundAt: 'soon' })).toBeNull();
  });
});
