import type { ServerResponse } from 'node:http';
import type { ChatMessageView } from './view.ts';

/** Open event streams one browser may hold (tabs); the oldest is ended beyond this. */
const MAX_STREAMS_PER_VISITOR = 5;

/** The server-sent event streams of connected visitors, by visitor id. */
export class LiveClients {
  readonly #byVisitor = new Map<string, Set<ServerResponse>>();

  get size(): number {
    let n = 0;
    for (const set of this.#byVisitor.values()) n += set.size;
    return n;
  }

  add(visitorId: string, res: ServerResponse): void {
    let set = this.#byVisitor.get(visitorId);
    if (!set) {
      set = new Set();
      this.#byVisitor.set(visitorId, set);
    }
    if (set.size >= MAX_STREAMS_PER_VISITOR) {
      const oldest = set.values().next().value;
      oldest?.end();
      if (oldest) set.delete(oldest);
    }
    set.add(res);
    res.once('close', () => this.#remove(visitorId, res));
  }

  /** Pushes a message to every stream of the visitor; returns how many got it. */
  push(visitorId: string, view: ChatMessageView): number {
    const set = this.#byVisitor.get(visitorId);
    if (!set) return 0;
    const frame = messageFrame(view);
    let n = 0;
    for (const res of set) {
      if (res.writableEnded || res.destroyed) continue;
      res.write(frame);
      n++;
    }
    return n;
  }

  /** A comment line on every stream, so proxies and browsers keep idle streams open. */
  ping(): void {
    for (const set of this.#byVisitor.values()) for (const res of set) if (!res.writableEnded) res.write(': ping\n\n');
  }

  closeAll(): void {
    for (const set of this.#byVisitor.values()) for (const res of set) res.end();
    this.#byVisitor.clear();
  }

  #remove(visitorId: string, res: ServerResponse): void {
    const set = this.#byVisitor.get(visitorId);
    if (!set) return;
    set.delete(res);
    if (set.size === 0) this.#byVisitor.delete(visitorId);
  }
}

/** One SSE event; the id lets a reconnecting browser resume with Last-Event-ID. */
export function messageFrame(view: ChatMessageView): string {
  return `id: ${view.id}\ndata: ${JSON.stringify(view)}\n\n`;
}
