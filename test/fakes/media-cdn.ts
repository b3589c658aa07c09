import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The file CDNs of Meta and Discord, which need no token: their links carry a
 * signature and an expiry instead, and a link whose signature was changed or
 * whose time ran out is refused (403). Meta's lookaside link (`/lookaside/?asset_id=…&signature=…`)
 * answers with a redirect to the content CDN (`/cdn/…?oh=…&oe=…`) as Meta does; Discord's CDN link (`/attachments/…?ex=…&is=…&hm=…`)
 * serves the bytes itself. A test can also make a link redirect anywhere, or
 * answer with a type or a length other than the file's.
 */
interface CdnFile {
  bytes: Buffer;
  contentType: string;
  /** A redirect to this instead of the file. */
  redirectTo?: string;
}

export interface CdnRequest {
  path: string;
  status: number;
  authorization: string | null;
}

export class FakeMediaCdn {
  readonly requests: CdnRequest[] = [];
  readonly #files = new Map<string, CdnFile>();
  readonly #key = randomBytes(16);
  readonly #server: Server;
  readonly #now: () => number;
  #port = 0;

  private constructor(now: () => number) {
    this.#now = now;
    this.#server = createServer((req, res) => this.#handle(req, res));
  }

  static async start(o: { now?: () => number } = {}): Promise<FakeMediaCdn> {
    const cdn = new FakeMediaCdn(o.now ?? Date.now);
    await new Promise<void>((resolve) => cdn.#server.listen(0, '127.0.0.1', resolve));
    cdn.#port = (cdn.#server.address() as AddressInfo).port;
    return cdn;
  }

  /** The host name its links use: the test host the fetch guard lets resolve to loopback. */
  static readonly HOST = 'localhost';

  /** A Messenger or Instagram attachment's `payload.url`: the lookaside link, good for an hour. */
  metaAttachment(bytes: Buffer, contentType: string, o: { redirectTo?: string } = {}): string {
    const id = this.#add({ bytes, contentType, ...o });
    return `http://${FakeMediaCdn.HOST}:${this.#port}/lookaside/?asset_id=${id}&signature=${this.#sign(id, 'lookaside')}`;
  }

  /** A Discord attachment's `url`: signed and expiring in a day, as Discord's CDN links are. */
  discordAttachment(bytes: Buffer, contentType: string, name: string): string {
    const id = this.#add({ bytes, contentType });
    const ex = Math.floor(this.#now() / 1000 + 86_400).toString(16);
    const is = Math.floor(this.#now() / 1000).toString(16);
    const hm = this.#sign(`${id}/${ex}/${is}`, 'discord');
    return `http://${FakeMediaCdn.HOST}:${this.#port}/attachments/1/${id}/${encodeURIComponent(name)}?ex=${ex}&is=${is}&hm=${hm}`;
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #add(file: CdnFile): string {
    const id = randomBytes(8).toString('hex');
    this.#files.set(id, file);
    return id;
  }

  #sign(what: string, purpose: string): string {
    return createHmac('sha256', this.#key).update(`${purpose}\n${what}`).digest('hex').slice(0, 32);
  }

  #handle(req: IncomingMessage, res: ServerResponse): true {
    const url = new URL(req.url ?? '/', 'http://cdn');
    const q = url.searchParams;
    const answer = (status: number, headers: Record<string, string | number> = {}, body?: Buffer) => {
      this.requests.push({ path: url.pathname, status, authorization: req.headers.authorization ?? null });
      res.writeHead(status, headers);
      res.end(body);
      return true as const;
    };
    const expired = (unixHex: string | null) => !unixHex || Number.parseInt(unixHex, 16) * 1000 < this.#now();
    if (url.pathname === '/lookaside/') {
      const id = q.get('asset_id') ?? '';
      const file = this.#files.get(id);
      if (!file || q.get('signature') !== this.#sign(id, 'lookaside')) return answer(403);
      if (file.redirectTo) return answer(302, { location: file.redirectTo });
      const oe = Math.floor(this.#now() / 1000 + 3_600).toString(16);
      const to = `http://${FakeMediaCdn.HOST}:${this.#port}/cdn/${id}.bin?oe=${oe}&oh=${this.#sign(`${id}/${oe}`, 'content')}`;
      return answer(302, { location: to });
    }
    const content = /^\/cdn\/([0-9a-f]{16})\.bin$/.exec(url.pathname);
    if (content) {
      const id = content[1] ?? '';
      const file = this.#files.get(id);
      const oe = q.get('oe');
      if (!file || q.get('oh') !== this.#sign(`${id}/${oe}`, 'content') || expired(oe)) return answer(403);
      return answer(200, { 'content-type': file.contentType, 'content-length': file.bytes.length }, file.bytes);
    }
    const discord = /^\/attachments\/\d+\/([0-9a-f]{16})\/[^/]+$/.exec(url.pathname);
    if (discord) {
      const id = discord[1] ?? '';
      const file = this.#files.get(id);
      const ex = q.get('ex');
      const signed = q.get('hm') === this.#sign(`${id}/${ex}/${q.get('is')}`, 'discord');
      // Discord answers an unsigned or expired link with 404 ("This content is no longer available").
      if (!file || !signed || expired(ex)) return answer(404);
      return answer(200, { 'content-type': file.contentType, 'content-length': file.bytes.length }, file.bytes);
    }
    return answer(404);
  }
}
