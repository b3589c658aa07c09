import { contactsFile } from '../../src/settings/contacts-schema.ts';
import { flowFile } from '../../src/settings/flow-schema.ts';
import { noPolicies } from '../../src/settings/policy-schema.ts';
import { retentionFile } from '../../src/settings/retention-schema.ts';
import { businessFile, intentsFile, routerFile, templatesFile } from '../../src/settings/schema.ts';
import type { Settings } from '../../src/settings/types.ts';

/** A small, self-contained business for core tests, independent of the example in config/. */
export function testSettings(overrides: Partial<Settings> = {}): Settings {
  return {
    configDir: 'test-config',
    flowsDir: 'test-flows',
    business: businessFile.parse({ name: 'Test Shop', timezone: 'Europe/London' }),
    channels: {},
    templates: templatesFile.parse({
      templates: {
        pricing: { text: 'A loaf is £4.', channels: { sms: 'Loaf £4' } },
        hello: 'Hello {name|there}, welcome to {business}!',
        handoff: 'Connecting you to a person.',
        fallback: 'Sorry, I did not catch that.',
      },
    }).templates,
    intents: intentsFile.parse({
      intents: {
        pricing: { keywords: ['price', 'how much', 'cost'] },
        greeting: { keywords: ['hello', 'hi'] },
        human: { keywords: ['person', 'human', 'agent'], priority: 'high' },
      },
    }).intents,
    router: routerFile.parse({}),
    contacts: contactsFile.parse({}),
    retention: retentionFile.parse({}).retention,
    policies: noPolicies(),
    flows: [
      flowFile.parse({ id: 'pricing', trigger: { intents: ['pricing'] }, steps: [{ say: 'pricing' }] }),
      flowFile.parse({ id: 'greet', trigger: { intents: ['greeting'] }, steps: [{ say: 'hello' }] }),
      flowFile.parse({
        id: 'human',
        priority: 10,
        trigger: { intents: ['human'] },
        steps: [{ set: { tags: ['wants-human'] } }, { say: 'handoff' }, { handoff: { team: 'support' } }],
      }),
    ],
    ...overrides,
  };
}
