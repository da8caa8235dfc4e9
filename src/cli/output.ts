/** Buffered stdout/stderr writing with backpressure; a closed pipe (`| head`) ends output quietly. */
import type { Writable } from 'node:stream';

export class Output {
  private buf: string[] = [];
  private size = 0;
  closed = false;

  constructor(private readonly stream: Writable = process.stdout) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') this.closed = true;
      else throw err;
    });
  }

  write(s: string): void {
    if (this.closed) return;
    this.buf.push(s);
    this.size += s.length;
  }

  /** Writes what is buffered and waits while the pipe is full. */
  async flush(): Promise<void> {
    if (this.size === 0 || this.closed) return;
    const data = this.buf.join('');
    this.buf = [];
    this.size = 0;
    if (!this.stream.write(data)) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          this.stream.off('drain', done);
          this.stream.off('close', done);
          this.stream.off('error', done);
          resolve();
        };
        this.stream.on('drain', done);
        this.stream.on('close', done);
        this.stream.on('error', done);
      });
    }
  }

  /** Flushes only when enough is buffered (called per chunk). */
  async maybeFlush(): Promise<void> {
    if (this.size > 1 << 16) await this.flush();
  }
}

/** Colour only on a TTY and when NO_COLOR is not set. */
export function useColor(stream: NodeJS.WriteStream = process.stdout): boolean {
  return Boolean(stream.isTTY) && !('NO_COLOR' in process.env && process.env.NO_COLOR !== '');
}
