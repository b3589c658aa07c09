import { z } from 'zod';

/**
 * Reads the structure of a zod schema so messages can name what is allowed
 * where a problem is: the known keys of an object, the values of an enum,
 * a setting's description.
 */

type Schema = z.core.$ZodType;

interface Def {
  type: string;
  shape?: Record<string, Schema>;
  innerType?: Schema;
  in?: Schema;
  element?: Schema;
  keyType?: Schema;
  valueType?: Schema;
  options?: Schema[];
  entries?: Record<string, string | number>;
  values?: unknown[];
  getter?: () => Schema;
}

const defOf = (schema: Schema): Def => schema._zod.def as unknown as Def;

const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional']);

/** The schema without optional/default/pipe wrappers. */
export function unwrap(schema: Schema): Schema {
  let s = schema;
  for (let i = 0; i < 20; i++) {
    const def = defOf(s);
    if (WRAPPERS.has(def.type) && def.innerType) s = def.innerType;
    else if (def.type === 'pipe' && def.in) s = def.in;
    else if (def.type === 'lazy' && def.getter) s = def.getter();
    else break;
  }
  return s;
}

/** The schema that validates the value at `path`, or null where it cannot be told (ambiguous unions). */
export function schemaAt(root: Schema, path: ReadonlyArray<PropertyKey>): Schema | null {
  let s: Schema | null = root;
  for (const segment of path) {
    if (!s) return null;
    s = child(unwrap(s), segment);
  }
  return s;
}

function child(schema: Schema, segment: PropertyKey): Schema | null {
  const def = defOf(schema);
  if (def.type === 'object') return def.shape?.[String(segment)] ?? null;
  if (def.type === 'record') return def.valueType ?? null;
  if (def.type === 'array') return def.element ?? null;
  if (def.type === 'union') {
    const found = (def.options ?? []).map((o) => child(unwrap(o), segment)).filter((c) => c !== null);
    return found.length === 1 ? (found[0] ?? null) : null;
  }
  return null;
}

/** Keys an object (or a record with enum keys, or a union of objects) accepts; null when any key is allowed. */
export function knownKeys(schema: Schema | null): string[] | null {
  if (!schema) return null;
  const def = defOf(unwrap(schema));
  if (def.type === 'object') return Object.keys(def.shape ?? {});
  if (def.type === 'record' && def.keyType) return enumValues(def.keyType);
  if (def.type === 'union') {
    // keys of the mapping alternatives; a plain-text alternative has none
    const all = (def.options ?? []).map((o) => knownKeys(o)).filter((k) => k !== null);
    return all.length > 0 ? [...new Set(all.flat())] : null;
  }
  return null;
}

/** The values of an enum or literal, as text; null for anything else. */
export function enumValues(schema: Schema): string[] | null {
  const def = defOf(unwrap(schema));
  if (def.type === 'enum' && def.entries) return Object.values(def.entries).map(String);
  if (def.type === 'literal' && def.values) return def.values.map(String);
  return null;
}

/** The type name of the unwrapped schema (`object`, `string`, `union` …). */
export function kindOf(schema: Schema): string {
  return defOf(unwrap(schema)).type;
}

export function optionsOf(schema: Schema): Schema[] {
  const def = defOf(unwrap(schema));
  return def.type === 'union' ? (def.options ?? []) : [];
}

/** The `.describe()` text of a setting, looking through its wrappers. */
export function descriptionOf(schema: Schema | null): string | undefined {
  let s: Schema | null = schema;
  for (let i = 0; s && i < 20; i++) {
    const meta = z.globalRegistry.get(s);
    if (meta?.description) return meta.description;
    const def = defOf(s);
    s = WRAPPERS.has(def.type) ? (def.innerType ?? null) : def.type === 'pipe' ? (def.in ?? null) : null;
  }
  return undefined;
}

/**
 * Settings that were renamed, declared on an object schema as
 * `.meta({ 'x-renamed': { oldName: 'newName' } })`: an old name in a file gets "rename it".
 */
export function renamedKeys(schema: Schema | null): Record<string, string> {
  let s: Schema | null = schema;
  for (let i = 0; s && i < 20; i++) {
    const renamed = z.globalRegistry.get(s)?.['x-renamed'];
    if (renamed && typeof renamed === 'object') return renamed as Record<string, string>;
    const def = defOf(s);
    s = WRAPPERS.has(def.type) ? (def.innerType ?? null) : def.type === 'pipe' ? (def.in ?? null) : null;
  }
  return {};
}
