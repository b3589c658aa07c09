import { parseDuration } from '../duration.ts';
import { TranslationFailed } from '../errors.ts';
import type { BusinessSettings } from '../settings/schema.ts';

/** Turns text from one language into another (ISO 639-1 codes). */
export interface Translator {
  translate(text: string, from: string, to: string): Promise<string>;
}

export type TranslationSettings = NonNullable<BusinessSettings['translation']>;
type Fetch = typeof fetch;

/** The configured endpoint as a Translator; null when translation is off. */
export function createTranslator(s: TranslationSettings | undefined, fetchImpl: Fetch = fetch): Translator | null {
  if (!s) return null;
  const timeoutMs = parseDuration(s.timeout);
  const post = async (path: string, body: unknown, headers: Record<string, string> = {}): Promise<unknown> => {
    const url = `${s.url.replace(/\/+$/, '')}${path}`;
    let res: Response;
    try {
      res = await fetchImpl(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw new TranslationFailed(`${url} did not answer: ${(err as Error).message}`, { cause: err });
    }
    const text = await res.text();
    if (!res.ok) throw new TranslationFailed(`${url} answered ${res.status}: ${text.slice(0, 200)}`);
    try {
      return JSON.parse(text);
    } catch {
      throw new TranslationFailed(`${url} answered with something other than JSON`);
    }
  };
  return s.provider === 'libretranslate' ? libreTranslate(s, post) : openAiCompatible(s, post);
}

type Post = (path: string, body: unknown, headers?: Record<string, string>) => Promise<unknown>;

/** LibreTranslate: POST /translate {q, source, target, format, api_key} → {translatedText}. */
function libreTranslate(s: TranslationSettings, post: Post): Translator {
  return {
    async translate(text, from, to) {
      const body = { q: text, source: from, target: to, format: 'text', ...(s.apiKey ? { api_key: s.apiKey } : {}) };
      const answer = (await post('/translate', body)) as { translatedText?: unknown };
      if (typeof answer?.translatedText !== 'string') throw new TranslationFailed('the answer has no translatedText');
      return answer.translatedText;
    },
  };
}

/** An OpenAI-compatible chat model told to translate, and to answer with the translation alone. */
function openAiCompatible(s: TranslationSettings, post: Post): Translator {
  return {
    async translate(text, from, to) {
      const body = {
        model: s.model,
        temperature: 0,
        messages: [
          {
            role: 'system',
            content: `Translate the user's message from the language with ISO 639-1 code "${from}" to "${to}". Answer with the translation only.`,
          },
          { role: 'user', content: text },
        ],
      };
      const auth: Record<string, string> = s.apiKey ? { authorization: `Bearer ${s.apiKey}` } : {};
      const answer = (await post('/chat/completions', body, auth)) as {
        choices?: { message?: { content?: unknown } }[];
      };
      const out = answer?.choices?.[0]?.message?.content;
      if (typeof out !== 'string' || out.trim() === '')
        throw new TranslationFailed('the answer has no message content');
      return out.trim();
    },
  };
}
