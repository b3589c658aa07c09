/**
 * Raw header access. mailparser turns some headers into structures; the
 * auto-reply and bounce rules need the values as written, so they read the
 * header lines, unfolded.
 */

export interface HeaderLine {
  /** Lower-case header name. */
  name: string;
  value: string;
}

/** mailparser's `headerLines` (`{ key, line }`, folded) → name/value pairs. */
export function unfoldHeaderLines(lines: readonly { key: string; line: string }[]): HeaderLine[] {
  return lines.map(({ key, line }) => {
    const colon = line.indexOf(':');
    const raw = colon < 0 ? '' : line.slice(colon + 1);
    return { name: key.toLowerCase(), value: raw.replace(/\r?\n[ \t]+/g, ' ').trim() };
  });
}

/** Parses a plain header block (`Name: value` lines, folded continuation lines). */
export function parseHeaderBlock(text: string): HeaderLine[] {
  const out: HeaderLine[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (/^[ \t]/.test(line) && out.length > 0) {
      const last = out[out.length - 1] as HeaderLine;
      last.value = `${last.value} ${line.trim()}`.trim();
      continue;
    }
    const m = /^([!-9;-~]+):(.*)$/.exec(line);
    if (m) out.push({ name: (m[1] as string).toLowerCase(), value: (m[2] as string).trim() });
  }
  return out;
}

export function headerValue(headers: readonly HeaderLine[], name: string): string | null {
  const lower = name.toLowerCase();
  return headers.find((h) => h.name === lower)?.value ?? null;
}

export function headerValues(headers: readonly HeaderLine[], name: string): string[] {
  const lower = name.toLowerCase();
  return headers.filter((h) => h.name === lower).map((h) => h.value);
}
