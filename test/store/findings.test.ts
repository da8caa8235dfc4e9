import { afterEach, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { indexPaths } from '../../src/store/ingest.js';
import { findCollisions, IndexAnalysis } from '../../src/store/findings.js';
import { openStore, type DB } from '../../src/store/schema.js';
import { BSN, HOSPITAL_ID, LogBuilder } from '../correlate/logBuilder.js';
import { tmp } from './helpers.js';

const open: DB[] = [];
afterEach(() => {
  for (const d of open.splice(0)) if (d.open) d.close();
});

/** Indexes the paths with the findings pass, as `cqlog index` does, and returns the stored collisions. */
async function indexed(file: string, paths: string[]): Promise<{ cause: string }[]> {
  const db = openStore(file);
  open.push(db);
  const analysis = new IndexAnalysis(db);
  await indexPaths(db, paths, { encoding: 'latin1', onEvent: analysis.onEvent, analysisLane: analysis.lane, onConfig: analysis.onConfig });
  analysis.finish();
  return findCollisions(db) as { cause: string }[];
}

describe('stored findings', () => {
  it("another install indexed alongside (its own live log) cannot explain the router's refusal, in this run and the next", async () => {
    const dir = tmp();
    const router = new LogBuilder(0).at('2026-11-26T16:42:00');
    router.failedMove('WS1', 'WS2', 2);
    router.at('2026-11-27T09:14:00').refusedPush('CT01', HOSPITAL_ID, BSN, 1);
    const upstream = new LogBuilder(0).at('2026-11-20T10:00:00').push('CT02', BSN, 2);
    for (const [name, b] of [['mainpacs', upstream], ['router', router]] as const) {
      mkdirSync(path.join(dir, name));
      writeFileSync(path.join(dir, name, 'serverstatus.log'), b.text(), 'latin1');
    }
    writeFileSync(path.join(dir, 'router', 'dicom.ini'), '[sscscp]\nMyACRNema = ROUTER\nVirtualServerFor0 = MAINPACS\n');
    const file = path.join(tmp(), 'i.sqlite');
    const first = await indexed(file, [path.join(dir, 'mainpacs'), path.join(dir, 'router')]);
    expect(first.map((c) => c.cause)).toEqual(['phantom-from-failed-retrieve']);
    open.splice(0).forEach((d) => d.close());
    // The next run starts from the stored engine state: it still knows both installs.
    writeFileSync(path.join(dir, 'router', 'serverstatus.log'), router.tick(60).line('UPACS THREAD 99: STARTED AT: x').text(), 'latin1');
    const again = await indexed(file, [path.join(dir, 'router')]);
    expect(again.map((c) => c.cause)).toEqual(['phantom-from-failed-retrieve']);
  });

  it('a live log replaced by the next day\'s (after its zip) is a new reading: its lower line numbers do not come first', async () => {
    const dir = tmp();
    const day1 = new LogBuilder(0).at('2026-11-26T16:42:00');
    for (let i = 0; i < 20; i++) day1.line('Server command: 12');
    day1.failedMove('WS1', 'WS2', 2);
    writeFileSync(path.join(dir, 'serverstatus.log'), day1.text(), 'latin1');
    writeFileSync(path.join(dir, 'dicom.ini'), '[sscscp]\nMyACRNema = ROUTER\nVirtualServerFor0 = MAINPACS\n');
    const file = path.join(tmp(), 'i.sqlite');
    expect(await indexed(file, [dir])).toEqual([]);
    open.splice(0).forEach((d) => d.close());
    const day2 = new LogBuilder(0).at('2026-11-27T09:14:00').refusedPush('CT01', HOSPITAL_ID, BSN, 1);
    writeFileSync(path.join(dir, 'serverstatus.log'), day2.text(), 'latin1');
    expect((await indexed(file, [dir])).map((c) => c.cause)).toEqual(['phantom-from-failed-retrieve']);
  });
});
