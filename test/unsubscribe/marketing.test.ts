import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/clock.ts';
import { templatesFile } from '../../src/settings/schema.ts';
import { createUnsubscribeLinks, UNSUBSCRIBE_TTL_MS } from '../../src/unsubscribe/links.ts';
import { marketingTemplates } from '../../src/unsubscribe/marketing.ts';

describe('marketing messages and their unsubscribe links', () => {
  it('counts every broadcast and the templates marked marketing, nothing else', () => {
    const { templates } = templatesFile.parse({
      templates: { offer: { text: 'Half price today!', marketing: true }, hello: 'Hello', thanks: { text: 'Thanks' } },
    });
    const isMarketing = marketingTemplates(templates);
    expect(['broadcast Winter menu', 'offer', 'hello', 'thanks', 'broadcasting'].map(isMarketing)).toEqual([
      true,
      true,
      false,
      false,
      false,
    ]);
  });

  it('signs the conversation, the channel and the expiry: each changed, or the time passed, is refused', () => {
    const clock = new VirtualClock(Date.UTC(2026, 10, 24, 10));
    const links = createUnsubscribeLinks({ key: Buffer.from('k'.repeat(32)), publicUrl: 'https://shop.test/', clock });
    const url = new URL(links.url('c1', 'email'));
    expect(url.pathname).toBe('/unsubscribe/c1');
    expect(links.verify('c1', url.searchParams)).toEqual({ channel: 'email' });
    expect(() => links.verify('c2', url.searchParams)).toThrow(/not one we signed/);
    for (const [k, v] of [
      ['c', 'sms'],
      ['e', String(Number(url.searchParams.get('e')) + 1)],
    ] as const) {
      const q = new URLSearchParams(url.searchParams);
      q.set(k, v);
      expect(() => links.verify('c1', q)).toThrow(/not one we signed/);
    }
    const other = createUnsubscribeLinks({ key: Buffer.from('x'.repeat(32)), publicUrl: 'https://shop.test', clock });
    expect(() => other.verify('c1', url.searchParams)).toThrow(/not one we signed/);
    clock.advance(UNSUBSCRIBE_TTL_MS - 1_000);
    expect(links.verify('c1', url.searchParams)).toEqual({ channel: 'email' });
    clock.advance(2_000);
    expect(() => links.verify('c1', url.searchParams)).toThrow(/expired/);
  });
});
