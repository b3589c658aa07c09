/** One parsed server-sent event (comments are returned as `comment`). */
export interface SseFrame {
  id?: string;
  data?: string;
  retry?: string;
  comment?: string;
}

/** Reads a text/event-stream response frame by frame, for assertions. */
export class SseClient {
  readonly status: number;
  readonly headers: Headers;
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #abort: AbortController;
  readonly #decoder = new TextDecoder();
  #buffer = '';

  private constructor(res: Response, abort: AbortController) {
    this.status = res.status;
    this.headers = res.headers;
    this.#reader = res.body!.getReader();
    this.#abort = abort;
  }

  static async open(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
    const abort = new AbortController();
    const res = await fetch(url, { headers, signal: abort.signal });
    return new SseClient(res, abort);
  }

  /** The next frame; null when the server ended the stream. */
  async next(): Promise<SseFrame | null> {
    for (;;) {
      const end = this.#buffer.indexOf('\n\n');
      if (end >= 0) {
        const block = this.#buffer.slice(0, end);
        this.#buffer = this.#buffer.slice(end + 2);
        return parseFrame(block);
      }
      const { value, done } = await this.#reader.read();
      if (done) return null;
      this.#buffer += this.#decoder.decode(value, { stream: true });
    }
  }

  /** The next frame that carries data, parsed as JSON. */
  async nextData<T = Record<string, unknown>>(): Promise<T | null> {
    for (;;) {
      const f = await this.next();
      if (!f) return null;
      if (f.data !== undefined) return JSON.parse(f.data) as T;
    }
  }

  close(): void {
    this.#abort.abort();
  }
}

function parseFrame(block: string): SseFrame {
  const frame: SseFrame = {};
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) frame.comment = line.slice(1).trim();
    else {
      const i = line.indexOf(':');
      const field = line.slice(0, i);
      const value = line.slice(i + 1).replace(/^ /, '');
      if (field === 'id' || field === 'data' || field === 'retry') frame[field] = value;
    }
  }
  return frame;
}
