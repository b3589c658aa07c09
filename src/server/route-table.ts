import { badRequest } from '../errors.ts';
import type { HttpHandler, RouteOptions, RouteRegistry } from './http-types.ts';

export interface Route {
  method: string;
  pattern: string;
  handler: HttpHandler;
  auth: 'admin' | 'none';
  maxBodyBytes: number;
}

export type RouteMatch =
  | { kind: 'found'; route: Route; params: Record<string, string> }
  | { kind: 'not_found' }
  | { kind: 'wrong_method'; allow: string[] };

interface Pattern {
  segments: string[];
  byMethod: Map<string, Route>;
}

interface Candidates {
  routes: Map<string, Route>;
  params: Record<string, string>;
}

const NO_PARAMS: Record<string, string> = Object.freeze({}) as Record<string, string>;

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/**
 * Method + path routing with `:param` segments. Static paths are one map
 * lookup (the hot webhook path); patterns are tried in registration order.
 */
export class RouteTable implements RouteRegistry {
  readonly #static = new Map<string, Candidates>();
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
    };
    const byMethod = pattern.includes('/:') ? this.#patternFor(pattern) : this.#staticFor(pattern);
    if (byMethod.has(m)) throw new Error(`route ${m} ${pattern} is registered twice`);
    byMethod.set(m, route);
  }

  match(method: string, path: string): RouteMatch {
    const candidates = this.#static.get(path) ?? this.#matchPattern(path);
    if (!candidates) return { kind: 'not_found' };
    const { routes } = candidates;
    const route = routes.get(method) ?? (method === 'HEAD' ? routes.get('GET') : undefined);
    if (!route) return { kind: 'wrong_method', allow: [...routes.keys()] };
    // A fresh object: handlers may keep or change their params.
    return { kind: 'found', route, params: { ...candidates.params } };
  }

  #staticFor(path: string): Map<string, Route> {
    let entry = this.#static.get(path);
    if (!entry) {
      entry = { routes: new Map(), params: NO_PARAMS };
      this.#static.set(path, entry);
    }
    return entry.routes;
  }

  #patternFor(pattern: string): Map<string, Route> {
    const found = this.#patterns.find((p) => p.segments.join('/') === pattern);
    if (found) return found.byMethod;
    const p: Pattern = { segments: pattern.split('/'), byMethod: new Map() };
    this.#patterns.push(p);
    return p.byMethod;
  }

  #matchPattern(path: string): Candidates | null {
    const parts = path.split('/');
    for (const p of this.#patterns) {
      if (p.segments.length !== parts.length) continue;
      const params = matchSegments(p.segments, parts);
      if (params) return { routes: p.byMethod, params };
    }
    return null;
  }
}

function matchSegments(pattern: string[], parts: string[]): Record<string, string> | null {
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const seg = pattern[i] as string;
    const part = parts[i] as string;
    if (seg.startsWith(':')) {
      if (part === '') return null;
      params[seg.slice(1)] = decodeSegment(part);
    } else if (seg !== part) {
      return null;
    }
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
