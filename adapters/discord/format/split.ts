/** Discord refuses message content longer than this. */
export const MAX_CONTENT = 2000;

/**
 * Cuts text into messages Discord accepts, preferring to cut after a
 * paragraph, then a line, then a word; a word longer than a message is cut hard.
 */
export function splitContent(text: string, max = MAX_CONTENT): string[] {
  const parts: string[] = [];
  let rest = text.trim();
  while (rest.length > max) {
    const window = rest.slice(0, max + 1);
    const cut = lastBreak(window, '\n\n') ?? lastBreak(window, '\n') ?? lastBreak(window, ' ') ?? max;
    parts.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  if (rest.length > 0) parts.push(rest);
  return parts;
}

/** Where to cut before the last `sep` in the window, unless that leaves a part under half the limit. */
function lastBreak(window: string, sep: string): number | null {
  const at = window.lastIndexOf(sep);
  return at >= window.length / 2 ? at : null;
}
