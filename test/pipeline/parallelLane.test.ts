/**
 * The analysis lane's byte side in a worker thread must deliver exactly what the one-thread lane
 * delivers: the same events in the same order, the same absorbed lines, the same problems in the
 * same places, and the same source summaries, whatever the file holds.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Fields, InputProblem, LogEvent } from '../../src/parse/event.js';
import { THREAD_LINE_KINDS } from '../../src/parse/catalog/threadLine.js';
import { readEvents, type AnalysisLane, type IngestResult } from '../../src/pipeline/readEvents.js';
import { CanonicalStrings, MAX_CANONICAL_STRINGS, WORKER_LANE_COMPRESSED_CORES, WORKER_LANE_MIN_BYTES, workerLaneCounters, workerLaneFile, workerLaneFor } from '../../src/pipeline/parallelLane.js';
import { BATCH_BYTES, BATCH_RECORDS } from '../../src/pipeline/laneScan.js';
import { FILE_CHUNK } from '../../src/source/read.js';
import { generate } from '../../src/tools/generate-big.js';
import { chunkEdgeLog, realLogDirs, ROOT, SAMPLES } from '../helpers.js';
import { dgateLog, entryDataRange, writeZip } from '../source/fixtures.js';

/** Runs fn with CQLOG_WORKER_LANE set to v (or unset), restoring it after. */
async function withWorker<T>(v: '0' | '1' | undefined, fn: () => Promise<T>): Promise<T> {
  const old = process.env.CQLOG_WORKER_LANE;
  if (v === undefined) delete process.env.CQLOG_WORKER_LANE;
  else process.env.CQLOG_WORKER_LANE = v;
  try {
    return await fn();
  } finally {
    if (old === undefined) delete process.env.CQLOG_WORKER_LANE;
    else process.env.CQLOG_WORKER_LANE = old;
  }
}

interface Reading {
  /** Events and problems as they came, interleaved: a problem must arrive where it arrives in one thread. */
  order: string[];
  events: LogEvent[];
  absorbed: { kind: string; time: string | null; fields: Fields }[];
  problems: InputProblem[];
  result: IngestResult;
}

/**
 * Reads through a lane that thins out as the engine's does, with answers that depend on the
 * fields the bytes gave (so a wrong key, time or number changes what is delivered).
 */
async function read(paths: string[], worker: boolean): Promise<Reading> {
  const order: string[] = [];
  const events: LogEvent[] = [];
  const absorbed: Reading['absorbed'] = [];
  const problems: InputProblem[] = [];
  const lane: AnalysisLane = {
    fieldless: new Set(['sending-file', 'blank', 'accepted-compression']),
    writtenKeysOnly: true,
    threadOnly: THREAD_LINE_KINDS,
    needsText: (kind, fields) => (typeof fields.fileTime === 'number' ? fields.fileTime % 3 === 0 : kind !== 'blank'),
    absorb: (kind, time, _source, fields) => {
      if (kind !== 'written-file' || typeof fields.fileTime !== 'number' || fields.fileTime % 5 !== 0) return false;
      absorbed.push({ kind, time, fields });
      return true;
    },
  };
  const result = await withWorker(worker ? '1' : '0', () =>
    readEvents(
      paths,
      { encoding: 'latin1', analysisLane: lane },
      (e) => {
        events.push(e);
        order.push(`event ${e.line}`);
      },
      (p) => {
        problems.push(p);
        order.push(`problem ${p.message}`);
      },
    ),
  );
  return { order, events, absorbed, problems, result };
}

