import { describe, expect, it } from 'vitest';
import type { Agents } from '../../../adapters/slack/desk/agents.ts';
import { customerLabel } from '../../../adapters/slack/desk/header.ts';
import { mirrorText } from '../../../adapters/slack/desk/mirror.ts';
import type { DeskSettings } from '../../../adapters/slack/settings.ts';
import type { Contact, Identity, Message } from '../../../src/channel/index.ts';
import { newConversation } from '../../support/records.ts';

const contact = (name: string | null): Contact => ({
  id: '01k96p85ns00009c4a6e12',
  name,
  vip: false,
  language: null,
  timezone: null,
  optOuts: [],
  attributes: {},
  createdAt: 0,
});
const identity = (kind: string, value: string): Identity => ({ id: value, contactId: 'c', kind, value });

describe('the desk names people', () => {
  it('labels a customer by name and the best number or address, never by an id', () => {
    const ids = [identity('webchat', 'visitor-1'), identity('phone', '+447700900123')];
    expect(customerLabel(contact('Ann Lee'), ids)).toBe('Ann Lee · +447700900123');
    expect(customerLabel(contact(null), ids)).toBe('+447700900123');
    expect(customerLabel(contact('Ann Lee'), [identity('webchat', 'visitor-1')])).toBe('Ann Lee');
    expect(customerLabel(contact(null), [identity('webchat', 'visitor-1')])).toBe('visitor-1');
  });

  it('mirrors an inbound message under the customer label', () => {
    const m: Message = {
      id: 'm1',
      conversationId: 'c1',
      direction: 'inbound',
      author: { kind: 'contact', id: '01k96p85ns00009c4a6e12', name: null },
      text: 'hello',
      attachments: [],
      providerId: null,
      status: 'received',
      visibility: 'customer',
      createdAt: 0,
    };
    const c = { id: 'c1', ...newConversation('c', 'sms', 't'), createdAt: 0, updatedAt: 0 };
    const text = mirrorText({} as DeskSettings, {} as Agents, c, m, 'Ann Lee · +447700900123');
    expect(text).toBe(':speech_balloon: *Ann Lee · +447700900123* (customer)\n> hello');
    expect(text).not.toContain('01k96p85ns00009c4a6e12');
  });
});
