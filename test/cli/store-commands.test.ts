import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.ts';
import { openStore } from '../../src/store/open.ts';
import { cli } from './helpers.ts';

const NOW = Date.UTC(2026, 0, 6, 10, 30, 0);

let dataDir: string;
let ids: { conversation: string; job: string; other: string };

/** A store with one complaint conversation (inbound message, internal note, a reply that was dead-lettered). */
async function seed(dir: string) {
  const store = await openStore({ dataDir: dir, log: silentLogger });
  try {
    const seeded = await store.transaction(async (tx) => {
      const contact = await tx.createContact({ name: 'Ada Baker' }, { kind: 'webchat', value: 'visitor-1' }, NOW);
      const base = {
        contactId: contact.id,
        assignee: null,
        tags: ['complaint'],
        links: [],
        sla: {},
        flowState: null,
        replyRef: null,
        lastInboundAt: NOW,
      };
      const conversation = await tx.createConversation(
        {
          ...base,
          touchpoint: { channel: 'webchat', kind: 'webchat', visibility: 'private' },
          threadKey: 'thread-1',
          status: 'open',
          category: 'feedback',
          intent: 'complaint',
          priority: 'high',
        },
        NOW,
      );
      const other = await tx.createConversation(
        {
          ...base,
          touchpoint: { channel: 'webform', kind: 'webform', visibility: 'private' },
          threadKey: 'form-1',
          status: 'resolved',
          category: null,
          intent: 'pricing',
          priority: 'normal',
        },
        NOW + 1000,
      );
      const message = { conversationId: conversation.id, attachments: [], providerId: null, parts: [] };
      await tx.insertMessage(
        {
          ...message,
          direction: 'inbound',
          author: { kind: 'contact', name: 'Ada Baker' },
          text: 'The birthday cake was stale',
          providerId: 'p-1',
          status: 'received',
          visibility: 'customer',
        },
        NOW,
      );
      await tx.insertMessage(
        {
          ...message,
          direction: 'outbound',
          author: { kind: 'agent', name: 'Sam' },
          text: 'Offer a refund',
          status: 'sent',
          visibility: 'internal',
        },
        NOW + 1,
      );
      const reply = await tx.insertMessage(
        {
          ...message,
          direction: 'outbound',
          author: { kind: 'bot' },
          text: 'I am really sorry about this. Our shift manager will get back to you today.',
          status: 'queued',
          visibility: 'customer',
        },
        NOW + 2,
      );
      const job = await tx.enqueueOutbound(
        {
          messageId: reply.id,
          conversationId: conversation.id,
          channel: 'webchat',
          // the rate-limit key, our side of the thread (a Twilio adapter keys by our own number)
          destination: '+14155550100',
          dueAt: NOW,
        },
        NOW + 2,
      );
      return { conversation: conversation.id, job: job.id, other: other.id };
    });
    await store.deadLetter(seeded.job, 'permanent: visitor left', NOW + 3);
    return seeded;
  } finally {
    await store.close();
  }
}

beforeEach(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'touchpoint-cli-'));
  ids = await seed(dataDir);
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

