import type { IncomingMessage } from 'node:http';
import { ClientGone, HttpError } from '../errors.ts';

const EMPTY = Buffer.alloc(0);

export const tooLarge = (max: number) =>
  new HttpError(413, 'payload_too_large', `request body is larger than the ${max} bytes this route accepts`);

/**
 * Reads the whole body, refusing more than `max` bytes: a declared
 * Content-Length over the cap fails before a byte is read.
 */
export function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > max) return Promise.reject(tooLarge(max));
  if (req.complete && req.readableLength === 0) return Promise.resolve(EMPTY);
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        cleanup();
        // Drop the rest unread; the server answers 413 and closes the connection.
        req.resume();
        reject(tooLarge(max));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    };
    const onError = (err: Error) => {
      cleanup();
      reject(new ClientGone(err.message));
    };
    const onClose = () => {
      if (req.complete) return;
      cleanup();
      reject(new ClientGone('client closed the connection before sending the whole body'));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}