let dir = '';
const file = (name: string): string => path.join(dir, name);

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'cqlog-worker-lane-'));
  const chunks: Buffer[] = [];
  await generate({ size: 3 * BATCH_BYTES + 12_345, seed: 31, incident: true }, (c) => void chunks.push(c));
  const generated = Buffer.concat(chunks);
  writeFileSync(file('generated.log'), generated);
  writeFileSync(file('generated.log.gz'), gzipSync(generated));
  writeFileSync(file('crlf.log'), generated.subarray(0, 300_000).toString('latin1').replace(/\n/g, '\r\n'), 'latin1');
  // A line longer than the 1 MiB kept (cut and reported), between ordinary lines, and a last line with no newline.
  const head = generated.subarray(0, 50_000).toString('latin1');
  writeFileSync(file('long.log'), `${head}Fri Nov 27 19:31:10 2026 Written file: ${'x'.repeat((1 << 20) + 500)}\n${head}Fri Nov 27 19:31:11 2026 C-Echo`, 'latin1');
  writeFileSync(file('nul-edge.log'), chunkEdgeLog('\u0000'));
  writeFileSync(file('cr-edge.log'), chunkEdgeLog('\r'));
  writeFileSync(file('image.log'), Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47]), Buffer.alloc(2000, 7)]));
  writeFileSync(file('empty.log'), '');
  // A daily zip, and the same zip cut in the middle of its serverstatus.log (salvaged from its local headers).
  await writeZip(file('logs_20261126.zip'), { 'serverstatus.log': generated.subarray(0, 400_000), 'PacsTrouble.log': dgateLog(50, 't'), 'dicom.ini': '[sscscp]\nMyACRNema = ROUTER\n' });
  await writeZip(file('whole.zip'), { 'serverstatus.log': dgateLog(4000, 's'), 'PacsUser.log': dgateLog(50, 'u') });
  const whole = readFileSync(file('whole.zip'));
  const { start, end } = entryDataRange(whole, 'serverstatus.log');
  writeFileSync(file('cut.zip'), whole.subarray(0, Math.floor((start + end) / 2)));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the worker lane', () => {
  for (const name of ['generated.log', 'generated.log.gz', 'crlf.log', 'long.log', 'nul-edge.log', 'cr-edge.log', 'image.log', 'empty.log']) {
    it(`delivers what the one-thread lane delivers for ${name}`, async () => {
      const before = workerLaneCounters.batches;
      const worker = await read([file(name)], true);
      const taken = workerLaneCounters.batches - before;
      const one = await read([file(name)], false);
      expect(worker).toStrictEqual(one);
      if (name === 'image.log') {
        expect(worker.result.sources[0]!.readable).toBe(false);
        expect(worker.problems[0]!.message).toMatch(/binary content \(PNG image\)/);
      } else if (name === 'empty.log') {
        expect(worker.result.sources[0]).toMatchObject({ readable: true, lines: 0 });
      } else {
        expect(worker.events.length).toBeGreaterThan(100);
        // It really went through the worker, in several batches for the larger files.
        expect(taken).toBeGreaterThanOrEqual(name.startsWith('generated') ? 4 : 1);
      }
      if (name === 'generated.log') {
        // The lane's thinning was exercised: fields from the bytes, uncited texts, absorbed lines.
        expect(worker.absorbed.length).toBeGreaterThan(100);
        expect(worker.events.some((e) => e.kind === 'written-file' && e.text === ' ')).toBe(true);
        expect(worker.events.some((e) => e.kind === 'thread-start' && Object.keys(e.fields).join() === 'thread')).toBe(true);
      }
      if (name === 'long.log') expect(worker.problems[0]!.message).toMatch(/line of 1049\d+ bytes is longer than 1048576/);
      if (name === 'nul-edge.log') expect(worker.problems.some((p) => /NUL bytes/.test(p.message))).toBe(true);
    });
  }

  it('reads several sources in order through one worker, zip entries too', async () => {
    const paths = [file('crlf.log'), file('logs_20261126.zip'), file('generated.log'), file('image.log'), file('cut.zip')];
    const before = workerLaneCounters.batches;
    const worker = await read(paths, true);
    expect(workerLaneCounters.batches - before).toBeGreaterThanOrEqual(8);
    expect(worker).toStrictEqual(await read(paths, false));
    expect(worker.result.sources.map((x) => x.source.replace(/^.*[/\\]/, ''))).toEqual([
      'crlf.log',
      'logs_20261126.zip!serverstatus.log',
      'logs_20261126.zip!PacsTrouble.log',
      'generated.log',
      'image.log',
      'cut.zip!serverstatus.log', // its PacsUser.log lay after the cut
    ]);
    // The cut entry: the zip's problem once (from the listing, not again from the worker), then the read that stopped.
    expect(worker.problems.filter((p) => /truncated zip/.test(p.message))).toHaveLength(1);
    expect(worker.problems.some((p) => p.source.endsWith('cut.zip!serverstatus.log') && /read stopped/.test(p.message))).toBe(true);
  });

  it('gives the same reading of the bundled incident and the genuine logs', async () => {
    for (const paths of [[path.join(SAMPLES, 'incident')], ...realLogDirs().map((d) => [d])]) {
      const worker = await read(paths, true);
      expect(worker.events.length).toBeGreaterThan(0);
      expect(worker).toStrictEqual(await read(paths, false));
    }
  });

  for (const worker of [true, false]) {
    it(`passes up what the consumer throws, ${worker ? 'ending the worker' : 'in one thread'}, and does not hang`, async () => {
      const lane: AnalysisLane = { fieldless: new Set(), writtenKeysOnly: true, needsText: () => true };
      let n = 0;
      const seen: string[] = [];
      const reading = withWorker(worker ? '1' : '0', () =>
        readEvents(
          [file('generated.log'), file('crlf.log')],
          { encoding: 'latin1', analysisLane: lane },
          (e) => {
            seen.push(e.source);
            if (++n === 5000) throw new Error('consumer failed');
          },
          () => {},
        ),
      );
      // Not a problem of the input: the reading stops there, the next source is not read.
      await expect(reading).rejects.toThrow('consumer failed');
      expect(n).toBe(5000);
      expect(seen.some((s) => s.endsWith('crlf.log'))).toBe(false);
    });
  }

  describe('when the worker fails', () => {
    const realWorker = path.join(ROOT, 'dist', 'pipeline', 'laneWorker.js');
    /** Runs fn with the worker's code replaced by `code` (an ES module), restoring it after. */
    async function withFakeWorker<T>(code: string, fn: () => Promise<T>): Promise<T> {
      const fake = file(`fake-worker-${Math.random().toString(36).slice(2)}.mjs`);
      writeFileSync(fake, code);
      workerLaneFile.override = fake;
      try {
        return await fn();
      } finally {
        workerLaneFile.override = null;
      }
    }

    it('before it delivers anything, the sources are read in one thread, with nothing lost', async () => {
      const paths = [file('generated.log'), file('crlf.log')];
      const got = await withFakeWorker(`import { parentPort } from 'node:worker_threads'; parentPort.once('message', () => { throw new Error('boom'); });`, () => read(paths, true));
      expect(got).toStrictEqual(await read(paths, false));
      expect(got.problems).toHaveLength(0);
    });

    it('in the middle of a source, the read is reported stopped there and the next source is read in one thread', async () => {
      const paths = [file('generated.log'), file('crlf.log')];
      const code = [
        `import { parentPort } from 'node:worker_threads';`,
        `const post = parentPort.postMessage.bind(parentPort);`,
        `let batches = 0;`,
        `parentPort.postMessage = (m, t) => { post(m, t); if (m.type === 'batch' && ++batches === 2) process.exit(1); };`,
        `await import(${JSON.stringify(pathToFileURL(realWorker).href)});`,
      ].join('\n');
      const got = await withFakeWorker(code, () => read(paths, true));
      const one = await read(paths, false);
      const stopped = got.problems.filter((p) => /read stopped: the reading thread stopped/.test(p.message));
      expect(stopped).toHaveLength(1);
      expect(stopped[0]!.source).toMatch(/generated\.log$/);
      const [gotFirst, oneFirst] = [got, one].map((r) => r.result.sources[0]!);
      expect(gotFirst!.lines).toBeGreaterThan(0);
      expect(gotFirst!.lines).toBeLessThan(oneFirst!.lines);
      // The report names the first line not delivered, where it starts, and the bytes kept end there.
      expect(stopped[0]!.line).toBe(gotFirst!.lines + 1);
      const first = stopped[0]!.line!;
      const text = readFileSync(file('generated.log'));
      let at = 0;
      for (let n = 1; n < first; n++) at = text.indexOf(10, at) + 1;
      expect(stopped[0]!.offset).toBe(at);
      expect(gotFirst!.bytes).toBe(at);
      // Every line before it was delivered as in one thread.
      const before = (r: Reading): LogEvent[] => r.events.filter((e) => e.source.endsWith('generated.log') && e.line < first - 1);
      expect(before(got)).toStrictEqual(before(one));
      // The next source is whole.
      expect(got.result.sources[1]).toStrictEqual(one.result.sources[1]);
      expect(got.events.filter((e) => e.source.endsWith('crlf.log'))).toStrictEqual(one.events.filter((e) => e.source.endsWith('crlf.log')));
    });
  });

  it('bounds a batch by its lines as well as by its bytes (a log of empty lines)', async () => {
    writeFileSync(file('empty-lines.log'), '\n'.repeat(3 * FILE_CHUNK + 5));
    workerLaneCounters.mostLines = 0;
    const worker = await read([file('empty-lines.log')], true);
    expect(worker).toStrictEqual(await read([file('empty-lines.log')], false));
    expect(worker.result.sources[0]!.lines).toBe(3 * FILE_CHUNK + 5);
    // At most BATCH_RECORDS lines, and then the rest of the chunk that reached them.
    expect(workerLaneCounters.mostLines).toBeGreaterThanOrEqual(BATCH_RECORDS);
    expect(workerLaneCounters.mostLines).toBeLessThan(BATCH_RECORDS + FILE_CHUNK);
  });

  it('is used for a large file on a machine with cores to spare, unless told otherwise', async () => {
    await withWorker(undefined, async () => {
      expect(workerLaneFor(WORKER_LANE_MIN_BYTES - 1)).toBe(false);
      expect(workerLaneFor(WORKER_LANE_MIN_BYTES)).toBe(os.availableParallelism() > 1);
      // A compressed source needs a core more, for inflating.
      expect(workerLaneFor(WORKER_LANE_MIN_BYTES - 1, true)).toBe(false);
      expect(workerLaneFor(WORKER_LANE_MIN_BYTES, true)).toBe(os.availableParallelism() >= WORKER_LANE_COMPRESSED_CORES);
    });
    await withWorker('0', async () => expect(workerLaneFor(10 * WORKER_LANE_MIN_BYTES)).toBe(false));
    await withWorker('1', async () => expect(workerLaneFor(0)).toBe(true));
  });
});

describe('CanonicalStrings (the key strings of successive batches)', () => {
  it('gives back each text as it was given, and never holds more than its bound', () => {
    const c = new CanonicalStrings();
    const texts: string[] = [];
    for (let i = 0; i < MAX_CANONICAL_STRINGS * 2 + 3; i++) texts.push(`1.2.840.${i}`);
    for (const round of [0, 1]) {
      for (const t of texts) {
        // A copy made apart, as a batch's deserialised strings are.
        expect(c.of([...t].join('')), `${round}`).toBe(t);
        expect(c.size).toBeLessThanOrEqual(MAX_CANONICAL_STRINGS);
      }
    }
    expect(c.size).toBeGreaterThan(0);
  });
});
