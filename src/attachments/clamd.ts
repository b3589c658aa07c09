import { Socket } from 'node:net';

/**
 * A virus scanner speaking clamd's INSTREAM protocol over TCP: `zINSTREAM\0`,
 * the bytes in chunks each led by its length (4 bytes, big-endian), a
 * zero-length chunk to end, then one reply ending in NUL:
 * `stream: OK` or `stream: <signature> FOUND`.
 */
export interface Scanner {
  /** The signature found, or null when the bytes are clean; throws when the scanner cannot be asked. */
  scan(bytes: Uint8Array): Promise<string | null>;
  /** For logs and refusals: `clamd 127.0.0.1:3310`. */
  readonly name: string;
}

export interface ClamdOptions {
  host: string;
  port: number;
  timeoutMs: number;
  /** clamd's StreamMaxLength applies to the whole stream; chunks only need to fit its buffer. */
  chunkBytes?: number;
}

const CHUNK = 64 * 1024;
const MAX_REPLY = 4096;

export function createClamdScanner(o: ClamdOptions): Scanner {
  const name = `clamd ${o.host}:${o.port}`;
  return {
    name,
    scan: (bytes) =>
      new Promise<string | null>((resolve, reject) => {
        const socket = new Socket();
        const replies: Buffer[] = [];
        let size = 0;
        let done = false;
        const finish = (err: Error | null, found?: string | null) => {
          if (done) return;
          done = true;
          socket.destroy();
          if (err) reject(err);
          else resolve(found ?? null);
        };
        socket.setTimeout(o.timeoutMs, () => finish(new Error(`${name} did not answer within ${o.timeoutMs} ms`)));
        socket.on('error', (err) => finish(new Error(`${name}: ${err.message}`)));
        socket.on('data', (chunk: Buffer) => {
          replies.push(chunk);
          size += chunk.length;
          if (size > MAX_REPLY) return finish(new Error(`${name} sent an over-long reply`));
          if (chunk.includes(0)) settle();
        });
        socket.on('end', settle);
        function settle() {
          let reply = Buffer.concat(replies).toString('utf8');
          const nul = reply.indexOf('\0');
          if (nul >= 0) reply = reply.slice(0, nul);
          const verdict = readReply(reply.trim());
          if (verdict instanceof Error) finish(new Error(`${name}: ${verdict.message}`));
          else finish(null, verdict);
        }
        socket.connect(o.port, o.host, () => {
          socket.write('zINSTREAM\0');
          const step = o.chunkBytes ?? CHUNK;
          for (let at = 0; at < bytes.length; at += step) {
            const part = bytes.subarray(at, at + step);
            const len = Buffer.alloc(4);
            len.writeUInt32BE(part.length);
            socket.write(len);
            socket.write(part);
          }
          socket.write(Buffer.alloc(4));
        });
      }),
  };
}

/** `stream: OK` → null; `stream: <signature> FOUND` → the signature; anything else (`… ERROR`) → an Error. */
export function readReply(reply: string): string | null | Error {
  const body = reply.startsWith('stream: ') ? reply.slice('stream: '.length) : reply;
  if (body === 'OK') return null;
  if (body.endsWith(' FOUND')) return body.slice(0, -' FOUND'.length).trim() || 'unnamed signature';
  return new Error(`unexpected reply ${JSON.stringify(reply.slice(0, 200))}`);
}
