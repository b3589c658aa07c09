import type OpenAI from 'openai';
import { parseDuration } from '../duration.ts';
import { TouchpointError } from '../errors.ts';
import type { KnowledgeSearch } from '../knowledge/search.ts';
import type { Logger } from '../log.ts';
import { createPersonalDataDetector } from '../outbound/personal-data.ts';
import type { DraftSettings, HandoffSettings } from '../settings/policy-schema.ts';
import type { Store } from '../store/contract.ts';
import { buildPrompt } from './prompt.ts';

/**
 * AI-drafted replies: a draft for an agent from an OpenAI-compatible chat
 * completions endpoint. Drafting only reads and asks; it never writes a
 * message or sends anything (the agent sends, through the usual reply path
 * and its guards). Failures become one TouchpointError with a sentence the
 * agent can act on.
 */

export interface Draft {
  text: string;
  /** The knowledge entries the draft was given, for the agent to check. */
  sources: Array<{ title: string; url: string | null }>;
}

export interface Drafter {
  draft(conversationId: string): Promise<Draft>;
}

export interface DrafterDeps {
  settings: DraftSettings;
  business: string;
  guard: HandoffSettings['guard'];
  knowledge: () => KnowledgeSearch;
  store: Pick<Store, 'getConversation' | 'getContact' | 'listMessages' | 'findConversationsOfContact'>;
  log: Logger;
}

const HISTORY = 5;
const fail = (message: string, cause?: unknown) => new TouchpointError('draft_failed', message, { cause });

export function createDrafter(d: DrafterDeps): Drafter {
  const s = d.settings;
  const timeoutMs = parseDuration(s.timeout);
  // The SDK is a large module tree: loaded with the first draft, so a router that never drafts never holds it.
  let sdk: Promise<{ Sdk: typeof OpenAI; client: OpenAI }> | null = null;
  const connect = () => {
    sdk ??= import('openai').then(({ default: Sdk }) => ({
      Sdk,
      client: new Sdk({
        baseURL: s.baseUrl,
        // a local endpoint may need no key; the SDK insists on one
        apiKey: s.apiKey ?? 'none',
        timeout: timeoutMs,
        maxRetries: 0,
      }),
    }));
    return sdk;
  };
  const detector = s.redact ? createPersonalDataDetector(d.guard) : null;

  return {
    async draft(conversationId) {
      const conversation = await d.store.getConversation(conversationId);
      if (!conversation) throw new TouchpointError('no_conversation', `no conversation ${conversationId}`);
      const [contact, all, earlier] = await Promise.all([
        d.store.getContact(conversation.contactId),
        d.store.listMessages(conversationId, { limit: 1000 }),
        d.store.findConversationsOfContact(conversation.contactId, { limit: HISTORY + 1 }),
      ]);
      const messages = all.slice(-s.messages);
      const lastAsk = [...messages].reverse().find((m) => m.direction === 'inbound')?.text ?? '';
      const articles = s.articles > 0 && lastAsk ? d.knowledge().search(lastAsk, s.articles) : [];
      const prompt = buildPrompt({
        business: d.business,
        conversation,
        contact,
        messages,
        earlier: earlier.filter((c) => c.id !== conversationId).slice(0, HISTORY),
        articles,
        instructions: s.instructions,
        redact: detector,
      });
      let text: string | null | undefined;
      const { Sdk, client } = await connect();
      try {
        const res = await client.chat.completions.create({ model: s.model, messages: prompt });
        text = res.choices[0]?.message?.content;
      } catch (err) {
        d.log.warn({ err, conversationId }, 'drafting a reply failed');
        throw explain(Sdk, err, s.timeout);
      }
      if (!text?.trim())
        throw fail('The drafting service answered with no text. Try again, or write the reply yourself.');
      return { text: text.trim(), sources: articles.map((a) => ({ title: a.title, url: a.url })) };
    },
  };
}

function explain(Sdk: typeof OpenAI, err: unknown, timeout: string): TouchpointError {
  if (err instanceof Sdk.APIConnectionTimeoutError)
    return fail(`The drafting service did not answer within ${timeout}. Try again, or write the reply yourself.`, err);
  if (err instanceof Sdk.APIError && err.status !== undefined) {
    const why =
      err.status === 401 || err.status === 403
        ? 'it refused the API key (check knowledge.yaml drafts.apiKey)'
        : err.status === 429
          ? 'it is rate limiting us; wait a minute'
          : `it answered ${err.status}`;
    return fail(`The drafting service could not draft a reply: ${why}.`, err);
  }
  return fail('The drafting service cannot be reached. Try again later, or write the reply yourself.', err);
}
