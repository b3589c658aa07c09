import { describe, expect, it } from 'vitest';
import { MAX_MESSAGE_CONTENT, messagePayload } from './discord/payloads.ts';

const author = { id: '1', username: 'cora' };

describe('the Discord fake refuses what Discord refuses', () => {
  it('delivers content up to 4,000 characters and refuses one more', () => {
    const base = { channelId: '2', guildId: '3', author };
    expect(messagePayload({ ...base, content: 'x'.repeat(MAX_MESSAGE_CONTENT) }, 0).content).toHaveLength(4_000);
    expect(() => messagePayload({ ...base, content: 'x'.repeat(MAX_MESSAGE_CONTENT + 1) }, 0)).toThrow(
      /over 4000 characters/,
    );
  });
});
