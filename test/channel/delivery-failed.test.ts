import { describe, expect, it } from 'vitest';
import { deliveryError } from '../../adapters/twilio/api/delivery-codes.ts';
import { createChannelHost } from '../../src/channel/host.ts';
import { VirtualClock } from '../../src/clock.ts';
import { silentLogger } from '../../src/log.ts';
import type { DeliveryStatus, Message } from '../../src/model/types.ts';
import type { Store } from '../../src/store/contract.ts';

function hostWith(stored: Partial<Message>) {
  const told: Message[] = [];
  const store = {
    async updateDelivery(_channel: string, _providerId: string, status: DeliveryStatus, error: string | null) {
      return { ...stored, status, error } as Message;
    },
  } as unknown as Store;
  const host = createChannelHost({
    channel: 'sms',
    store,
    ingestor: { ingest: async () => ({ stored: true, duplicate: false, eventId: 'e1' }) },
    bus: { publish: () => {}, subscribe: () => () => {} } as never,
    routes: { add: () => {} },
    log: silentLogger,
    clock: new VirtualClock(0),
    publicUrl: 'http://127.0.0.1',
    calendar: { isOpen: () => true, nextOpening: () => null, timeZone: 'Europe/London' },
    instance: 'test',
    deliveryFailed: (m) => told.push(m),
  });
  return { host, told };
}

describe('a failed delivery report', () => {
  it('tells the desk when the status callback arrives, with the error in words', async () => {
    const { host, told } = hostWith({ id: 'm1', conversationId: 'c1' });
    await host.updateDelivery('SM1', 'delivered');
    expect(told).toEqual([]);
    await host.updateDelivery('SM1', 'failed', deliveryError('30003'));
    expect(told).toHaveLength(1);
    expect(told[0]).toMatchObject({
      conversationId: 'c1',
      status: 'failed',
      error: "Twilio error 30003: the customer's phone is unreachable (switched off or out of coverage)",
    });
  });

  it('names an unknown code with where to read about it', () => {
    expect(deliveryError('39999')).toBe('Twilio error 39999 (see https://www.twilio.com/docs/api/errors/39999)');
  });
});
