import { describe, expect, it } from 'vitest';
import {
  type DiscordThread,
  decodeThreadKey,
  destinationOf,
  encodeThreadKey,
} from '../../../adapters/discord/thread-key.ts';

describe('Discord thread keys', () => {
  const threads: DiscordThread[] = [
    { kind: 'dm', userId: '80351110224678912' },
    { kind: 'channel', guildId: '41771983423143937', channelId: '41771983423143938', userId: '80351110224678912' },
    { kind: 'thread', guildId: '41771983423143937', parentId: '41771983423143938', threadId: '1099999999999999999' },
  ];

  it('round-trips every kind', () => {
    for (const t of threads) expect(decodeThreadKey(encodeThreadKey(t))).toEqual(t);
    expect(threads.map(encodeThreadKey)).toEqual([
      'discord:dm:80351110224678912',
      'discord:ch:41771983423143937:41771983423143938:80351110224678912',
      'discord:th:41771983423143937:41771983423143938:1099999999999999999',
    ]);
  });

  it('rejects keys it did not build', () => {
    for (const key of [
      '',
      'discord:dm:',
      'discord:dm:12:34',
      'discord:dm:abc',
      'discord:ch:1:2',
      'discord:xx:1:2:3',
      'email:a@b.test:0123456789abcdef',
      'discord:th:1:2:3:4',
    ]) {
      expect(decodeThreadKey(key), key).toBeNull();
    }
  });

  it('limits sends per posting channel', () => {
    expect(threads.map(destinationOf)).toEqual(['dm:80351110224678912', '41771983423143938', '1099999999999999999']);
  });
});
