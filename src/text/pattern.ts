import { RE2JS } from 're2js';

/**
 * A regular expression written by the business (intents, triage, handoff,
 * flows) and run on customer text. JavaScript's engine backtracks, so a
 * pattern such as `\b(cake)\b.*\b(price)` takes quadratic time on a long
 * message; these run on RE2 instead, whose time is linear in the text
 * whatever the pattern. Patterns are JavaScript syntax, matched
 * case-insensitively; what RE2 cannot do in linear time (lookahead,
 * lookbehind, backreferences) is refused when the config loads.
 */
export interface TextPattern {
  readonly source: string;
  test(text: string): boolean;
  /** The first match, or null. */
  first(text: string): string | null;
  /** Every match, left to right. */
  all(text: string): string[];
}

export const PATTERN_HINT =
  'patterns run in linear time (RE2): lookahead (?= (?!, lookbehind (?<= (?<! and backreferences \\1 are not supported; ' +
  'escape ( ) [ ] ? * + with a backslash';

function toRe2(source: string): RE2JS {
  // JavaScript's own parser first: a pattern is JavaScript syntax, whatever RE2 would also accept.
  new RegExp(source, 'iu');
  try {
    return RE2JS.compile(RE2JS.translateRegExp(source), RE2JS.CASE_INSENSITIVE);
  } catch (err) {
    throw new Error(
      `it cannot be matched in linear time (${(err as Error).message.replace(/^error parsing regexp: /, '')})`,
    );
  }
}

/** Why `source` cannot be used as a pattern, or null when it can. */
export function patternProblem(source: string): string | null {
  try {
    toRe2(source);
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

const compiled = new Map<string, TextPattern>();

/** Compiles (once) a pattern checked by `patternProblem` when the config loaded; throws on a bad one. */
export function compilePattern(source: string): TextPattern {
  let pattern = compiled.get(source);
  if (!pattern) {
    pattern = build(source);
    // flows name patterns inline; a config reload may bring new ones, so the cache stays bounded
    if (compiled.size >= 500) compiled.clear();
    compiled.set(source, pattern);
  }
  return pattern;
}

function build(source: string): TextPattern {
  const re = toRe2(source);
  return {
    source,
    test: (text) => re.test(text),
    first: (text) => re.exec(text)?.[0] ?? null,
    all: (text) => Array.from(re.matchAll(text), (m) => m[0]),
  };
}
