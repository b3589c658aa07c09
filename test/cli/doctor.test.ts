import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { adapters } from '../../adapters/registry.ts';
import { silentLogger } from '../../src/log.ts';
import { openStore } from '../../src/store/open.ts';
import { FakeTwilioApi } from '../fakes/twilio-api.ts';
import { copyExample, type TempBusiness } from '../settings/helpers.ts';
import { cli } from './helpers.ts';

const SID = 'AC0123456789abcdef0123456789abcdef';
let t: TempBusiness;
let api: FakeTwilioApi;
beforeEach(async () => {
  t = copyExample();
  api = await FakeTwilioApi.start({ accountSid: SID, authToken: 'the-right-token-1234' });
  const channels = join(t.configDir, 'channels.yaml');
  const text = readFileSync(channels, 'utf8').replace(
    /sms:\n(\s+)enabled: false\n/,
    `sms:\n$1enabled: true\n$1apiBaseUrl: ${api.url}\n`,
  );
  t.write('config/channels.yaml', text);
  await (await openStore({ dataDir: join(t.root, 'data'), log: silentLogger })).close();
});
afterEach(async () => {
  await api.close();
  t.cleanup();
});

const run = (token: string) =>
  cli(
    ['doctor', '--config', t.configDir, '--flows', t.flowsDir, '--data', join(t.root, 'data')],
    { TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: token },
    adapters,
  );

describe('touchpoint doctor', () => {
  it('names the channel whose credentials fail and exits 1', async () => {
    const r = await run('a-wrong-token-5678');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^FAIL {2}sms: Twilio refused the account SID and auth token \(error 20003\)/m);
    expect(r.stdout).toMatch(/^ok {4}store: SQLite reachable$/m);
    expect(r.stdout).toMatch(/^ok {4}disk: [\d.]+ GiB free/m);
  });

  it('passes when every check does', async () => {
    const r = await run('the-right-token-1234');
    expect(r.stdout).toMatch(/^ok {4}sms: account Harbour Street Bakery \(active\)$/m);
    expect(r.code).toBe(0);
  });
});
