import { describe, expect, it } from 'vitest';
import { createAgents } from '../../../adapters/slack/desk/agents.ts';
import { headerBlocks } from '../../../adapters/slack/desk/header.ts';
import { cannedModal, flowModal, noteModal, snoozeModal } from '../../../adapters/slack/desk/modals.ts';
import { slackSettings } from '../../../adapters/slack/settings.ts';
import type { Contact, Conversation, Identity } from '../../../src/model/types.ts';
import { messageBlockProblems, viewProblems } from '../../fakes/slack-blocks.ts';
import { newConversation } from '../../support/records.ts';

/** What the desk sends Slack stays within Block Kit's limits, however large the customer's data. */
const T0 = Date.UTC(2026, 0, 5, 9);
const desk = slackSettings.parse({
  botToken: 'xoxb-1',
  signingSecret: 'signing-secret',
  desk: {
    defaultChannel: 'CDESK0001',
    agents: [{ slackUser: 'UA0000001', agent: 'maya', name: 'Maya' }],
    canned: Array.from({ length: 100 }, (_, i) => ({ id: `c${i}`, title: 't'.repeat(75), text: 'x'.repeat(500) })),
  },
}).desk!;

function conversation(over: Partial<Conversation> = {}): Conversation {
  return {
    id: 'conv-1',
    createdAt: T0,
    updatedAt: T0,
    ...newConversation('contact-1', 'email', 'email:a', { category: 'c'.repeat(2_500), intent: 'i'.repeat(500) }),
    ...over,
  } as Conversation;
}

const contact = (name: string): Contact => ({
  id: 'contact-1',
  name,
  vip: true,
  language: null,
  timezone: null,
  optOuts: [],
  attributes: {},
  createdAt: T0,
});

const identities = (n: number, length: number): Identity[] =>
  Array.from({ length: n }, (_, i) => ({
    id: `id-${i}`,
    contactId: 'contact-1',
    kind: 'email',
    value: `${String(i).padStart(length - 9, 'a')}@x.test`,
    verified: true,
  }));

describe('desk blocks within Block Kit limits', () => {
  it('keeps the header card valid for a very long name and many long identities', () => {
    const { blocks } = headerBlocks(
      { conversation: conversation(), contact: contact('N'.repeat(5_000)), identities: identities(80, 200) },
      createAgents(desk),
      true,
    );
    expect(messageBlockProblems(blocks)).toEqual([]);
  });

  it('keeps the header card valid for a public conversation with every control', () => {
    const c = conversation({ touchpoint: { channel: 'facebook', kind: 'facebook.comment', visibility: 'public' } });
    const { blocks } = headerBlocks({ conversation: c, contact: null, identities: [] }, createAgents(desk), true);
    expect(messageBlockProblems(blocks)).toEqual([]);
  });

  it('keeps every desk modal valid, with the most canned responses and more flows than a select holds', () => {
    const flows = Array.from({ length: 150 }, (_, i) => ({ id: `flow-${i}`, description: 'd'.repeat(300) }));
    expect(viewProblems(noteModal('conv-1'))).toEqual([]);
    expect(viewProblems(cannedModal('conv-1', desk))).toEqual([]);
    expect(viewProblems(flowModal('conv-1', flows))).toEqual([]);
    expect(viewProblems(snoozeModal('conv-1', T0))).toEqual([]);
  });
});
