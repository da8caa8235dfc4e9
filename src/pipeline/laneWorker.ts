/**
 * The analysis lane's worker thread (see parallelLane.ts): reads the sources the main thread sends
 * it, one at a time, and posts their batches. At most MAX_IN_FLIGHT batches wait for the main
 * thread at a time, which bounds memory. Zip entries are read from the zip opened here again (the
 * main thread has listed it and reported its problems; they are not reported twice).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { fileChunks, gzipChunks, openZipSource, type OpenedZip } from '../source/read.js';
import { laneScan, MAX_IN_FLIGHT, type LaneJob, type LanePost, type LaneWorkerData, type ToLaneWorker } from './laneScan.js';

const port = parentPort!;
const scan = laneScan(workerData as LaneWorkerData);
let inFlight = 0;
let wake: (() => void) | null = null;
const jobs: LaneJob[] = [];
let closing = false;
let nextJob: (() => void) | null = null;

port.on('message', (m: ToLaneWorker) => {
  if (m.type === 'ack') {
    inFlight--;
    scan.recycle(m.data, m.recs);
    wake?.();
    wake = null;
  } else {
    if (m.type === 'job') jobs.push(m.job);
    else closing = true;
    nextJob?.();
    nextJob = null;
  }
});

const post: LanePost = async (m, transfer) => {
  if (m.type === 'batch') inFlight++;
  port.postMessage(m, transfer);
  while (inFlight >= MAX_IN_FLIGHT) await new Promise<void>((resolve) => (wake = resolve));
};

/**
 * The zip of the entries being read, kept while the next job is of the same zip (a Conquest zip
 * holds serverstatus.log and PacsTrouble.log; the main thread holds it open that long too).
 */
let zip: { path: string; opened: OpenedZip | null } | null = null;

function closeZip(): void {
  zip?.opened?.close();
  zip = null;
}

async function chunksOf(job: LaneJob): Promise<AsyncIterable<Buffer> | null> {
  if (job.type !== 'zip-entry') {
    closeZip();
    return job.type === 'gzip' ? gzipChunks(job.path) : fileChunks(job.path);
  }
  if (zip?.path !== job.path) {
    closeZip();
    zip = { path: job.path, opened: await openZipSource({ type: 'zip', name: job.path, path: job.path }, () => {}) };
  }
  const log = zip.opened?.logs[job.index];
  return log !== undefined && log.spec.type === 'zip-entry' && log.spec.entry === job.entry ? log.chunks() : null;
}

for (;;) {
  const job = jobs.shift();
  if (job === undefined) {
    if (closing) break;
    await new Promise<void>((resolve) => (nextJob = resolve));
    continue;
  }
  const chunks = await chunksOf(job).catch(() => null);
  if (chunks === null) await post({ type: 'end', lines: 0, bytes: 0, readable: false, finished: false, unavailable: true }, []);
  else await scan.run(job.name, chunks, post);
}
closeZip();
port.close();
