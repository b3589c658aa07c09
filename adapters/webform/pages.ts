import { escapeHtml } from '../../src/channel/index.ts';

/** Plain pages for people who posted an HTML form: no script, no external assets. */

const style = `body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;background:#f4f1ec;color:#1f2421;display:grid;place-items:center;min-height:100vh;margin:0;padding:24px;box-sizing:border-box}main{background:#fff;border-radius:20px;padding:32px;max-width:480px;box-shadow:0 10px 40px rgba(0,0,0,.08)}h1{font-size:1.4rem;margin:0 0 12px}li{margin:4px 0}`;

function page(title: string, inner: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title><style>${style}</style></head>
<body><main>${inner}</main></body>
</html>
`;
}

export function thanksPage(text: string): string {
  return page('Message sent', `<h1>Message sent</h1><p>${escapeHtml(text)}</p>`);
}

export function problemPage(heading: string, problems: string[]): string {
  const items = problems.map((p) => `<li>${escapeHtml(p)}</li>`).join('');
  return page(
    heading,
    `<h1>${escapeHtml(heading)}</h1><ul>${items}</ul><p>Use your browser's Back button to correct the form and send it again.</p>`,
  );
}
