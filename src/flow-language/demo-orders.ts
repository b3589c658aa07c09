import type { LookupFetch } from './lookup-runner.ts';

/**
 * The example's order system, built in: a lookup at `demo:/orders/<number>`
 * answers from these orders, so "where is my order? HSB-10234" works on a
 * fresh clone. A business points the lookup at its own service instead
 * (ORDER_API_URL in the example flow).
 */
const ORDERS: Record<string, { status: string; detail: string }> = {
  'HSB-10234': { status: 'ready to collect', detail: 'Pick it up from 8:00 at the counter.' },
  'HSB-10235': { status: 'out for delivery', detail: 'Our driver will be with you before 13:00.' },
  'HSB-10236': { status: 'being baked', detail: 'It will be ready tomorrow morning.' },
};

const DEMO_ORDER = /^demo:\/orders\/([^/?#]+)$/;

/** `fetch` for lookups, answering `demo:` URLs from the built-in orders. */
export function withDemoOrders(next: LookupFetch): LookupFetch {
  return (url, init) => {
    if (!url.startsWith('demo:')) return next(url, init);
    const number = DEMO_ORDER.exec(url)?.[1];
    const key = number
      ? decodeURIComponent(number)
          .toUpperCase()
          .replace(/^HSB-?/, 'HSB-')
      : '';
    const order = ORDERS[key];
    const body = order ? JSON.stringify(order) : JSON.stringify({ error: 'no such order' });
    return Promise.resolve({ status: order ? 200 : 404, text: async () => body });
  };
}
