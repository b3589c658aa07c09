import { describe, expect, it } from 'vitest';
import { TranslationFailed } from '../../src/errors.ts';
import { createTranslator } from '../../src/people/translate.ts';
import { businessFile } from '../../src/settings/schema.ts';

type Call = { url: string; headers: Record<string, string>; body: unknown };

/** A fetch that records the request and answers with `status` and `body`. */
function answering(status: number, body: unknown, calls: Call[]): typeof fetch {
  return (async (url: string, init: RequestInit) => {
    calls.push({ url, headers: init.headers as Record<string, string>, body: JSON.parse(init.body as string) });
    return new Response(typeof body === 'string' ? body : JSON.stringify(body), { status });
  }) as typeof fetch;
}

describe('translation endpoints', () => {
  it('is off without settings', () => {
    expect(createTranslator(undefined)).toBeNull();
  });

  it('an OpenAI-compatible model: chat completions with the model, the bearer key and the languages', async () => {
    const calls: Call[] = [];
    const t = createTranslator(
      { provider: 'openai', url: 'http://llm.test/v1/', apiKey: 'sk-1', model: 'small', timeout: '5s' },
      answering(200, { choices: [{ message: { content: ' Bonjour. ' } }] }, calls),
    );
    expect(await t?.translate('Hello.', 'en', 'fr')).toBe('Bonjour.');
    expect(calls[0]?.url).toBe('http://llm.test/v1/chat/completions');
    expect(calls[0]?.headers.authorization).toBe('Bearer sk-1');
    expect(calls[0]?.body).toMatchObject({
      model: 'small',
      messages: [
        { role: 'system', content: expect.stringContaining('"en" to "fr"') },
        { role: 'user', content: 'Hello.' },
      ],
    });
  });

  it('an error status, an answer that is not JSON or has no text: TranslationFailed with what happened', async () => {
    const lt = (status: number, body: unknown) =>
      createTranslator(
        { provider: 'libretranslate', url: 'http://lt.test', timeout: '5s' },
        answering(status, body, []),
      );
    await expect(lt(403, { error: 'Invalid API key' })?.translate('x', 'en', 'de')).rejects.toThrow(
      /answered 403: \{"error":"Invalid API key"\}/,
    );
    await expect(lt(200, '<html>')?.translate('x', 'en', 'de')).rejects.toThrow(TranslationFailed);
    await expect(lt(200, { text: 'x' })?.translate('x', 'en', 'de')).rejects.toThrow(/no translatedText/);
  });

  it('business.yaml refuses an OpenAI-compatible endpoint without a model', () => {
    const r = businessFile.safeParse({ name: 'Shop', translation: { provider: 'openai', url: 'http://llm.test/v1' } });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]).toMatchObject({ path: ['translation', 'model'] });
  });
});
