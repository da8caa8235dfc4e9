/**
 * The analysis lane (prefix and kind from the bytes, Written-file paths read from the bytes, texts
 * decoded only where the engine may cite them) must give exactly the analysis the full decoder gives.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { analyzePaths, ForensicEngine } from '../../src/correlate/engine.js';
import { DEFAULT_CONFIG } from '../../src/correlate/config.js';
import type { LogEvent } from '../../src/parse/event.js';
import { readEvents } from '../../src/pipeline/readEvents.js';
import { THREAD_LINE_KINDS } from '../../src/parse/catalog/threadLine.js';
import { generate } from '../../src/tools/generate-big.js';
import { BSN, HOSPITAL_ID, LogBuilder, SERIES } from '../correlate/logBuilder.js';
import { chunkEdgeLog, realLogDirs, SAMPLES } from '../helpers.js';
import { FILE_CHUNK } from '../../src/source/read.js';

/**
 * Runs fn with the byte lanes on or off (CQLOG_NO_FAST_LANE), and with or without the worker
 * thread for the analysis lane's byte side (CQLOG_WORKER_LANE: forced for any size, or never),
 * restoring both variables after.
 */
async function withLane<T>(on: boolean, fn: () => Promise<T>, worker = false): Promise<T> {
  const old = process.env.CQLOG_NO_FAST_LANE;
  const oldWorker = process.env.CQLOG_WORKER_LANE;
  if (on) delete process.env.CQLOG_NO_FAST_LANE;
  else process.env.CQLOG_NO_FAST_LANE = '1';
  process.env.CQLOG_WORKER_LANE = worker ? '1' : '0';
  try {
    return await fn();
  } finally {
    if (old === undefined) delete process.env.CQLOG_NO_FAST_LANE;
    else process.env.CQLOG_NO_FAST_LANE = old;
    if (oldWorker === undefined) delete process.env.CQLOG_WORKER_LANE;
    else process.env.CQLOG_WORKER_LANE = oldWorker;
  }
}

let dir = '';


beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'cqlog-lane-'));
  const chunks: Buffer[] = [];
  await generate({ size: 2_000_000, seed: 21, incident: true }, (c) => void chunks.push(c));
  writeFileSync(path.join(dir, 'generated.log'), Buffer.concat(chunks));
  const winChunks: Buffer[] = [];
  await generate({ size: 600_000, seed: 22, format: 'windows' }, (c) => void winChunks.push(c));
  writeFileSync(path.join(dir, 'windows.log'), Buffer.concat(winChunks));

  // A router whose log holds what the lane must get right: the first lines held (GUI dates whose
  // order is not known yet), a continuation after a Written file, a failed retrieve with debug rows,
  // refusals, a later push under the refused ID (the collision ends), and a move that sends files.
  const b = new LogBuilder(0).at('2026-11-27T08:00:00');
  const gui = ['5-6-2026 07:59:58 [ROUTER] Server started', '5-6-2026 07:59:59 [ROUTER] Pushed study'];
  b.line('Written file: /opt/conquest/data/10234567/1.2.3.4.5.6_0001_000008_17958081880000.dcm');
  b.lines.push('27-6-2026 08:00:00 [ROUTER] Pushed study'); // the day order is known from here on
  b.push('CT01', '10234567', 3, '1.2.3.4.5.6');
  b.line('Written file: /opt/conquest/data/10234567/1.2.3.4.5.6_0001_000009_17958081890000.dcm').lines.push('  continued on a bare line');
  b.tick(10).failedMove('WS1', 'WS2', 2, BSN);
  b.tick(60).refusedPush('CT01', HOSPITAL_ID, BSN, 2);
  b.tick(5).push('CT02', '10234999', 2, '1.2.3.4.5.8');
  b.tick(60).push('CT01', HOSPITAL_ID, 2, SERIES);
  const n = b.tick(5).start('WS1', ['1.2.840.10008.5.1.4.1.2.1.2']);
  b.line('\tC-Move Destination: "WS1 "').line('Number of images to send: 2');
  b.line('Sending file : /opt/conquest/data/10234567/1.2.3.4.5.6_0001_000001_17958081890001.dcm');
  b.line('Sending file : /opt/conquest/data/10234567/1.2.3.4.5.6_0001_000002_17958081890002.dcm');
  b.line('C-Move (PatientRoot)').end(n);
  b.tick(5).failedMove('WS3', 'WS4', 3);
  writeFileSync(path.join(dir, 'crafted.log'), [...gui, b.text()].join('\n'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the analysis lane', () => {
  const inputs: [string, () => string[]][] = [
    ['genuine logs', () => realLogDirs()],
    ['the bundled incident', () => [path.join(SAMPLES, 'incident')]],
    ['a generated log with an incident', () => [path.join(dir, 'generated.log')]],
    ['a generated Windows log', () => [path.join(dir, 'windows.log')]],
    ['a crafted router log', () => [path.join(dir, 'crafted.log')]],
  ];
  for (const [name, paths] of inputs) {
    it(`gives the same analysis as the full decoder on ${name}, in one thread and with the worker`, async () => {
      const lane = await withLane(true, () => analyzePaths(paths()));
      const full = await withLane(false, () => analyzePaths(paths()));
      expect(lane).toEqual(full);
      expect(await withLane(true, () => analyzePaths(paths()), true)).toEqual(full);
      // Something was read: the comparison is not of two empty analyses.
      expect(lane.inputs.reduce((n, i) => n + i.events, 0), name).toBeGreaterThan(0);
      if (name.startsWith('a crafted')) {
        // The scenario is what it says: one collision ended by the later push, two failed retrieves.
        expect(lane.collisions).toHaveLength(1);
        expect(lane.collisions[0]!.resolvedAt).not.toBeNull();
        expect(lane.collisions[0]!.evidence.every((e) => e.text.trim().length > 0)).toBe(true);
      }
    });
  }

  it('gives the same analysis when the engine\'s maps evict all along', async () => {
    const config = { ...DEFAULT_CONFIG, maxWrittenFolders: 20, maxWrittenSeries: 30 };
    const paths = [path.join(dir, 'generated.log'), path.join(dir, 'crafted.log')];
    const lane = await withLane(true, () => analyzePaths(paths, { config }));
    expect(lane.notes?.evicted.writtenFolders).toBeGreaterThan(40);
    expect(lane).toEqual(await withLane(false, () => analyzePaths(paths, { config })));
    expect(await withLane(true, () => analyzePaths(paths, { config }), true)).toEqual(lane);
  });

  it('cites the real text of a folder written again right after its entry was evicted', async () => {
    // Folder map of 2: C evicts A while A is still among the engine's recent pairs; the next A line
    // is then a first-of-folder line again, and the engine cites it.
    const b = new LogBuilder(0).at('2026-11-20T10:00:00');
    const n = b.start('CT01', ['1.2.840.10008.5.1.4.1.1.2']);
    for (const f of ['OLDA', 'OTHB', 'OLDA', 'OTHC', 'OLDA']) b.tick(1).line(`Written file: /opt/conquest/data/${b.fileName(f, SERIES)}`);
    b.end(n);
    b.at('2026-11-27T09:14:00').refusedPush('CT01', HOSPITAL_ID, 'OLDA', 1);
    const file = path.join(dir, 'evicted.log');
    writeFileSync(file, b.text());
    const config = { ...DEFAULT_CONFIG, maxWrittenFolders: 2 };
    const lane = await withLane(true, () => analyzePaths([file], { config }));
    const first = lane.collisions[0]!.evidence.find((e) => e.kind === 'written-file')!;
    expect(first.text).toMatch(/^Written file: .*OLDA/);
    expect(lane).toEqual(await withLane(false, () => analyzePaths([file], { config })));
  });

  for (const [name, x] of [['a NUL', '\u0000'], ['a CR', '\r']] as const) {
    it(`hands a line with ${name} at a read-chunk edge to the full parser`, async () => {
      const file = path.join(dir, `edge-${x.charCodeAt(0)}.log`);
      writeFileSync(file, chunkEdgeLog(x));
      const lane = await withLane(true, () => analyzePaths([file]));
      expect(lane).toEqual(await withLane(false, () => analyzePaths([file])));
      expect(await withLane(true, () => analyzePaths([file]), true)).toEqual(lane);
    });
  }

  it('hands a line with a lone CR to the full parser also when the line spans three read chunks', async () => {
    // The CR is in the first chunk, the line ends in the third: the gate must remember the line's first chunk.
    const filler = 'Fri Nov 27 19:31:10 2026 Accepted compression: j2\n';
    const line = `Fri Nov 27 19:31:10 2026 Written file: /opt/d/12\r${'x'.repeat(2 * FILE_CHUNK + 1000)}/1.2.3_0001_000001_17958078700000.dcm\n`;
    const file = path.join(dir, 'cr-long.log');
    writeFileSync(file, filler.repeat(3) + line + filler.repeat(3), 'latin1');
    const events = async (on: boolean): Promise<LogEvent[]> => {
      const out: LogEvent[] = [];
      await withLane(on, () => analyzePaths([file], { onEvent: (e) => void out.push(e) }));
      return out;
    };
    const full = await events(false);
    expect(full.map((e) => e.kind)).toContain('unknown'); // the CR stops the pattern's `.`
    expect(await events(true)).toStrictEqual(full);
    expect(await withLane(true, () => analyzePaths([file]))).toStrictEqual(await withLane(false, () => analyzePaths([file])));
    expect(await withLane(true, () => analyzePaths([file]), true)).toStrictEqual(await withLane(false, () => analyzePaths([file])));
  });

  it('gives a watching caller (timeline) every event whole, as the full decoder does, in one thread and with the worker', async () => {
    const collect = async (on: boolean, worker = false): Promise<LogEvent[]> => {
      const events: LogEvent[] = [];
      await withLane(on, () => analyzePaths([path.join(dir, 'crafted.log'), path.join(dir, 'generated.log')], { onEvent: (e) => void events.push(e) }), worker);
      return events;
    };
    const lane = await collect(true);
    expect(lane.length).toBeGreaterThan(10000);
    expect(lane).toEqual(await collect(false));
    expect(await collect(true, true)).toEqual(lane);
  });

  it('takes most Written files without building their events, and none while a collision is open', async () => {
    const taken: { kind: string; open: number }[] = [];
    const real = ForensicEngine.prototype.absorbWritten;
    const spy = vi.spyOn(ForensicEngine.prototype, 'absorbWritten').mockImplementation(function (this: ForensicEngine, kind, time, source, fields) {
      const yes = real.call(this, kind, time, source, fields);
      if (yes) taken.push({ kind, open: this.result().collisions.length });
      return yes;
    });
    try {
      const r = await withLane(true, () => analyzePaths([path.join(dir, 'generated.log')]));
      const written = await withLane(true, () => readEvents([path.join(dir, 'generated.log')], { encoding: 'latin1', kindsOnly: true }, () => {}, () => {}));
      expect(r.collisions).toHaveLength(1);
      expect(written.sources[0]!.events).toBe(r.inputs[0]!.events);
      expect(taken.length).toBeGreaterThan(5000);
      expect(new Set(taken.map((t) => t.kind))).toEqual(new Set(['written-file', 'rewritten-file']));
      expect(taken.every((t) => t.open === 0)).toBe(true);
    } finally {
      spy.mockRestore();
    }
  });

  it('takes most Sending files without building their events, but pushes one a pending move waits for', async () => {
    const offered: boolean[] = [];
    const real = ForensicEngine.prototype.absorbSending;
    const spy = vi.spyOn(ForensicEngine.prototype, 'absorbSending').mockImplementation(function (this: ForensicEngine, time, source) {
      const yes = real.call(this, time, source);
      offered.push(yes);
      return yes;
    });
    try {
      const paths = [path.join(dir, 'generated.log'), path.join(dir, 'crafted.log')];
      const lane = await withLane(true, () => analyzePaths(paths));
      expect(offered.filter((x) => x).length).toBeGreaterThan(100);
      // The first image of a move marks it sent (and may be cited): that line is pushed.
      expect(offered.some((x) => !x)).toBe(true);
      spy.mockRestore();
      expect(lane).toEqual(await withLane(false, () => analyzePaths(paths)));
    } finally {
      spy.mockRestore();
    }
  });

  it('is really taken: uncited texts stay placeholders and Written-file fields come from the bytes', async () => {
    const events: LogEvent[] = [];
    await withLane(true, () =>
      readEvents(
        [path.join(dir, 'generated.log')],
        { encoding: 'latin1', analysisLane: { fieldless: new Set(['sending-file']), writtenKeysOnly: true, threadOnly: THREAD_LINE_KINDS, needsText: () => false } },
        (e) => void events.push(e),
        () => {},
      ),
    );
    const written = events.filter((e) => e.kind === 'written-file');
    const sending = events.filter((e) => e.kind === 'sending-file');
    expect(written.length).toBeGreaterThan(1000);
    expect(sending.length).toBeGreaterThan(10);
    expect(written.every((e) => e.text === ' ' && Object.keys(e.fields).sort().join() === 'fileTime,patientFolder,seriesUid')).toBe(true);
    expect(sending.every((e) => e.text === ' ' && Object.keys(e.fields).length === 0)).toBe(true);
    // Thread lines carry only the thread number, read from the bytes (and, uncited, no text).
    const threads = events.filter((e) => THREAD_LINE_KINDS.has(e.kind));
    expect(threads.length).toBeGreaterThan(100);
    expect(threads.every((e) => e.text === ' ' && Object.keys(e.fields).join() === 'thread' && typeof e.fields.thread === 'number')).toBe(true);
    // Kinds the lane does not thin out arrive decoded and classified.
    const calling = events.find((e) => e.kind === 'calling-ae')!;
    expect(calling.text).toMatch(/Calling Application Title/);
    expect(typeof calling.fields.ae).toBe('string');
  });

  it('reads a prefix with no message as the full decoder does, also when the next bare line is its message', async () => {
    const log = path.join(dir, 'blanks.log');
    writeFileSync(
      log,
      [
        'Fri Nov 27 19:36:24 2026 C-Echo',
        'Fri Nov 27 19:36:24 2026 ',
        'Fri Nov 27 19:36:24 2026 C-Echo',
        // `\n***Client Error…` (reference §1.6): the bare line is the message of the blank before it.
        'Fri Nov 27 19:36:25 2026 ',
        '***Client Error: unable to connect',
        'Fri Nov 27 19:36:25 2026 ',
        '',
        'Fri Nov 27 19:36:25 2026 ',
        '  continued?',
        'Fri Nov 27 19:36:26 2026 ',
        'Fri Nov 27 19:36:26 2026 ',
        '20200722 14:03:05 ',
        'Written file: /opt/conquest/data/1/1.2_0001_000001_17958081890000.dcm',
        '20200722 14:03:05 ',
      ].join('\r\n'),
      'latin1',
    );
    const read = async (on: boolean): Promise<LogEvent[]> => {
      const events: LogEvent[] = [];
      await withLane(on, () =>
        readEvents([log], { encoding: 'latin1', analysisLane: { fieldless: new Set(['blank']), writtenKeysOnly: false, needsText: () => false } }, (e) => void events.push(e), () => {}),
      );
      return events;
    };
    const lane = await read(true);
    expect(lane).toEqual(await read(false));
    // The blanks are there, and the one followed by its message became that message.
    expect(lane.filter((e) => e.kind === 'blank').length).toBeGreaterThanOrEqual(6);
    expect(lane.find((e) => e.line === 4)).toMatchObject({ kind: 'error', text: '***Client Error: unable to connect' });
    // And through the engine's own lane (with its shortcuts).
    expect(await withLane(true, () => analyzePaths([log]))).toEqual(await withLane(false, () => analyzePaths([log])));
  });
});