describe('touchpoint conversations', () => {
  it('lists conversations, newest first, filtered by status', async () => {
    const all = await cli(['conversations', 'list', '--data', dataDir, '--json']);
    expect(all.code).toBe(0);
    const listed = JSON.parse(all.stdout).conversations as Array<{ id: string; contactName: string }>;
    expect(listed.map((c) => c.id)).toEqual([ids.other, ids.conversation]);
    expect(listed[0]?.contactName).toBe('Ada Baker');

    const open = await cli(['conversations', 'list', '--status', 'open,pending'], { TOUCHPOINT_DATA_DIR: dataDir });
    expect(open.code).toBe(0);
    const lines = open.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^ID +STATUS +CHANNEL +PRIORITY +CATEGORY +CONTACT +UPDATED$/);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(new RegExp(`^${ids.conversation} +open +webchat +high +feedback +Ada Baker +2026-01-06`));

    const limited = await cli(['conversations', 'list', '--data', dataDir, '--limit', '1', '--json']);
    expect(JSON.parse(limited.stdout).conversations).toHaveLength(1);
  });

  it('rejects an unknown status', async () => {
    const r = await cli(['conversations', 'list', '--data', dataDir, '--status', 'opn']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--status takes open, pending, snoozed, resolved, closed');
  });

  it('shows one conversation with its messages, internal notes marked', async () => {
    const r = await cli(['conversations', 'show', ids.conversation, '--data', dataDir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Conversation ${ids.conversation}`);
    expect(r.stdout).toMatch(/status: +open +priority: high +category: feedback +intent: complaint/);
    const lines = r.stdout.split('\n');
    expect(lines).toContain('2026-01-06 10:30:00 ← contact Ada Baker [received]: The birthday cake was stale');
    expect(lines).toContain('2026-01-06 10:30:00 → agent Sam [sent] [internal note]: Offer a refund');
    expect(lines).toContain(
      '2026-01-06 10:30:00 → bot [failed] (permanent: visitor left): I am really sorry about this. Our shift manager will get back to you today.',
    );

    const json = await cli(['conversations', 'show', ids.conversation, '--data', dataDir, '--json']);
    const shown = JSON.parse(json.stdout);
    expect(shown.conversation.id).toBe(ids.conversation);
    expect(shown.messages.map((m: { visibility: string }) => m.visibility)).toEqual([
      'customer',
      'internal',
      'customer',
    ]);
  });

  it('says so when the conversation does not exist', async () => {
    const r = await cli(['conversations', 'show', 'nope', '--data', dataDir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('error: no conversation with id nope\n');
  });

  it('needs a conversation id', async () => {
    expect((await cli(['conversations', 'show', '--data', dataDir])).code).toBe(2);
  });
});

describe('touchpoint inbound unreadable', () => {
  it('lists kept payloads with their reason, whole in JSON', async () => {
    expect((await cli(['inbound', 'unreadable', '--data', dataDir])).stdout).toBe('no unreadable payloads\n');
    const store = await openStore({ dataDir, log: silentLogger });
    await store.keepUnreadable({
      channel: 'slack',
      reason: 'an event without a type',
      payload: '{"x":1}',
      receivedAt: NOW,
    });
    await store.close();
    const r = await cli(['inbound', 'unreadable', '--data', dataDir]);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^ID +CHANNEL +RECEIVED +REASON +PAYLOAD$/);
    expect(lines[1]).toMatch(/^\S+ +slack +2026-01-06 10:30:00 +an event without a type +\{"x":1\}$/);
    const json = JSON.parse((await cli(['inbound', 'unreadable', '--data', dataDir, '--json'])).stdout);
    expect(json.unreadable).toEqual([
      expect.objectContaining({ channel: 'slack', payload: '{"x":1}', encoding: 'utf8', receivedAt: NOW }),
    ]);
  });
});

describe('touchpoint outbox', () => {
  it("lists dead letters with the customer's address, not the sending key", async () => {
    const r = await cli(['outbox', 'dead', '--data', dataDir]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^ID +CHANNEL +DESTINATION +ATTEMPTS +FAILED +ERROR +TEXT$/);
    expect(lines[1]).toMatch(
      new RegExp(`^${ids.job} +webchat +visitor-1 +1 +2026-01-06 10:30:00 +permanent: visitor left +I am really sorry`),
    );

    const json = JSON.parse((await cli(['outbox', 'dead', '--data', dataDir, '--json'])).stdout);
    expect(json.deadLetters).toEqual([
      expect.objectContaining({
        id: ids.job,
        channel: 'webchat',
        destination: 'visitor-1',
        sendingKey: '+14155550100',
        error: 'permanent: visitor left',
      }),
    ]);
  });

  it('retries one dead letter by id, then finds none left', async () => {
    const r = await cli(['outbox', 'retry', ids.job, '--data', dataDir]);
    expect(r).toMatchObject({ code: 0, stdout: 'queued 1 message again\n' });
    expect((await cli(['outbox', 'dead', '--data', dataDir])).stdout).toBe('no dead letters\n');
    const again = await cli(['outbox', 'retry', ids.job, '--data', dataDir]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`no dead letter with id ${ids.job}`);
    const audit = JSON.parse((await cli(['audit', '--action', 'retry', '--data', dataDir, '--json'])).stdout);
    expect(audit.entries).toEqual([
      expect.objectContaining({ actorId: 'cli', via: 'cli', action: 'retry', detail: { outboxId: ids.job } }),
    ]);
  });

  it('lists the replies waiting per sender: none while the only one is dead, one once it is retried', async () => {
    expect((await cli(['outbox', 'queues', '--data', dataDir])).stdout).toBe('no replies waiting\n');
    await cli(['outbox', 'retry', ids.job, '--data', dataDir]);
    const r = await cli(['outbox', 'queues', '--data', dataDir]);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^CHANNEL +FROM +WAITING +OLDEST WAITED$/);
    expect(lines[1]).toMatch(/^webchat +\+14155550100 +1 +\d+ s$/);
    const json = JSON.parse((await cli(['outbox', 'queues', '--data', dataDir, '--json'])).stdout);
    expect(json.queues).toEqual([
      expect.objectContaining({ channel: 'webchat', destination: '+14155550100', waiting: 1 }),
    ]);
  });

  it('retries all dead letters with --all', async () => {
    const r = await cli(['outbox', 'retry', '--all', '--data', dataDir, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ retried: [ids.job] });
  });

  it('needs exactly one of an id and --all', async () => {
    expect((await cli(['outbox', 'retry', '--data', dataDir])).code).toBe(2);
    expect((await cli(['outbox', 'retry', ids.job, '--all', '--data', dataDir])).code).toBe(2);
  });

  it('explains a missing data folder instead of creating one', async () => {
    const r = await cli(['outbox', 'dead', '--data', join(dataDir, 'missing')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('there is no data folder at');
  });
});
