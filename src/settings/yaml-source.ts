import { type Document, isAlias, isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import type { ConfigProblem } from '../errors.ts';

/** A parsed YAML file that can say where any setting in it is written. */
export interface YamlSource {
  file: string;
  doc: Document.Parsed;
  lines: LineCounter;
}

export type SettingPath = ReadonlyArray<PropertyKey>;

export interface Position {
  line: number;
  column: number;
}

/** Parses `text`; YAML syntax errors come back as problems with their line and column. */
export function parseYaml(file: string, text: string): { source: YamlSource; problems: ConfigProblem[] } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const source = { file, doc, lines };
  // one wrong indent makes the parser trip on every line after it: the first error is the cause
  const first = [...doc.errors].sort((a, b) => a.pos[0] - b.pos[0])[0];
  if (!first) return { source, problems: [] };
  const pos = lines.linePos(first.pos[0]);
  const more = doc.errors.length - 1;
  const problem: ConfigProblem = {
    file,
    line: pos.line,
    column: pos.col,
    message: `YAML syntax error: ${firstLine(first.message)}${more > 0 ? ` (${more} more reported after it, most likely caused by it)` : ''}`,
    fix: syntaxFix(first.code),
  };
  return { source, problems: [problem] };
}

/** The file's content as plain data; an empty file is an empty mapping. */
export function toData(source: YamlSource): unknown {
  return source.doc.toJS({ maxAliasCount: 100 }) ?? {};
}

/**
 * Where `path` is written. With `key`, points at the key of the last segment
 * rather than its value. A path that does not exist points at the nearest
 * enclosing setting that does (where a missing key should be added).
 */
export function locate(source: YamlSource, path: SettingPath, opts: { key?: boolean } = {}): Position {
  let node: unknown = source.doc.contents;
  let at: number | undefined = node && (node as Node).range ? (node as Node).range?.[0] : undefined;
  for (const [i, segment] of path.entries()) {
    node = resolveAlias(source, node);
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment));
      if (!pair) break;
      const keyStart = (pair.key as Node).range?.[0];
      const valueStart = (pair.value as Node | null)?.range?.[0];
      if (last && opts.key) {
        at = keyStart ?? at;
        break;
      }
      at = valueStart ?? keyStart ?? at;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment] as Node | undefined;
      if (!item) break;
      at = item.range?.[0] ?? at;
      node = item;
    } else {
      break;
    }
  }
  if (at === undefined) return { line: 1, column: 1 };
  const pos = source.lines.linePos(at);
  return { line: pos.line, column: pos.col };
}

function resolveAlias(source: YamlSource, node: unknown): unknown {
  return isAlias(node) ? node.resolve(source.doc) : node;
}

/** `channels.webchat.enabled`, `steps[2].say`, `hours["public holiday"]` */
export function formatPath(path: SettingPath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[A-Za-z_][\w-]*$/.test(String(segment))) out += out ? `.${String(segment)}` : String(segment);
    else out += `[${JSON.stringify(String(segment))}]`;
  }
  return out;
}

function firstLine(message: string): string {
  return (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '').trim();
}

function syntaxFix(code: string): string {
  switch (code) {
    case 'DUPLICATE_KEY':
      return 'keep only one of the keys with this name';
    case 'TAB_AS_INDENT':
      return 'indent with spaces, not tabs';
    case 'BAD_INDENT':
    case 'MULTILINE_IMPLICIT_KEY':
      return 'check the indentation: nested settings use spaces, aligned with their siblings';
    case 'MISSING_CHAR':
      return 'close the quote, bracket or brace that is opened here';
    case 'MULTIPLE_DOCS':
      return 'keep one document per file (remove the extra `---`)';
    case 'BLOCK_AS_IMPLICIT_KEY':
      return 'put a space after the colon of `key: value`, and quote values that contain `: `';
    default:
      return 'check the YAML syntax on this line; quote text that contains `:`, `#`, `{` or `[`';
  }
}
