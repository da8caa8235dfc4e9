/** The `events` view: one row per stored event, with the structured columns issue 5 asks for. */
import { afterEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { indexPaths } from '../../src/store/ingest.js';
import { openStore, type DB } from '../../src/store/schema.js';
import { generate } from '../../src/tools/generate-big.js';
import { chunkEdgeLog, REAL, SAMPLES } from '../helpers.js';
import { readEvents } from '../../src/pipeline/readEvents.js';
import type { LogEvent } from '../../src/parse/event.js';
import { eventRows, tmp } from './helpers.js';
import { IndexAnalysis } from '../../src/store/findings.js';

const open: DB[] = [];
function db(): DB {
  const d = openStore(path.join(tmp(), 'i.sqlite'));
  open.push(d);
  return d;
}
afterEach(() => {
  for (const d of open.splice(0)) if (d.open) d.close();
});

async function generated(size: number, seed: number, format: 'linux' | 'windows' = 'linux'): Promise<string> {
  const chunks: Buffer[] = [];
  await generate({ size, seed, format, incident: true }, (c) => void chunks.push(c));
  const file = path.join(tmp(), 'serverstatus.log');
  writeFileSync(file, Buffer.concat(chunks));
  return file;
}

describe('the events view', () => {
  const inputs: [string, () => Promise<string[]>][] = [
    ['the genuine logs', async () => ['s1-normal-push', 's2-virtual-move-ok', 's4b-unknown-ae-debug', 's6-zip-rotation'].map((d) => path.join(REAL, d, 'router'))],
    ['the bundled incident', async () => [path.join(SAMPLES, 'incident')]],
    ['the prefix samples', async () => [path.join(SAMPLES, 'prefixes')]],
    ['a generated log', async () => [await generated(1_500_000, 31)]],
    [
      'object paths the byte reader leaves to the catalog',
      async () => {
        const file = path.join(tmp(), 'serverstatus.log');
        const lines = [
          '20241126 10:00:00 Written file: D:\\data\\P123\\1.2.3.4\\1.2.3.4.5\\1.2.3.4.5.6.dcm',
          '20241126 10:00:01 Written file: D:\\data\\P124\\1.2.3_0001_000001_17324460000000.dcm ',
          '20241126 10:00:02 Sending file : D:\\data\\P125\\1.2.3_0001_000001_17324460000001.dcm',
          '20241126 10:00:03 Sending file: 1.2.3_0001_000001_17324460000002.dcm',
        ];
        writeFileSync(file, lines.join('\r\n') + '\r\n', 'latin1');
        return [file];
      },
    ],
    [
      'dates the calendar does not have',
      async () => {
        const file = path.join(tmp(), 'serverstatus.log');
        const lines = ['20241399 10:00:00 Accepted compression: j2', '00000000 00:00:00 Accepted compression: j2', '00990101 00:00:00 C-Echo', '20241126 10:00:00 C-Echo'];
        writeFileSync(file, lines.join('\r\n') + '\r\n', 'latin1');
        return [file];
      },
    ],
    ['a generated Windows log', async () => [await generated(500_000, 32, 'windows')]],
  ];
  for (const [name, paths] of inputs) {
    for (const lane of ['byte lane', 'full parser'] as const) {
      it(`has one row per stored event, with its time, kind, patient, study and series, on ${name} (${lane})`, async () => {
        const d = db();
        // With onEvent (as `cqlog index` runs the findings) every line takes the full parser.
        await indexPaths(d, await paths(), lane === 'full parser' ? { onEvent: () => {} } : {});
        const { view, expected } = eventRows(d);
        expect(view.length).toBeGreaterThan(0);
        expect(view).toEqual(expected);
      });
    }
  }

  for (const [name, x] of [['a NUL', '\u0000'], ['a CR', '\r']] as const) {
    it(`stores a line with ${name} at a read-chunk edge as the full parser reads it`, async () => {
      const file = path.join(tmp(), 'serverstatus.log');
      writeFileSync(file, chunkEdgeLog(x));
      const d = db();
      await indexPaths(d, [file]);
      const { view, expected } = eventRows(d);
      expect(view).toEqual(expected);
      const old = process.env.CQLOG_NO_FAST_LANE;
      process.env.CQLOG_NO_FAST_LANE = '1';
      const full: LogEvent[] = [];
      try {
        await readEvents([file], { encoding: 'latin1' }, (e) => void full.push(e), () => {});
      } finally {
        if (old === undefined) delete process.env.CQLOG_NO_FAST_LANE;
        else process.env.CQLOG_NO_FAST_LANE = old;
      }
      const key = (e: { line: number; kind: string; patient: string | null }): string => `${e.line} ${e.kind} ${e.patient}`;
      const fromFull = full.map((e) => key({ line: e.line, kind: e.kind, patient: typeof e.fields.patientFolder === 'string' ? e.fields.patientFolder : null }));
      expect(view.map(key)).toEqual(fromFull);
    });
  }

  it('names the association of each event: thread, calling and called AE, move destination', async () => {
    const d = db();
    await indexPaths(d, [path.join(SAMPLES, 'incident')]);
    const rows = d.prepare("SELECT line, kind, thread, calling_ae, called_ae, move_destination, patient FROM events WHERE source LIKE '%incident/serverstatus.log' ORDER BY line").all() as {
      line: number;
      kind: string;
      thread: number | null;
      calling_ae: string | null;
      called_ae: string | null;
      move_destination: string | null;
      patient: string | null;
    }[];
    // The refused pushes came from CT01 to ROUTER; the failed retrieve's refusal inside a move names its destination.
    const refused = rows.filter((r) => r.kind === 'refused-link');
    expect(refused.length).toBeGreaterThan(2);
    expect(refused.filter((r) => r.move_destination === null).every((r) => r.calling_ae === 'CT01' && r.called_ae === 'ROUTER' && r.patient === '12345678')).toBe(true);
    const starts = rows.filter((r) => r.kind === 'thread-start');
    expect(starts.every((r) => typeof r.thread === 'number')).toBe(true);
    // Every event between a thread's start and its end carries that thread (the sample's associations do not overlap).
    for (const s of starts) {
      const end = rows.find((r) => r.line > s.line && r.kind === 'thread-runtime' && r.thread === s.thread);
      expect(end).toBeDefined();
      expect(rows.filter((r) => r.line >= s.line && r.line <= end!.line).every((r) => r.thread === s.thread && r.calling_ae === s.calling_ae)).toBe(true);
    }
    const moves = rows.filter((r) => r.kind === 'move-destination');
    expect(moves.length).toBeGreaterThan(0);
    expect(moves.every((r) => r.move_destination !== null)).toBe(true);
  });

  it('is plain SQL: filters, counts and joins work from any SQLite client', async () => {
    const d = db();
    await indexPaths(d, [path.join(SAMPLES, 'incident')]);
    const perKind = d.prepare("SELECT kind, count(*) AS n FROM events WHERE patient = '12345678' GROUP BY kind ORDER BY kind").all() as { kind: string; n: number }[];
    expect(perKind.map((r) => r.kind)).toContain('refused-link');
    const sqlSide = d.prepare("SELECT count(*) AS n FROM events WHERE kind = 'written-file' AND time >= '2026-11-27'").get() as { n: number };
    const { expected } = eventRows(d);
    expect(sqlSide.n).toBe(expected.filter((e) => e.kind === 'written-file' && (e.time ?? '') >= '2026-11-27').length);
  });
});

describe('the findings of `cqlog index` through the byte lane', () => {
  async function indexWithFindings(paths: string[], lane: boolean): Promise<Record<string, unknown>> {
    const old = process.env.CQLOG_NO_FAST_LANE;
    if (lane) delete process.env.CQLOG_NO_FAST_LANE;
    else process.env.CQLOG_NO_FAST_LANE = '1';
    try {
      const d = db();
      const analysis = new IndexAnalysis(d);
      await indexPaths(d, paths, { onEvent: analysis.onEvent, onConfig: analysis.onConfig, analysisLane: analysis.lane });
      const found = analysis.finish();
      const all = (q: string): unknown[] => d.prepare(q).pluck().all();
      return {
        found,
        collisions: all('SELECT json FROM collisions ORDER BY id'),
        warnings: all('SELECT json FROM warnings ORDER BY id'),
        events: all('SELECT j FROM block_events ORDER BY id'),
        view: eventRows(d),
      };
    } finally {
      if (old === undefined) delete process.env.CQLOG_NO_FAST_LANE;
      else process.env.CQLOG_NO_FAST_LANE = old;
    }
  }

  it('stores the same collisions, warnings and events as the full parser', async () => {
    const paths = [path.join(SAMPLES, 'incident'), await generated(1_500_000, 41), ...['s2-virtual-move-ok', 's6-zip-rotation'].map((x) => path.join(REAL, x, 'router'))];
    const lane = await indexWithFindings(paths, true);
    expect((lane.found as { collisions: number }).collisions).toBeGreaterThan(0);
    expect((lane.found as { warnings: number }).warnings).toBeGreaterThan(0);
    expect(lane).toEqual(await indexWithFindings(paths, false));
  });
});
