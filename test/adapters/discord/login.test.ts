import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discordDefinition } from '../../../adapters/discord/definition.ts';
import { VirtualClock } from '../../../src/clock.ts';
import { silentLogger } from '../../../src/log.ts';
import { FakeHost } from '../email/support/fake-host.ts';
import { startWorld, type World } from './support/world.ts';

describe('Discord login', () => {
  let world: World;

  beforeAll(async () => {
    world = await startWorld();
  });
  afterAll(async () => {
    await world?.discord.stop();
  });

  it('holds one gateway session however often start is called', async () => {
    const host = new FakeHost();
    const adapter = await discordDefinition.create(world.settings(), { log: silentLogger, clock: host.clock });
    await Promise.all([adapter.start(host), adapter.start(host)]);
    await adapter.start(host);
    await adapter.stop();
    expect(world.discord.gateway.identifies).toBe(1);
  });

  it('leaves the gateway to another instance with gateway: false', async () => {
    const host = new FakeHost();
    const before = world.discord.gateway.identifies;
    const adapter = await discordDefinition.create(world.settings({ gateway: false }), {
      log: silentLogger,
      clock: host.clock,
    });
    await adapter.start(host);
    await adapter.stop();
    expect(world.discord.gateway.identifies).toBe(before);
  });

  it('gives up on a refused token instead of retrying', async () => {
    const clock = new VirtualClock();
    const host = new FakeHost({ clock });
    const adapter = await discordDefinition.create(world.settings({ token: 'wrong' }), { log: silentLogger, clock });
    const before = world.discord.gateway.identifies;
    await adapter.start(host);
    clock.advance(10 * 60_000);
    await adapter.stop();
    expect(world.discord.gateway.identifies).toBe(before);
  });

  it('retries a first login that failed, after a back-off', async () => {
    const clock = new VirtualClock();
    const host = new FakeHost({ clock });
    const settings = world.settings({ reconnect: { minDelayMs: 1000, maxDelayMs: 1000 } });
    const adapter = await discordDefinition.create(settings, { log: silentLogger, clock });
    const gateway = world.discord.gateway;
    const before = gateway.identifies;
    // discord.js itself tries 1 + 3 times on a 5xx before the login fails.
    world.discord.gatewayBotFailures = 4;
    await adapter.start(host);
    expect(gateway.identifies).toBe(before);
    clock.advance(1000);
    await gateway.waitFor(() => gateway.identifies === before + 1 && gateway.connected, 'the second login');
    await adapter.stop();
    expect(world.discord.gatewayBotFailures).toBe(0);
  });
});
