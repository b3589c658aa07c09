import { type CorsPolicy, pageHeaders, type RouteRegistry } from '../../src/channel/index.ts';
import { chatScript } from './chat-script.ts';
import { chatStyles } from './chat-style.ts';
import { chatPage, landingPage } from './page.ts';
import type { WebchatSettings } from './settings.ts';
import { widgetScript } from './widget.ts';

const ASSET_CACHE = 'public, max-age=300';

/** The landing page, the chat page, and the scripts and styles they load; all built once at start. */
export function registerWebchatPages(routes: RouteRegistry, settings: WebchatSettings, cors: CorsPolicy): void {
  const landing = landingPage(settings);
  const chat = chatPage(settings, false);
  const embedded = chatPage(settings, true);
  const styles = chatStyles(settings.accentColor);
  const widget = widgetScript({ label: `Chat with ${settings.title}`, accent: settings.accentColor });
  // Only the embedded page may be framed, and only by the sites the business listed.
  const ownPage = pageHeaders();
  const framedPage = pageHeaders({ frameAncestors: cors.frameAncestors() });
  const asset = (type: string) => ({
    'content-type': type,
    'cache-control': ASSET_CACHE,
    'x-content-type-options': 'nosniff',
  });

  routes.add('GET', '/', () => ({ status: 200, headers: ownPage, body: landing }));
  routes.add('GET', '/chat', (req) =>
    req.query.get('embed') === '1'
      ? { status: 200, headers: framedPage, body: embedded }
      : { status: 200, headers: ownPage, body: chat },
  );
  routes.add('GET', '/webchat/chat.js', () => ({
    status: 200,
    headers: asset('text/javascript; charset=utf-8'),
    body: chatScript,
  }));
  routes.add('GET', '/webchat/chat.css', () => ({
    status: 200,
    headers: asset('text/css; charset=utf-8'),
    body: styles,
  }));
  routes.add('GET', '/webchat/widget.js', (req) => ({
    status: 200,
    headers: { ...asset('text/javascript; charset=utf-8'), ...cors.headers(req) },
    body: widget,
  }));
}
