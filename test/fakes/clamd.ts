import { createServer, type Server, type Socket } from 'node:net';

/** The EICAR test string: every scanner reports it, as `Eicar-Signature` here (clamd's name is Eicar-Test-Signature). */
export const EICAR = 'X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!H+H*';

/**
 * A clamd that speaks INSTREAM as clamd does: the command `zINSTREAM\0` (or
 * `nINSTREAM\n`), chunks each led by a 4-byte big-endian length, a zero
 * length to end; replies `stream: OK` or `stream: Eicar-Signature FOUND`,
 * NUL-terminated for the `z` form. A stream over `streamMaxLength` gets
 * clamd's `INSTREAM size limit exceeded. ERROR`; an unknown command
 * `UNKNOWN COMMAND`. It records the bytes of every stream it scanned.
 */
export class FakeClamd {
  readonly streams: Buffer[] = [];
  /** Chunk lengths of every stream, to check the framing. */
  readonly chunks: number[][] = [];
  streamMaxLength = 25 * 1024 * 1024;
  #server: Server | null = null;
  #sockets = new Set<Socket>();
  port = 0;

  async start(port = 0): Promise<number> {
    const server = createServer((s) => this.#serve(s));
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    this.#server = server;
    this.port = (server.address() as { port: number }).port;
    return this.port;
  }

  /** Stops listening: the scanner is down (connections are refused). */
  async stop(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
    this.#server = null;
  }

  #serve(socket: Socket) {
    this.#sockets.add(socket);
    socket.on('close', () => this.#sockets.delete(socket));
    socket.on('error', () => {});
    let buf = Buffer.alloc(0);
    let mode: 'command' | 'chunks' | 'done' = 'command';
    let end = '\0';
    const parts: Buffer[] = [];
    const lengths: number[] = [];
    let total = 0;
    const reply = (text: string) => {
      mode = 'done';
      socket.end(`${text}${end}`);
    };
    socket.on('data', (data: Buffer) => {
      if (mode === 'done') return;
      buf = Buffer.concat([buf, data]);
      if (mode === 'command') {
        const z = buf.indexOf(0);
        const n = buf.indexOf(10);
        const stop = z >= 0 && (n < 0 || z < n) ? z : n;
        if (stop < 0) return;
        const command = buf.subarray(0, stop).toString('latin1');
        buf = buf.subarray(stop + 1);
        if (command === 'zINSTREAM') end = '\0';
        else if (command === 'nINSTREAM') end = '\n';
        else return reply('UNKNOWN COMMAND');
        mode = 'chunks';
      }
      while (mode === 'chunks' && buf.length >= 4) {
        const len = buf.readUInt32BE(0);
        if (len === 0) {
          const bytes = Buffer.concat(parts);
          this.streams.push(bytes);
          this.chunks.push(lengths);
          return reply(bytes.includes(EICAR) ? 'stream: Eicar-Signature FOUND' : 'stream: OK');
        }
        if (buf.length < 4 + len) return;
        total += len;
        if (total > this.streamMaxLength) return reply('INSTREAM size limit exceeded. ERROR');
        parts.push(Buffer.from(buf.subarray(4, 4 + len)));
        lengths.push(len);
        buf = buf.subarray(4 + len);
      }
    });
  }
}
