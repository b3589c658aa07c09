import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebchat, type Webchat } from '../adapters/webchat/setup.ts';
import { startWebform, type Webform } from '../adapters/webform/setup.ts';

const SITE = 'https://harbourstreetbakery.example';

/** The security headers every HTML page sends, whichever adapter serves it. */
function expectPageHeaders(res: Response, frameAncestors: string) {
  expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
  const csp = res.headers.get('content-security-policy') ?? '';
  expect(csp).toContain("default-src 'none'");
  expect(csp).toContain("base-uri 'none'");
  expect(csp).toContain(`frame-ancestors ${frameAncestors}`);
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  expect(res.headers.get('referrer-policy')).toBe('same-origin');
  expect(res.headers.get('cache-control')).toMatch(/^no-(cache|store)$/);
}

describe('HTML pages', () => {
  let chat: Webchat;
  let form: Webform;
  beforeAll(async () => {
    chat = await startWebchat({ allowedOrigins: [SITE] });
    form = await startWebform({ forms: ['contact'], allowedOrigins: [SITE] });
  });
  afterAll(async () => {
    await chat?.stop();
    await form?.stop();
  });

  it('the landing and chat pages may be framed only by ourselves; the embedded chat by the listed sites', async () => {
    expectPageHeaders(await fetch(`${chat.url}/`), "'self'");
    expectPageHeaders(await fetch(`${chat.url}/chat`), "'self'");
    expectPageHeaders(await fetch(`${chat.url}/chat?embed=1`), `'self' ${SITE}`);
  });

  it('the web form’s thank-you and problem pages too, with their inline style and no script', async () => {
    const thanks = await fetch(`${form.url}/webform/thanks`);
    expectPageHeaders(thanks, `'self' ${SITE}`);
    expect(thanks.headers.get('content-security-policy')).toContain("script-src 'none'");
    expect(thanks.headers.get('content-security-policy')).toContain("style-src 'unsafe-inline'");
    const problem = await form.postForm('contact', { name: 'Ada' });
    expect(problem.status).toBe(400);
    expectPageHeaders(problem, `'self' ${SITE}`);
    const unknown = await form.postForm('no-such-form', { name: 'Ada' });
    expect(unknown.status).toBe(404);
    expectPageHeaders(unknown, `'self' ${SITE}`);
  });
});
