import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webchatDefinition } from '../../adapters/webchat/definition.ts';
import { webchatSettings } from '../../adapters/webchat/settings.ts';
import type { App } from '../../src/app.ts';
import { noPolicies, oncallFile } from '../../src/settings/policy-schema.ts';
import { businessFile } from '../../src/settings/schema.ts';
import { webchatSays } from '../adapters/slack/support/desk-app.ts';
import { startLocalApp } from '../support/local-app.ts';
import { testSettings } from '../support/settings.ts';

/**
 * Customers see agents by name: an agent's reply through the API carries the
 * name from the staff roster (oncall.yaml), through the brand voice's
 * `agentName`, never the agent id; an agent the roster does not know keeps their id.
 */
describe('agent names in what customers see', () => {
  let app: App;
  let stop: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    ({ app, stop } = await startLocalApp('tp-agent-name-', {
      settings: testSettings({
        business: businessFile.parse({
          name: 'Test Shop',
          timezone: 'Europe/London',
          voice: { agentName: '{agent} at Test Shop' },
        }),
        channels: { webchat: { enabled: true, settings: webchatSettings.parse({}) } },
        policies: {
          ...noPolicies(),
          oncall: oncallFile.parse({
            people: { maya: { name: 'Maya Patel', channel: 'email', to: 'maya@shop.test' } },
          }),
        },
      }),
      adapters: { webchat: webchatDefinition },
    }));
  });
  afterAll(async () => {
    await stop?.();
  });

  it('names the agent from the roster in the web chat', async () => {
    const token = await webchatSays(app.url, 'hello');
    await app.drain();
    const [conversation] = await app.store.listConversations({ channel: 'webchat' });
    for (const agent of ['maya', 'temp-7']) {
      const res = await fetch(`${app.url}/api/conversations/${conversation?.id}/reply`, {
        method: 'POST',
        headers: { authorization: `Bearer ${app.adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ text: `Hi, this is ${agent}`, agent }),
      });
      expect(res.status).toBe(201);
    }
    await app.drain();
    const seen = (await (
      await fetch(`${app.url}/webchat/messages`, { headers: { 'x-visitor-token': token } })
    ).json()) as {
      messages: Array<{ text: string; name: string | null }>;
    };
    expect(seen.messages.slice(-2).map((m) => m.name)).toEqual(['Maya Patel at Test Shop', 'temp-7 at Test Shop']);
  });
});
