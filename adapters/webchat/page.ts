import { escapeHtml } from '../../src/channel/index.ts';
import type { WebchatSettings } from './settings.ts';

/**
 * The HTML of the landing page and the chat page. Assets are linked with
 * relative URLs so the pages also work behind a proxy that adds a path prefix.
 */

function head(title: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="webchat/chat.css">
</head>`;
}

export function landingPage(s: WebchatSettings): string {
  const title = escapeHtml(s.title);
  return `${head(s.title)}
<body class="landing">
<main class="landing-card">
  <div class="avatar big" aria-hidden="true">${escapeHtml(initial(s.title))}</div>
  <h1>${title}</h1>
  <p>Questions about prices, opening hours or an order? Ask us here: we answer straight away, and one of the team picks up whatever needs a person.</p>
  <a class="button" href="chat">Start a chat</a>
</main>
</body>
</html>
`;
}

export function chatPage(s: WebchatSettings, embed: boolean): string {
  const title = escapeHtml(s.title);
  const close = embed
    ? '<button type="button" id="close" class="close" aria-label="Close the chat">&times;</button>'
    : '';
  return `${head(`${s.title}: chat`)}
<body class="${embed ? 'chat-body embed' : 'chat-body'}" data-welcome="${escapeHtml(s.welcome ?? '')}" data-max-length="${s.maxMessageLength}">
<main class="chat" aria-label="Chat with ${title}">
  <header class="chat-head">
    <div class="avatar" aria-hidden="true">${escapeHtml(initial(s.title))}</div>
    <div class="who">
      <h1>${title}</h1>
      <p id="status" class="status">Connecting…</p>
    </div>
    ${close}
  </header>
  <ol id="log" class="log" aria-live="polite" aria-label="Messages"></ol>
  <p id="error" class="error" role="alert" hidden></p>
  <form id="composer" class="composer" autocomplete="off">
    <label for="text" class="sr-only">Your message</label>
${attachControl(s)}
    <textarea id="text" rows="1" maxlength="${s.maxMessageLength}" placeholder="Type a message…" disabled></textarea>
    <button type="submit" id="send" disabled>Send</button>
  </form>
</main>
<script src="webchat/chat.js" defer></script>
</body>
</html>
`;
}

function initial(title: string): string {
  return [...title.trim()][0]?.toUpperCase() ?? '?';
}

/** The button that picks a photo or PDF; the server checks the bytes whatever the picker allowed. */
function attachControl(s: WebchatSettings): string {
  if (!s.uploads.enabled) return '';
  return `    <input type="file" id="file" class="sr-only" accept="image/jpeg,image/png,image/gif,image/webp,application/pdf" disabled>
    <label for="file" id="attach" class="attach" title="Send a photo or PDF"><span aria-hidden="true">+</span><span class="sr-only">Send a photo or PDF</span></label>`;
}
