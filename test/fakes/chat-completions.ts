import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for an OpenAI-compatible chat completions endpoint:
 * `POST /v1/chat/completions` answers in the real wire format (an `id`,
 * `object: chat.completion`, `choices[].message`, `usage`), or with the
 * error body and status the real API uses, or slowly. Every request is kept
 * with its headers and JSON body so a test can read exactly what was sent.
 */

export interface ChatRequest {
  authorization: string | undefined;
  body: { model: string; messages: Array<{ role: string; content: string }>; [k: string]: unknown };
}

export type Behaviour =
  | { kind: 'answer'; text: string }
  | { kind: 'error'; status: number; message: string; type?: string }
  | { kind: 'slow'; ms: number; text: string };

export class FakeChatCompletions {
  readonly requests: ChatRequest[] = [];
  behaviour: Behaviour = { kind: 'answer', text: 'Hello!' };
  readonly #server: Server;
  readonly #timers = new Set<NodeJS.Timeout>();

  private constructor(server: Server) {
    this.#server = server;
  }

  static async start(): Promise<FakeChatCompletions> {
    let fake: FakeChatCompletions | null = null;
    const server = createServer((req, res) => {
      void fake?.handle(req, res);
    });
    fake = new FakeChatCompletions(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/v1`;
  }

  async stop(): Promise<void> {
    for (const t of this.#timers) clearTimeout(t);
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
      return json(res, 404, {
        error: { message: `Unknown request URL: ${req.method} ${req.url}`, type: 'invalid_request_error' },
      });
    }
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ChatRequest['body'];
    this.requests.push({ authorization: req.headers.authorization, body });
    const b = this.behaviour;
    if (b.kind === 'error') {
      return json(res, b.status, {
        error: { message: b.message, type: b.type ?? 'server_error', param: null, code: null },
      });
    }
    const answer = () => json(res, 200, completion(body.model, b.text));
    if (b.kind === 'slow') {
      const t = setTimeout(() => {
        this.#timers.delete(t);
        if (!res.destroyed) answer();
      }, b.ms);
      this.#timers.add(t);
      return;
    }
    answer();
  }
}

function completion(model: string, text: string) {
  return {
    id: `chatcmpl-${Math.random().toString(36).slice(2, 12)}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [
      { index: 0, message: { role: 'assistant', content: text, refusal: null }, logprobs: null, finish_reason: 'stop' },
    ],
    usage: { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 },
  };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
