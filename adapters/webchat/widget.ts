/**
 * The embeddable widget for the business's own site:
 *   <script src="https://chat.example.com/webchat/widget.js" async></script>
 * A floating button opens the chat page (/chat?embed=1) in a frame. Styles
 * are set through the DOM, so a host page's CSP against inline styles does
 * not break it. `label` and `accent` are set by the server, JSON-encoded.
 */
export function widgetScript(opts: { label: string; accent: string }): string {
  return `(function () {
  'use strict';
  if (window.__touchpointWidget) return;
  window.__touchpointWidget = true;
  var script = document.currentScript;
  if (!script || !script.src) return;
  var chatUrl = new URL('../chat?embed=1', script.src).href;
  var chatOrigin = new URL(script.src).origin;
  var label = script.getAttribute('data-label') || ${JSON.stringify(opts.label)};
  var accent = ${JSON.stringify(opts.accent)};
  var open = false;
  var frame = null;

  function css(el, styles) { Object.keys(styles).forEach(function (k) { el.style[k] = styles[k]; }); return el; }

  var button = css(document.createElement('button'), {
    position: 'fixed', right: '20px', bottom: '20px', zIndex: '2147483000', width: '60px', height: '60px',
    borderRadius: '50%', border: '0', background: accent, color: '#fff', cursor: 'pointer',
    boxShadow: '0 6px 24px rgba(0,0,0,0.25)', display: 'flex', alignItems: 'center', justifyContent: 'center'
  });
  button.type = 'button';
  button.setAttribute('aria-label', label);
  button.title = label;
  var ns = 'http://www.w3.org/2000/svg';
  var icon = document.createElementNS(ns, 'svg');
  icon.setAttribute('viewBox', '0 0 24 24');
  icon.setAttribute('width', '28');
  icon.setAttribute('height', '28');
  var path = document.createElementNS(ns, 'path');
  path.setAttribute('fill', 'currentColor');
  path.setAttribute('d', 'M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z');
  icon.appendChild(path);
  button.appendChild(icon);

  var panel = css(document.createElement('div'), {
    position: 'fixed', right: '20px', bottom: '92px', zIndex: '2147483000', width: '380px', height: '560px',
    maxWidth: 'calc(100vw - 40px)', maxHeight: 'calc(100vh - 120px)', borderRadius: '16px', overflow: 'hidden',
    boxShadow: '0 12px 48px rgba(0,0,0,0.25)', background: '#fff', display: 'none'
  });
  panel.setAttribute('role', 'dialog');
  panel.setAttribute('aria-label', label);

  function toggle(show) {
    open = show;
    if (open && !frame) {
      frame = css(document.createElement('iframe'), { width: '100%', height: '100%', border: '0' });
      frame.src = chatUrl;
      frame.title = label;
      panel.appendChild(frame);
    }
    panel.style.display = open ? 'block' : 'none';
    button.setAttribute('aria-expanded', String(open));
    // Keyboard and screen-reader users land in the chat, and back on the button when it closes.
    if (open) frame.focus();
    else button.focus();
  }

  button.addEventListener('click', function () { toggle(!open); });
  window.addEventListener('message', function (e) {
    if (e.origin === chatOrigin && e.data && e.data.type === 'touchpoint:close') toggle(false);
  });
  document.addEventListener('keydown', function (e) { if (e.key === 'Escape' && open) toggle(false); });

  function mount() { document.body.appendChild(panel); document.body.appendChild(button); }
  if (document.body) mount(); else document.addEventListener('DOMContentLoaded', mount);
})();
`;
}
