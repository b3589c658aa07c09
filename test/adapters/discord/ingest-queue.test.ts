import { describe, expect, it } from 'vitest';
import { IngestQueue } from '../../../adapters/discord/inbound/ingest-queue.ts';
import { VirtualClock } from '../../../src/clock.ts';
import type { Envelope } from '../../../src/model/types.ts';
import { FakeHost } from '../email/support/fake-host.ts';

const env = (id: string): Envelope => ({
  channel: 'discord',
  providerId: id,
  touchpoint: { channel: 'discord', kind: 'discord.dm', visibility: 'private' },
  threadKey: 'discord:dm:1',
  from: { kind: 'discord', value: '1' },
  text: id,
});

describe('IngestQueue', () => {
  it('retries a failed store with back-off and keeps arrival order', async () => {
    const clock = new VirtualClock();
    const host = new FakeHost({ clock });
    const queue = new IngestQueue(host);
    host.failNext = new Error('store down');
    queue.push(env('a'));
    queue.push(env('b'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(host.calls).toHaveLength(0);
    clock.advance(500);
    await queue.idle();
    expect(host.calls.map((e) => e.providerId)).toEqual(['a', 'b']);
  });

  it('keeps a message the core refuses at once, without holding up the next', async () => {
    const host = new FakeHost({ clock: new VirtualClock() });
    const queue = new IngestQueue(host);
    queue.push({ ...env('refused'), from: { kind: 'discord', value: '' }, raw: { id: 'refused' } });
    queue.keep('odd', 'TypeError: no author', '{"id":"odd"}');
    queue.push(env('next'));
    await queue.idle();
    expect([...host.stored.keys()]).toEqual(['next']);
    expect(host.unreadable).toEqual([
      { reason: 'envelope needs a touchpoint and a sender identity', payload: '{"id":"refused"}' },
      { reason: 'TypeError: no author', payload: '{"id":"odd"}' },
    ]);
  });
});
