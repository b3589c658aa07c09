/** The stylesheet of the landing and chat pages; `accent` is a validated #rrggbb colour. */
export function chatStyles(accent: string): string {
  return `:root {
  --accent: ${accent};
  --bg: #f4f1ec;
  --card: #ffffff;
  --ink: #1f2421;
  --muted: #6b716d;
  --bot: #eef1ef;
  --danger: #b3261e;
  --radius: 18px;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: var(--ink);
  background: var(--bg);
}
* { box-sizing: border-box; }
html, body { margin: 0; height: 100%; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }

.landing { display: grid; place-items: center; padding: 24px; }
.landing-card {
  max-width: 440px; background: var(--card); border-radius: 24px; padding: 40px 32px; text-align: center;
  box-shadow: 0 10px 40px rgba(0, 0, 0, 0.08);
}
.landing-card h1 { margin: 16px 0 8px; font-size: 1.7rem; }
.landing-card p { color: var(--muted); line-height: 1.5; margin: 0 0 24px; }
.button {
  display: inline-block; background: var(--accent); color: #fff; text-decoration: none; font-weight: 600;
  padding: 12px 28px; border-radius: 999px;
}
.button:hover, .button:focus-visible { filter: brightness(1.1); }

.avatar {
  flex: none; width: 40px; height: 40px; border-radius: 50%; display: grid; place-items: center;
  background: rgba(255, 255, 255, 0.2); color: #fff; font-weight: 700; font-size: 1.1rem;
}
.avatar.big { width: 64px; height: 64px; margin: 0 auto; background: var(--accent); font-size: 1.8rem; }

.chat-body { display: flex; justify-content: center; }
.chat {
  display: flex; flex-direction: column; width: 100%; max-width: 560px; height: 100%; background: var(--card);
  box-shadow: 0 0 40px rgba(0, 0, 0, 0.06);
}
.embed .chat { max-width: none; box-shadow: none; }
.chat-head { display: flex; align-items: center; gap: 12px; padding: 14px 18px; background: var(--accent); color: #fff; }
.chat-head .who { flex: 1; min-width: 0; }
.chat-head h1 { margin: 0; font-size: 1.05rem; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.status { margin: 2px 0 0; font-size: 0.8rem; opacity: 0.85; }
.close { background: none; border: 0; color: #fff; font-size: 1.8rem; line-height: 1; cursor: pointer; padding: 0 4px; }

.log { flex: 1; overflow-y: auto; list-style: none; margin: 0; padding: 18px 14px; display: flex; flex-direction: column; gap: 6px; }
.msg { display: flex; flex-direction: column; max-width: 82%; }
.msg .bubble {
  padding: 9px 14px; border-radius: var(--radius); line-height: 1.45; white-space: pre-wrap; overflow-wrap: anywhere;
}
.msg .meta { font-size: 0.72rem; color: var(--muted); margin: 2px 8px 6px; }
.msg.customer { align-self: flex-end; align-items: flex-end; }
.msg.customer .bubble { background: var(--accent); color: #fff; border-bottom-right-radius: 6px; }
.msg.bot, .msg.agent, .msg.system { align-self: flex-start; }
.msg.bot .bubble, .msg.system .bubble { background: var(--bot); border-bottom-left-radius: 6px; }
.msg.agent .bubble { background: #fff6e0; border: 1px solid #f0dfb0; border-bottom-left-radius: 6px; }
.msg .files { display: flex; flex-direction: column; gap: 6px; margin-top: 4px; }
.msg .files img.file { max-width: 220px; max-height: 220px; border-radius: 10px; display: block; }
.msg .files a.file { color: inherit; text-decoration: underline; }
.msg .files .refused { font-style: italic; }
.attach { display: inline-flex; align-items: center; justify-content: center; width: 40px; min-height: 40px; border-radius: 50%; cursor: pointer; font-size: 1.4rem; color: var(--muted); }
.attach:hover, #file:focus-visible + .attach { background: var(--bot); }
.msg.hint { align-self: center; max-width: 100%; }
.msg.hint .bubble { color: var(--muted); font-size: 0.9rem; text-align: center; }
.msg.pending .bubble { opacity: 0.6; }
.msg .choices { display: flex; flex-wrap: wrap; gap: 6px; margin: 4px 0 6px; }
.msg .choice {
  font: inherit; font-size: 0.9rem; padding: 7px 14px; border-radius: 999px; cursor: pointer;
  background: var(--card); color: var(--accent); border: 1px solid var(--accent);
}
.msg .choice:hover, .msg .choice:focus-visible { background: var(--accent); color: #fff; }
.msg.failed .bubble { background: #fbe9e7; color: var(--danger); border: 1px solid #f3c1bc; cursor: pointer; }

.error { margin: 0; padding: 8px 16px; background: #fbe9e7; color: var(--danger); font-size: 0.85rem; }
.composer { display: flex; gap: 8px; padding: 12px; border-top: 1px solid #e6e3de; background: var(--card); }
.composer textarea {
  flex: 1; resize: none; border: 1px solid #d9d5cf; border-radius: 20px; padding: 10px 14px; font: inherit;
  max-height: 140px; outline: none;
}
.composer textarea:focus { border-color: var(--accent); }
.composer button {
  border: 0; border-radius: 20px; padding: 0 18px; background: var(--accent); color: #fff; font: inherit; font-weight: 600;
  cursor: pointer;
}
.composer button:disabled { opacity: 0.45; cursor: default; }

@media (prefers-reduced-motion: reduce) {
  *, *::before, *::after { animation: none !important; transition: none !important; scroll-behavior: auto !important; }
}
@media (min-width: 600px) {
  .chat-body:not(.embed) { padding: 24px 0; }
  .chat-body:not(.embed) .chat { border-radius: 20px; overflow: hidden; height: calc(100% - 48px); }
}
`;
}
