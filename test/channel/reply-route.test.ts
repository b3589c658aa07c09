import { describe, expect, it } from 'vitest';
import { webformDefinition } from '../../adapters/webform/definition.ts';
import { webformSettings } from '../../adapters/webform/settings.ts';
import { createAdapters } from '../../src/channel/create-adapters.ts';
import { VirtualClock } from '../../src/clock.ts';
import { capturingLogger } from '../server/helpers.ts';
import { testSettings } from '../support/settings.ts';

describe('start-up with a reply route missing', () => {
  it('warns that every reply of the web form would be dead-lettered, and how to fix it', async () => {
    const { log, lines } = capturingLogger();
    const settings = testSettings({
      channels: { webform: { enabled: true, settings: webformSettings.parse({}) } },
    });
    await createAdapters({ webform: webformDefinition }, settings, log, new VirtualClock());
    const warning = lines.find((l) => l.level === 40);
    expect(warning).toMatchObject({ channel: 'webform', replyVia: 'email' });
    expect(warning?.msg).toMatch(
      /every reply will be dead-lettered; enable channels\.email or disable channels\.webform/,
    );
  });
});
