/**
 * The reading loop of the batch paths (one thread in readEvents, and the analysis lane's worker):
 * the first chunk's binary check, each chunk through the line splitter, and a read that stops
 * reported where it stopped, the lines before it kept (issue 2, item 7: bad input).
 */
import type { ProblemSink } from '../parse/event.js';
import { binaryMessage, looksBinary, type LineSplitter } from '../source/lines.js';
import { readErrorReason } from '../source/read.js';

export interface SplitHooks {
  /** Called with each chunk before it is split (the fast lane's chunk gate, the worker's batch). */
  beforeChunk?(chunk: Buffer): void | Promise<void>;
  /** Called after each chunk was split (backpressure, progress). */
  afterChunk?(): void | Promise<void>;
}

/**
 * What became of a source: skipped as binary content (its lines are not to be finished), or read;
 * readable when any byte could be read, or when it was empty.
 */
export type SplitOutcome = { binary: true } | { binary: false; readable: boolean };

/**
 * Splits a source's chunks into lines; the caller then ends the splitter unless it was binary. Only
 * the reading can stop with a problem: what the lines' consumer throws is not a fault of the input,
 * and goes up (the source is closed first).
 */
export async function splitSource(source: string, chunks: AsyncIterable<Buffer>, splitter: LineSplitter, onProblem: ProblemSink, hooks: SplitHooks = {}): Promise<SplitOutcome> {
  const it = chunks[Symbol.asyncIterator]();
  let first = true;
  let readable = false;
  let done = false;
  try {
    for (;;) {
      let next: IteratorResult<Buffer>;
      try {
        next = await it.next();
      } catch (err) {
        done = true; // a generator that threw is finished
        // For a .gz or a zip entry the offset is the decompressed one reached, the line the one it cut.
        const at = splitter.bytes;
        onProblem({ source, ...(at > 0 ? { line: splitter.lines + 1 } : {}), offset: at, message: `read stopped: ${readErrorReason(err)}; kept what was read before` });
        first = false;
        break;
      }
      if (next.done === true) {
        done = true;
        break;
      }
      const chunk = next.value;
      if (first) {
        first = false;
        const bin = looksBinary(chunk);
        if (bin.binary) {
          onProblem({ source, offset: bin.offset, message: binaryMessage(bin) });
          return { binary: true };
        }
      }
      readable = true;
      // A hook's promise is awaited; a plain return costs no turn of the event loop.
      const before = hooks.beforeChunk?.(chunk);
      if (before) await before;
      splitter.push(chunk);
      const after = hooks.afterChunk?.();
      if (after) await after;
    }
  } finally {
    // Stopped early (binary content, or the consumer threw): close the source.
    if (!done) await it.return?.().catch(() => undefined);
  }
  // An empty source is readable; one that failed before its first byte is not.
  if (first) readable = true;
  return { binary: false, readable };
}
