import { parse } from 'yaml';
import { flowFile } from '../../src/settings/flow-schema.ts';
import { intentsFile, templatesFile } from '../../src/settings/schema.ts';
import type { Settings } from '../../src/settings/types.ts';
import { testSettings } from './settings.ts';

/** The labels of the choice question below; the second is longer than Messenger's 20-character titles. */
export const TOPICS = ['Celebration cakes', 'Vegan and gluten-free', 'Bread'];

/**
 * A business whose "question" asks a choice question (`ask` with choices) and
 * answers each choice with its own text: for the channels' buttons and quick replies.
 */
export function choiceFlowSettings(): Partial<Settings> {
  const base = testSettings();
  return {
    templates: {
      ...base.templates,
      ...templatesFile.parse({
        templates: {
          topic: 'What would you like to know about?',
          cakes: 'Cakes start at £38.',
          free_from: 'We bake a vegan sourdough every day.',
          bread: 'Sourdough is £4.80.',
        },
      }).templates,
    },
    intents: { ...base.intents, ...intentsFile.parse({ intents: { question: { keywords: ['question'] } } }).intents },
    flows: [
      ...base.flows,
      flowFile.parse(
        parse(`
id: topics
trigger: { intents: [question] }
steps:
  - ask:
      template: topic
      var: topic
      choices:
        - { value: cakes, label: ${TOPICS[0]} }
        - { value: free-from, label: ${TOPICS[1]} }
        - { value: bread, label: ${TOPICS[2]} }
  - if: { vars: { topic: cakes } }
    then: [{ say: cakes }]
    else:
      - if: { vars: { topic: free-from } }
        then: [{ say: free_from }]
        else: [{ say: bread }]
`),
      ),
    ],
  };
}
