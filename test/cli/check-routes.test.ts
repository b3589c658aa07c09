import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { adapters } from '../../adapters/registry.ts';
import { copyExample, type TempBusiness } from '../settings/helpers.ts';
import { cli } from './helpers.ts';

let t: TempBusiness;
beforeEach(() => {
  t = copyExample();
});
afterEach(() => t.cleanup());

/** An environment reference as written in YAML: `${NAME}`. */
const ref = (name: string) => ['$', '{', name, '}'].join('');
const dirs = () => ['--config', t.configDir, '--flows', t.flowsDir];
const edit = (file: string, from: string | RegExp, to: string) => {
  const path = join(t.configDir, file);
  const before = readFileSync(path, 'utf8');
  const after = before.replace(from, to);
  if (after === before) throw new Error(`${file}: nothing to replace`);
  t.write(`config/${file}`, after);
};

describe('touchpoint check: routes that lead nowhere', () => {
  it('refuses a web form enabled without the email channel its replies go out on, naming the fix', async () => {
    edit('channels.yaml', /webform:\n(\s+)enabled: false/, 'webform:\n$1enabled: true');
    const r = await cli(['check', ...dirs()], {}, adapters);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /channels\.yaml:\d+:\d+ \(channels\.webform\.enabled\): `webform` replies go out on `email`, which is not enabled.*Fix: enable and configure `channels\.email`, or set `channels\.webform\.enabled: false`/s,
    );
  });

  const slackEnv = { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 'secret-123' };
  const enableSlack = () => edit('channels.yaml', /slack:\n(\s+)enabled: false/, 'slack:\n$1enabled: true');

  it('accepts the example desk routes with Slack on, and refuses routes that can never match, naming the fix', async () => {
    enableSlack();
    edit('channels.yaml', '{ channel: email, deskChannel: C0123MAIL }', '{ channel: webchat, deskChannel: C0123MAIL }');
    expect(await cli(['check', ...dirs()], slackEnv, adapters)).toMatchObject({ code: 0 });

    const complaint = join(t.flowsDir, 'complaint.yaml');
    t.write(
      'flows/complaint.yaml',
      readFileSync(complaint, 'utf8').replace('category: complaint', 'category: feedback'),
    );
    edit('intents.yaml', /category: complaint/, 'category: feedback');
    edit('channels.yaml', '{ channel: webchat, deskChannel: C0123MAIL }', '{ channel: email, deskChannel: C0123MAIL }');
    const r = await cli(['check', ...dirs()], slackEnv, adapters);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /channels\.yaml:\d+:\d+ \(channels\.slack\.desk\.routes\[1\]\.category\): no intent or flow sets the category `complaint`: this route never matches\. Fix: use one of account, callback, feedback, loyalty, orders/,
    );
    expect(r.stdout).toMatch(
      /\(channels\.slack\.desk\.routes\[0\]\.channel\): the channel `email` is not enabled: this route never matches\. Fix: enable channels\.email, or remove the route/,
    );
  });

  it('refuses a lookup at a placeholder host or a URL whose variable is unset', async () => {
    const flow = join(t.flowsDir, 'order-tracking.yaml');
    const original = readFileSync(flow, 'utf8');
    t.write(
      'flows/order-tracking.yaml',
      original.replace(ref('ORDER_API_URL:-demo:'), ref('ORDER_API_URL:-https://shop.bakery.example/api')),
    );
    const placeholder = await cli(['check', ...dirs()], {}, adapters);
    expect(placeholder.code).toBe(1);
    expect(placeholder.stdout).toMatch(
      /order-tracking\.yaml:\d+:\d+ \(steps\[\d+\]\.lookup\.url\): the lookup goes to shop\.bakery\.example, a placeholder host that never answers/,
    );
    // With the variable set, the same flow is accepted.
    expect(await cli(['check', ...dirs()], { ORDER_API_URL: 'https://orders.bakery.net' }, adapters)).toMatchObject({
      code: 0,
    });

    t.write('flows/order-tracking.yaml', original.replace(ref('ORDER_API_URL:-demo:'), ref('ORDER_API_URL:-')));
    const unset = await cli(['check', ...dirs()], {}, adapters);
    expect(unset.stdout).toMatch(
      /`\/orders\/\{order\}` is not an http\(s\) URL \(an environment variable it names may be unset\)/,
    );
  });

  it('warns, in one line each, about people on call whose channel is not enabled, and still passes', async () => {
    const r = await cli(['check', ...dirs()], {}, adapters);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /warning: .*oncall\.yaml:\d+:\d+ \(people\.maya\.channel\): Maya Patel is paged on `sms`, which is not enabled: their pages are never sent\. Fix: enable channels\.sms/,
    );
    expect(r.stdout.match(/^warning: /gm)).toHaveLength(3);
  });
});
