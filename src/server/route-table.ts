import { badRequest } from '../errors.ts';
import type { HttpHandler, RouteDoc, RouteOptions, RouteRegistry } from '../http/http-types.ts';

export interface Route {
  method: string;
  pattern: string;
  handler: HttpHandler;
  auth: 'agent' | 'admin' | 'none';
  maxBodyBytes: number;
  doc?: RouteDoc;
}

export type RouteMatch =
  | { kind: 'found'; route: Route; params: Record<string, string> }
  | { kind: 'not_found' }
  | { kind: 'wrong_method'; allow: string[] };

interface Pattern {
  segments: string[];
  byMethod: Map<string, Route>;
}

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/**
 * Method + path routing with `:param` segments. Static paths are one map
 * lookup (the hot webhook path); patterns are tried in registration order,
 * also when a static path of the same shape lacks the method.
 */
export class RouteTable implements RouteRegistry {
  readonly #static = new Map<string, Map<string, Route>>();
  readonly #patterns: Pattern[] = [];

  add(method: string, pattern: string, handler: HttpHandler, options: RouteOptions = {}): void {
    if (!pattern.startsWith('/')) throw new Error(`route pattern must start with "/": ${pattern}`);
    const m = method.toUpperCase();
    const route: Route = {
      method: m,
      pattern,
      handler,
      auth: options.auth ?? 'none',
      maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
      ...(options.doc ? { doc: options.doc } : {}),
    };
    const byMethod = pattern.includes('/:') ? this.#patternFor(pattern) : this.#staticFor(pattern);
    if (byMethod.has(m)) throw new Error(`route ${m} ${pattern} is registered twice`);
    byMethod.set(m, route);
  }

  /** Every route, static ones first, each kind in registration order (the API description reads them). */
  list(): Route[] {
    return [...this.#static.values(), ...this.#patterns.map((p) => p.byMethod)].flatMap((m) => [...m.values()]);
  }

  match(method: string, path: string): RouteMatch {
    const exact = this.#static.get(path);
    const route = exact && pick(exact, method);
    if (route) return { kind: 'found', route, params: {} };
    const allow = exact ? [...exact.keys()] : [];
    if (this.#patterns.length > 0) {
      const parts = path.split('/');
      for (const p of this.#patterns) {
        if (p.segments.length !== parts.length) continue;
        const params = matchSegments(p.segments, parts);
        if (!params) continue;
        const r = pick(p.byMethod, method);
        if (r) return { kind: 'found', route: r, params };
        allow.push(...p.byMethod.keys());
      }
    }
    return allow.length > 0 ? { kind: 'wrong_method', allow: [...new Set(allow)] } : { kind: 'not_found' };
  }

  #staticFor(path: string): Map<string, Route> {
    let routes = this.#static.get(path);
    if (!routes) {
      routes = new Map();
      this.#static.set(path, routes);
    }
    return routes;
  }

  #patternFor(pattern: string): Map<string, Route> {
    const found = this.#patterns.find((p) => p.segments.join('/') === pattern);
    if (found) return found.byMethod;
    const p: Pattern = { segments: pattern.split('/'), byMethod: new Map() };
    this.#patterns.push(p);
    return p.byMethod;
  }
}

/** HEAD is answered by the GET route when there is no HEAD route of its own. */
function pick(routes: Map<string, Route>, method: string): Route | undefined {
  return routes.get(method) ?? (method === 'HEAD' ? routes.get('GET') : undefined);
}

function matchSegments(pattern: string[], parts: string[]): Record<string, string> | null {
  for (let i = 0; i < pattern.length; i++) {
    const seg = pattern[i] as string;
    const part = parts[i] as string;
    if (seg.startsWith(':') ? part === '' : seg !== part) return null;
  }
  // Decode only once the path matches, so a malformed segment is reported against the right route.
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const seg = pattern[i] as string;
    if (seg.startsWith(':')) params[seg.slice(1)] = decodeSegment(parts[i] as string);
  }
  return params;
}

function decodeSegment(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw badRequest(`malformed percent-encoding in path segment "${part}"`);
  }
}
