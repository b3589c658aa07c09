import { describe, expect, it } from 'vitest';
import { buildPrompt, redact } from '../../src/drafts/prompt.ts';
import type { Contact, Conversation, Message } from '../../src/model/types.ts';
import { createPersonalDataDetector } from '../../src/outbound/personal-data.ts';

const detector = createPersonalDataDetector();

const conversation = {
  id: 'c1',
  contactId: 'k1',
  touchpoint: { channel: 'webchat', kind: 'webchat', visibility: 'private' },
  intent: 'pricing',
  category: 'sales',
  status: 'open',
  createdAt: Date.UTC(2026, 0, 5),
} as unknown as Conversation;
const contact = { id: 'k1', name: 'Ada Lovelace' } as unknown as Contact;
const message = (direction: 'inbound' | 'outbound', text: string, visibility: 'customer' | 'internal' = 'customer') =>
  ({ direction, text, visibility, author: { kind: direction === 'inbound' ? 'contact' : 'agent' } }) as Message;

describe('what a draft request sends', () => {
  it('replaces email addresses, phone numbers and the known name, on word boundaries only', () => {
    expect(redact('Ada here: ada@example.com or +44 7700 900123. Adam is my brother.', detector, 'Ada Lovelace')).toBe(
      '[name] here: [email address] or [phone number]. Adam is my brother.',
    );
  });

  it('never sends internal notes; customer turns are user, ours are assistant; knowledge and history in the system message', () => {
    const prompt = buildPrompt({
      business: 'Test Shop',
      conversation,
      contact,
      messages: [
        message('inbound', 'How much is a loaf? Call me on 07700 900123'),
        message('outbound', 'Agent note: she is a regular', 'internal'),
        message('outbound', 'Let me check.'),
      ],
      earlier: [{ ...conversation, id: 'c0', intent: 'complaint', status: 'resolved' } as Conversation],
      articles: [{ id: 'prices', title: 'Prices', answer: 'A loaf is £4.80.', url: null, kind: 'answer', score: 20 }],
      instructions: 'Never promise delivery dates.',
      redact: detector,
    });
    expect(prompt.map((m) => m.role)).toEqual(['system', 'user', 'assistant']);
    expect(JSON.stringify(prompt)).not.toContain('she is a regular');
    expect(prompt[1]?.content).toBe('How much is a loaf? Call me on [phone number]');
    const system = prompt[0]?.content ?? '';
    expect(system).toContain('Test Shop');
    expect(system).toContain('Never promise delivery dates.');
    expect(system).toContain('- Prices: A loaf is £4.80.');
    expect(system).toContain('2026-01-05 on webchat: complaint, resolved');
  });

  it('sends the text as written when redaction is off', () => {
    const prompt = buildPrompt({
      business: 'Test Shop',
      conversation,
      contact,
      messages: [message('inbound', 'ada@example.com')],
      earlier: [],
      articles: [],
      instructions: undefined,
      redact: null,
    });
    expect(prompt[1]?.content).toBe('ada@example.com');
  });
});
