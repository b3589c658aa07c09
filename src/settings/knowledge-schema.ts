import { z } from 'zod';
import { duration, patterns, words } from './policy-parts.ts';

/** knowledge.yaml: canned answers, the Markdown articles' folder, search and AI-drafted replies. */
export const knowledgeFile = z
  .object({
    maxAnswers: z.number().int().min(1).max(5).default(2).describe('Answers added to one message at most'),
    answers: z
      .record(
        z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'lowercase letters, digits, - and _'),
        z
          .object({
            title: z.string().min(1).optional().describe('What the answer is about, for agents searching it'),
            keywords: words,
            patterns,
            answer: z.string().min(1).describe('The answer; {business} and {name|fallback} are filled in'),
          })
          .strict(),
      )
      .default({}),
    articles: z
      .string()
      .min(1)
      .default('knowledge')
      .describe('Folder of Markdown articles (one per .md file), relative to config/; absent means none'),
    baseUrl: z
      .string()
      .url()
      .optional()
      .describe("Where the articles are published: an article's link is baseUrl/<file name without .md>"),
    search: z
      .object({
        fuzzy: z
          .number()
          .min(0)
          .max(0.4)
          .default(0.2)
          .describe('Typos tolerated: a fraction of the word length (0.2: one typo in a word of 5)'),
        prefix: z.boolean().default(true).describe('A word also matches longer words it starts (deliver → delivery)'),
        minScore: z
          .number()
          .min(0)
          .default(12)
          .describe(
            'Relevance an article needs before it is offered to a customer (a keyword or pattern always counts)',
          ),
      })
      .strict()
      .default({ fuzzy: 0.2, prefix: true, minScore: 12 })
      .describe('How questions are matched against answers and articles (full-text search)'),
    drafts: z
      .object({
        enabled: z.boolean().default(false).describe('Show agents a "Draft a reply" button in desk threads'),
        baseUrl: z
          .string()
          .url()
          .default('https://api.openai.com/v1')
          .describe('An OpenAI-compatible API: POST {baseUrl}/chat/completions'),
        model: z.string().min(1).describe('The model name the endpoint knows'),
        apiKey: z
          .string()
          .min(1)
          .optional()
          .describe(`Sent as a Bearer token; write \${OPENAI_API_KEY} to read it from the environment`),
        timeout: duration.default('20s').describe('The agent is told the draft failed after this'),
        redact: z
          .boolean()
          .default(true)
          .describe(
            "Replace email addresses, phone numbers, order numbers, addresses and the customer's name before sending",
          ),
        messages: z.number().int().min(1).max(100).default(20).describe('Latest messages of the conversation sent'),
        articles: z.number().int().min(0).max(5).default(3).describe('Best-matching knowledge entries sent'),
        instructions: z.string().min(1).optional().describe('Added to the system prompt: tone, what never to promise'),
      })
      .strict()
      .optional()
      .describe('AI-drafted replies for agents, off unless enabled: never sent without an agent'),
  })
  .strict();

export type KnowledgeSettings = z.infer<typeof knowledgeFile>;
export type DraftSettings = NonNullable<KnowledgeSettings['drafts']>;

/** One Markdown article of the knowledge folder, read at load. */
export interface KnowledgeArticle {
  /** The file name without .md. */
  id: string;
  file: string;
  title: string;
  keywords: string[];
  /** What a customer is sent: the front matter's `answer`, else the first paragraph. */
  answer: string;
  /** The whole article as plain text, for the index. */
  text: string;
  url: string | null;
}
