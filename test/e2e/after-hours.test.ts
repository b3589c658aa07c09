import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adapters } from '../../adapters/registry.ts';
import { loadConfig } from '../../src/cli/load-config.ts';
import { VirtualClock } from '../../src/clock.ts';
import { webchatHistory, webchatSays } from '../adapters/slack/support/desk-app.ts';
import { type LocalApp, startLocalApp } from '../support/local-app.ts';

/**
 * The example business as shipped, at 22:50 on a Sunday (closed until Tuesday
 * 7:30): the self-service answers still work, and what needs a person says when.
 */
describe('the example at 22:50 on a Sunday', () => {
  let local: LocalApp;
  const clock = new VirtualClock(Date.UTC(2026, 10, 29, 22, 50)); // Sunday 29 November, London on GMT

  beforeAll(async () => {
    const settings = loadConfig({ configDir: 'config', flowsDir: 'flows', adapters, env: {} });
    local = await startLocalApp('tp-after-hours-', { settings, adapters, clock });
  });
  afterAll(async () => {
    await local?.stop();
  });

  /** The visitor writes; returns the bot's replies to this message. */
  const ask = async (text: string, token?: string) => {
    const before = token ? (await webchatHistory(local.app.url, token)).length : 0;
    const t = await webchatSays(local.app.url, text, token);
    await local.app.drain();
    return { token: t, replies: (await webchatHistory(local.app.url, t)).slice(before + 1) };
  };

  it('looks an order up in the built-in demo order book', async () => {
    const first = await ask('where is my order?');
    expect(first.replies).toEqual([expect.stringContaining("What's your order number?")]);
    const second = await ask('HSB-10234', first.token);
    // The lookup runs outside the routing transaction: its answer follows on its own.
    let seen: string[] = [];
    for (let i = 0; i < 100 && !seen.some((t) => t.startsWith('Order HSB-10234')); i++) {
      await new Promise((r) => setTimeout(r, 50));
      clock.advance(100); // the lookup's timer and its time-out run on the test clock
      await local.app.drain();
      seen = await webchatHistory(local.app.url, first.token);
    }
    expect(seen.join('\n')).toContain('Order HSB-10234: ready to collect. Pick it up from 8:00 at the counter.');
    expect(second.replies.join('\n')).not.toMatch(/closed right now/);
  });

  it('answers the opening hours from the calendar, with the next opening', async () => {
    const { replies } = await ask('when are you open?');
    expect(replies[0]).toMatch(
      /^Our hours for the coming week: today \(Sunday\) 9:00–13:00; Monday closed; Tuesday 7:30–15:00/,
    );
    expect(replies[1]).toBe("We're closed at the moment and open again Tuesday at 7:30.");
  });

  it('tells someone asking for a person when a person will reply', async () => {
    const { replies } = await ask('can I talk to a person?');
    expect(replies).toEqual([
      "Our team is away right now: I've passed your message on, and a person will reply here Tuesday at 7:30.",
    ]);
  });

  it('tells the web chat it is closed, and when it opens', async () => {
    const res = await fetch(`${local.app.url}/webchat/availability`);
    expect(await res.json()).toEqual({ open: false, nextOpening: 'Tuesday at 7:30' });
  });

  it('acknowledges what no flow answers, without promising answers it does not give', async () => {
    const { replies } = await ask('asdf qwerty');
    expect(replies[0]).toBe("Thanks for your message! We're closed right now and will reply Tuesday at 7:30.");
    expect(replies.join('\n')).not.toMatch(/answers below/);
  });
});
