import type { z } from 'zod';
import type { ConfigProblem } from '../errors.ts';
import { descriptionOf, kindOf, knownKeys, optionsOf, renamedKeys, schemaAt } from './schema-walk.ts';
import { withSuggestion } from './suggest.ts';
import { formatPath, locate, type YamlSource } from './yaml-source.ts';

type Issue = z.core.$ZodIssue;
type Schema = z.core.$ZodType;

export interface IssueContext {
  source: YamlSource;
  /** The schema the issues' paths start from. */
  schema: Schema;
  /** The data that was validated. */
  data: unknown;
  /** Where `data` sits in the file (an adapter's block inside channels.yaml); empty for a whole file. */
  prefix?: PropertyKey[];
  /** Keys accepted at the root besides the schema's own (a channel block's core keys). */
  extraRootKeys?: string[];
  /** Formatted paths whose values came from the environment: never shown. */
  fromEnv: Set<string>;
}

/** Turns zod's issues into problems that name the file, line, setting and a fix. */
export function issuesToProblems(issues: readonly Issue[], ctx: IssueContext): ConfigProblem[] {
  return issues.flatMap((issue) => toProblems(issue, ctx));
}

function toProblems(issue: Issue, ctx: IssueContext): ConfigProblem[] {
  const path = issue.path;
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => unknownKey(ctx, path, key));
    case 'invalid_union':
      return unionProblems(issue.errors, path, ctx);
    case 'invalid_type':
      return [typeProblem(issue.expected, path, ctx)];
    case 'too_small':
      return [
        at(
          ctx,
          path,
          tooSmall(issue.origin, Number(issue.minimum)),
          `use ${limitText('at least', issue.origin, issue.minimum)}`,
        ),
      ];
    case 'too_big':
      return [
        at(
          ctx,
          path,
          tooBig(issue.origin, Number(issue.maximum)),
          `use ${limitText('at most', issue.origin, issue.maximum)}`,
        ),
      ];
    case 'invalid_format':
      return [formatProblem(issue.format, issue.message, path, ctx)];
    case 'invalid_value': {
      const allowed = issue.values.map(String);
      const value = valueAt(ctx.data, path);
      return [
        at(
          ctx,
          path,
          `${show(value, path, ctx)} is not allowed here`,
          withSuggestion(String(value), allowed, `use one of ${allowed.join(', ')}`),
        ),
      ];
    }
    case 'custom':
      return [customProblem(issue.message, path, ctx)];
    default:
      return [at(ctx, path, issue.message, describeFix(ctx, path))];
  }
}

function unknownKey(ctx: IssueContext, parent: readonly PropertyKey[], key: string): ConfigProblem {
  const schema = schemaAt(ctx.schema, parent);
  const known = [...(knownKeys(schema) ?? []), ...(parent.length === 0 ? (ctx.extraRootKeys ?? []) : [])];
  const keyPath = [...parent, key];
  const renamed = renamedKeys(schema)[key];
  if (renamed) return at(ctx, keyPath, `\`${key}\` was renamed to \`${renamed}\``, `rename ${key} to ${renamed}`, true);
  const isEnumRecord = schema !== null && kindOf(schema) === 'record';
  if (isEnumRecord) {
    return at(
      ctx,
      keyPath,
      `\`${key}\` is not allowed here`,
      withSuggestion(key, known, `use one of ${known.join(', ')}`),
      true,
    );
  }
  return at(
    ctx,
    keyPath,
    `unknown setting \`${key}\``,
    withSuggestion(
      key,
      known,
      known.length > 0 ? `remove it or check the spelling; known keys: ${known.join(', ')}` : 'remove it',
    ),
    true,
  );
}

/**
 * zod reports a failed union with the issues of every alternative. Report
 * the alternative the value evidently meant (the one whose shape it has),
 * else say which alternatives exist.
 */
