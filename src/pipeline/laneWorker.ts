/**
 * The analysis lane's worker thread (see parallelLane.ts): reads one file or .gz and posts its
 * batches. At most MAX_IN_FLIGHT batches wait for the main thread at a time, which bounds memory.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { fileChunks, gzipChunks } from '../source/read.js';
import { laneScan, MAX_IN_FLIGHT, type LaneWorkerData, type ToLaneWorker } from './laneScan.js';

const port = parentPort!;
const job = workerData as LaneWorkerData;
const scan = laneScan({ source: job.source, fieldless: job.fieldless, writtenKeysOnly: job.writtenKeysOnly, threadOnly: job.threadOnly });
let inFlight = 0;
let wake: (() => void) | null = null;
port.on('message', (m: ToLaneWorker) => {
  if (m.type === 'ack') {
    inFlight--;
    scan.recycle(m.data, m.recs);
    wake?.();
    wake = null;
  }
});
await scan.run(job.type === 'gzip' ? gzipChunks(job.path) : fileChunks(job.path), async (m, transfer) => {
  if (m.type === 'batch') inFlight++;
  port.postMessage(m, transfer);
  while (inFlight >= MAX_IN_FLIGHT) await new Promise<void>((resolve) => (wake = resolve));
});
port.close();
