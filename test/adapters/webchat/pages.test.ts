import { Script } from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import { webchatSettings } from '../../../adapters/webchat/settings.ts';
import { startWebchat, type Webchat } from './setup.ts';

let w: Webchat;
afterEach(() => w.stop());

describe('web chat pages', () => {
  it('names the business on the landing page, escaped, and links to the chat', async () => {
    w = await startWebchat({ title: "Tom & Jerry's <Bakery>" });
    const res = await fetch(`${w.url}/`);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await res.text();
    expect(html).toContain('<h1>Tom &amp; Jerry&#39;s &lt;Bakery&gt;</h1>');
    expect(html).not.toContain('<Bakery>');
    expect(html).toContain('href="chat"');
  });

  it('serves the chat page with its settings, no inline script, and framing only for itself', async () => {
    w = await startWebchat({ title: 'Bakery', welcome: 'Hi "friend" <3', maxMessageLength: 500 });
    const res = await fetch(`${w.url}/chat`);
    const html = await res.text();
    expect(html).toContain('data-welcome="Hi &quot;friend&quot; &lt;3"');
    expect(html).toContain('maxlength="500"');
    expect(html).toContain('<script src="webchat/chat.js" defer></script>');
    expect(html).not.toMatch(/<script>/);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'self'");
    expect(html).not.toContain('id="close"');
  });

  it('lets the listed sites frame the embedded chat, which has a close button', async () => {
    w = await startWebchat({ allowedOrigins: ['https://www.bakery.example'] });
    const res = await fetch(`${w.url}/chat?embed=1`);
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'self' https://www.bakery.example");
    const html = await res.text();
    expect(html).toContain('class="chat-body embed"');
    expect(html).toContain('id="close"');
  });

  it('serves the page script, the styles with the accent colour, and the widget with CORS', async () => {
    const origin = 'https://www.bakery.example';
    w = await startWebchat({ title: 'Bakery', accentColor: '#123456', allowedOrigins: [origin] });
    const js = await fetch(`${w.url}/webchat/chat.js`);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await js.text()).toContain('webchat/events?token=');
    const css = await fetch(`${w.url}/webchat/chat.css`);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(await css.text()).toContain('--accent: #123456;');
    const widget = await fetch(`${w.url}/webchat/widget.js`, { headers: { origin } });
    expect(widget.headers.get('access-control-allow-origin')).toBe(origin);
    const code = await widget.text();
    expect(code).toContain("new URL('../chat?embed=1', script.src)");
    expect(code).toContain('"Chat with Bakery"');
    const other = await fetch(`${w.url}/webchat/widget.js`, { headers: { origin: 'https://evil.example' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('parses the page and widget scripts as JavaScript', async () => {
    w = await startWebchat({ title: 'It\'s "quoted"' });
    for (const path of ['/webchat/chat.js', '/webchat/widget.js']) {
      const code = await (await fetch(`${w.url}${path}`)).text();
      expect(() => new Script(code, { filename: path })).not.toThrow();
    }
  });
});

describe('web chat settings', () => {
  it('has defaults for everything and rejects origins with a path', () => {
    const s = webchatSettings.parse({});
    expect(s).toMatchObject({ title: 'Chat with us', maxMessageLength: 2000, allowedOrigins: [] });
    expect(s.ipRateLimit).toEqual({ max: 20, window: '1m' });
    const bad = webchatSettings.safeParse({ allowedOrigins: ['https://x.example/page'] });
    expect(bad.success).toBe(false);
    expect(webchatSettings.safeParse({ colour: 'red' }).success).toBe(false);
  });
});
