import { createServer, type Server } from 'node:http';

/**
 * A local LibreTranslate speaking its wire format: POST /translate with
 * {q, source, target, format, api_key} answers {translatedText}; POST /detect
 * with {q} answers [{language, confidence}]. It knows the phrases a test
 * gives it and answers `[target] text` for others; a wrong key is a 403, as
 * LibreTranslate's own.
 */
export interface FakeLibreTranslate {
  url: string;
  requests: { path: string; body: Record<string, unknown> }[];
  /** The next translations fail with this status. */
  failWith: number | null;
  close(): Promise<void>;
}

export async function startFakeLibreTranslate(
  phrases: Record<string, string>,
  opts: { apiKey?: string } = {},
): Promise<FakeLibreTranslate> {
  const fake: FakeLibreTranslate = { url: '', requests: [], failWith: null, close: async () => {} };
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => {
      raw += c.toString('utf8');
    });
    req.on('end', () => {
      const reply = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        return reply(400, { error: 'Invalid request: body is not JSON' });
      }
      fake.requests.push({ path: req.url ?? '', body });
      if (opts.apiKey && body.api_key !== opts.apiKey) return reply(403, { error: 'Invalid API key' });
      if (req.method !== 'POST') return reply(405, { error: 'Method Not Allowed' });
      const q = body.q;
      if (typeof q !== 'string') return reply(400, { error: 'Invalid request: missing q parameter' });
      if (req.url === '/detect')
        return reply(200, [{ language: /[äöüß]|\b(wie|ich|und)\b/i.test(q) ? 'de' : 'en', confidence: 90 }]);
      if (req.url !== '/translate') return reply(404, { error: 'Not Found' });
      if (fake.failWith !== null) return reply(fake.failWith, { error: 'Slowdown: too many requests' });
      if (typeof body.source !== 'string' || typeof body.target !== 'string')
        return reply(400, { error: 'Invalid request: missing source or target parameter' });
      reply(200, { translatedText: phrases[q] ?? `[${body.target}] ${q}` });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  fake.url = `http://127.0.0.1:${address.port}`;
  fake.close = () => new Promise((resolve) => server.close(() => resolve()));
  return fake;
}
