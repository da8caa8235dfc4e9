/**
 * The index writer thread (see src/store/writer.ts): its own connection to the index, one
 * transaction per batch, an answer per batch. Nothing but blocks and progress records reaches it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openStore } from './schema.js';
import { BatchInserter, type FromWorker, type ToWorker } from './writer.js';

const port = parentPort!;
const db = openStore((workerData as { file: string }).file);
const inserter = new BatchInserter(db);
port.on('message', (m: ToWorker) => {
  if (m.type === 'close') {
    db.close();
    port.close();
    return;
  }
  try {
    inserter.commit(m.batch);
    port.postMessage({ type: 'done', id: m.id } satisfies FromWorker);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    port.postMessage({ type: 'error', id: m.id, message: (err as Error).message, ...(typeof code === 'string' ? { code } : {}) } satisfies FromWorker);
  }
});
port.postMessage({ type: 'ready' } satisfies FromWorker);