function unionProblems(branches: Issue[][], path: readonly PropertyKey[], ctx: IssueContext): ConfigProblem[] {
  const atRoot = (issues: Issue[], code: string) => issues.some((i) => i.path.length === 0 && i.code === code);
  const sameType = branches.filter((b) => !atRoot(b, 'invalid_type'));
  const sameKeys = sameType.filter((b) => !atRoot(b, 'unrecognized_keys'));
  const schema = schemaAt(ctx.schema, path);
  const value = valueAt(ctx.data, path);
  const options = schema ? optionsOf(schema) : [];
  // a mapping meant the one alternative that is a mapping (a list, the one that is a list)
  const shape = isMapping(value) ? 'object' : Array.isArray(value) ? 'array' : null;
  const sameShape = options.flatMap((o, i) => (kindOf(o) === shape ? [branches[i]] : []));
  const chosen =
    sameType.length === 1
      ? sameType[0]
      : sameKeys.length === 1
        ? sameKeys[0]
        : sameShape.length === 1
          ? sameShape[0]
          : undefined;
  if (chosen) {
    const absolute = chosen.map((i) => ({ ...i, path: [...path, ...i.path] }) as Issue);
    return issuesToProblems(absolute, ctx);
  }
  const keys = schema ? knownKeys(schema) : null;
  if (isMapping(value) && keys && options.every((o) => kindOf(o) === 'object')) {
    const unknown = Object.keys(value).filter((k) => !keys.includes(k));
    if (unknown.length > 0) {
      return unknown.map((k) =>
        at(ctx, [...path, k], `unknown key \`${k}\``, withSuggestion(k, keys, `use one of ${keys.join(', ')}`), true),
      );
    }
    const given = Object.keys(value);
    return [
      at(
        ctx,
        path,
        given.length === 0 ? `has none of ${keys.join(', ')}` : `\`${given.join('`, `')}\` cannot be combined here`,
        `use exactly one of ${keys.join(', ')}`,
      ),
    ];
  }
  const alternatives = [...new Set(options.map(optionText))];
  const either = alternatives.length > 1 ? `either ${alternatives.join(' or ')}` : (alternatives[0] ?? 'a value');
  return [at(ctx, path, `${show(value, path, ctx)} is not a form this setting takes`, `write ${either}`)];
}

/** One alternative of a union in owner words, with an example where it is a mapping. */
function optionText(option: Schema): string {
  const kind = kindOf(option);
  if (kind === 'object') {
    const keys = knownKeys(option) ?? [];
    return keys.length > 0 ? `a mapping such as \`{ ${keys[0]}: … }\` (keys: ${keys.join(', ')})` : 'a mapping';
  }
  if (kind === 'union') {
    const inner = optionsOf(option).map((o) => kindOf(o));
    if (inner.every((k) => ['string', 'number', 'boolean', 'null'].includes(k)))
      return 'a single value such as `yes` or `3`';
  }
  if (kind === 'array') return 'a list such as `[a, b]`';
  const about = descriptionOf(option);
  return about ? about.charAt(0).toLowerCase() + about.slice(1) : expectedText(kind);
}

function typeProblem(expected: string, path: readonly PropertyKey[], ctx: IssueContext): ConfigProblem {
  const value = valueAt(ctx.data, path);
  const key = path[path.length - 1];
  if (value === undefined && key !== undefined) {
    const about = descriptionOf(schemaAt(ctx.schema, path));
    return at(
      ctx,
      path,
      `missing required setting \`${String(key)}\``,
      `add \`${String(key)}: …\`${about ? ` (${about})` : ''}`,
    );
  }
  if (value === null)
    return at(ctx, path, `is empty; expected ${expectedText(expected)}`, 'give it a value or remove the key');
  if (expected === 'number' && typeof value === 'string' && /^\d+\s*(d|h|m|w|days?|hours?|weeks?)$/.test(value))
    return at(
      ctx,
      path,
      `expected a number, got the span ${show(value, path, ctx)}`,
      `\`above\` and \`below\` compare numbers; to compare a date write \`within: ${value}\` or \`before: today + ${value}\``,
    );
  return at(ctx, path, `expected ${expectedText(expected)}, got ${show(value, path, ctx)}`, typeFix(expected));
}

function formatProblem(
  format: string,
  message: string,
  path: readonly PropertyKey[],
  ctx: IssueContext,
): ConfigProblem {
  const value = valueAt(ctx.data, path);
  if (format === 'url')
    return at(ctx, path, `${show(value, path, ctx)} is not a URL`, 'use a full URL such as https://chat.example.com');
  // a regex check with our own message names the expected form ("a duration such as 30s")
  const own = !/^Invalid/.test(message);
  return at(ctx, path, `${show(value, path, ctx)} is not valid here`, own ? `use ${message}` : describeFix(ctx, path));
}

/** A refinement's message either names the expected form ("a real date such as …") or says what is wrong. */
function customProblem(message: string, path: readonly PropertyKey[], ctx: IssueContext): ConfigProblem {
  if (/^an? /.test(message)) {
    return at(ctx, path, `${show(valueAt(ctx.data, path), path, ctx)} is not valid here`, `use ${message}`);
  }
  return at(ctx, path, message, describeFix(ctx, path));
}

function describeFix(ctx: IssueContext, path: readonly PropertyKey[]): string {
  const about = descriptionOf(schemaAt(ctx.schema, path));
  return about ? `expected: ${about}` : 'correct or remove this setting';
}

function at(ctx: IssueContext, path: readonly PropertyKey[], message: string, fix: string, key = false): ConfigProblem {
  const full = [...(ctx.prefix ?? []), ...path];
  const pos = locate(ctx.source, full, { key });
  return {
    file: ctx.source.file,
    line: pos.line,
    column: pos.column,
    path: formatPath(full) || undefined,
    message,
    fix,
  };
}

function tooSmall(origin: string, minimum: number): string {
  if (origin === 'string') return minimum <= 1 ? 'must not be empty' : `is too short (at least ${minimum} characters)`;
  if (origin === 'array') return `needs at least ${minimum} item${minimum === 1 ? '' : 's'}`;
  return `is too small (at least ${minimum})`;
}

function tooBig(origin: string, maximum: number): string {
  if (origin === 'string') return `is too long (at most ${maximum} characters)`;
  if (origin === 'array') return `has too many items (at most ${maximum})`;
  return `is too large (at most ${maximum})`;
}

function limitText(bound: 'at least' | 'at most', origin: string, limit: number | bigint): string {
  if (origin === 'string') return `${bound} ${limit} characters`;
  if (origin === 'array') return `${bound} ${limit} item${Number(limit) === 1 ? '' : 's'}`;
  return `a value ${bound} ${limit}`;
}

function expectedText(kind: string): string {
  const names: Record<string, string> = {
    string: 'text',
    number: 'a number',
    int: 'a whole number',
    boolean: 'true or false',
    array: 'a list',
    object: 'a mapping of settings',
    record: 'a mapping of settings',
    literal: 'a fixed value',
    enum: 'one of the allowed words',
  };
  return names[kind] ?? kind;
}

function typeFix(expected: string): string {
  switch (expected) {
    case 'string':
      return 'write text; put it in quotes if YAML reads it as a number or true/false';
    case 'number':
    case 'int':
      return 'write a number without quotes, e.g. 3000';
    case 'boolean':
      return 'write true or false, without quotes';
    case 'array':
      return 'write a list: `[a, b]`, or one `- item` per line';
    default:
      return 'write nested `key: value` lines, indented under this key';
  }
}

function show(value: unknown, path: readonly PropertyKey[], ctx: IssueContext): string {
  if (ctx.fromEnv.has(formatPath([...(ctx.prefix ?? []), ...path]))) return 'the value from the environment';
  if (value === null || value === undefined) return 'an empty value';
  if (typeof value === 'string') return value.length > 40 ? `"${value.slice(0, 37)}…"` : JSON.stringify(value);
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'boolean') return `\`${value}\``;
  return `the number ${String(value)}`;
}

const isMapping = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let v = data;
  for (const segment of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[segment as string];
  }
  return v;
}
