/** Which association a store line goes to, as associations come and go between lines of one folder. */
import { describe, expect, it } from 'vitest';
import { AssociationTracker } from '../../src/correlate/associations.js';
import { DEFAULT_CONFIG } from '../../src/correlate/config.js';
import { eventsOf, LogBuilder } from './logBuilder.js';
import { rng } from '../../src/common/rng.js'; // seeded, so a failing sequence can be replayed

const CT = '1.2.840.10008.5.1.4.1.1.2';
const MOVE = '1.2.840.10008.5.1.4.1.2.1.2';

/** Thread and attribution of every `Written file` line, in order. */
function storeAttributions(text: string): string[] {
  const tracker = new AssociationTracker(DEFAULT_CONFIG);
  const out: string[] = [];
  for (const e of eventsOf('router/serverstatus.log', text)) {
    const at = tracker.push(e);
    if (e.kind === 'written-file') out.push(`${at.assoc?.thread ?? '-'} ${at.how}`);
  }
  return out;
}

describe('AssociationTracker, store lines', () => {
  it('answers each Written file anew when an association starts, ends or changes role between lines of one folder', () => {
    const b = new LogBuilder(0).at('2026-11-26T16:42:00');
    const written = (folder: string, image: number): void => {
      b.line(`Written file: /opt/conquest/data/${b.fileName(folder, '1.2.3.9', image)}`);
    };
    const t0 = b.start('CT01', [CT]);
    written('F1', 1);
    written('F1', 2); // the same answer again: only thread 0 stores
    const t1 = b.start('CT02', [CT]);
    written('F1', 3); // two pushes now: thread 0 last wrote F1
    written('F1', 4);
    written('F2', 1); // nobody wrote F2: the log cannot decide
    written('F2', 2); // thread 0 took the last line, F2 is now its folder
    b.end(t0);
    written('F2', 3); // thread 0 has ended: only thread 1 is left
    written('F2', 4);
    b.end(t1);
    written('F2', 5); // nobody is storing
    expect(storeAttributions(b.text())).toEqual(['0 role', '0 role', '0 key', '0 key', '0 ambiguous', '0 key', '1 role', '1 role', '- none']);
  });

  it('counts an association serving a move among the storing ones again once its move is done', () => {
    const b = new LogBuilder(0).at('2026-11-26T16:42:00');
    const written = (image: number): void => {
      b.line(`Written file: /opt/conquest/data/${b.fileName('F1', '1.2.3.9', image)}`);
    };
    b.start('WS1', [CT, MOVE]); // thread 0: may store and move
    b.start('CT02', [CT]); // thread 1: stores
    b.line('\tC-Move Destination: "WS2 "'); // thread 0 now serves a move
    written(1); // only thread 1 stores meanwhile
    b.line(`Sending file : /opt/conquest/data/${b.fileName('F9', '1.2.3.8')}`);
    written(2);
    b.line('C-Move (PatientRoot)'); // the move is done: thread 0 may store again
    written(3); // two storing associations; thread 1 last wrote F1
    expect(storeAttributions(b.text())).toEqual(['1 role', '1 role', '1 key']);
  });
});

/**
 * The store attribution rule, computed from the open associations alone (no kept answers): the
 * only storing association; else the only one that last wrote the folder; else the most recent
 * storing one; with none storing, the most recent association serving a move.
 */
function expectedStore(tracker: AssociationTracker, server: string, folder: string | null): string {
  const open = tracker.openAssociations().filter((x) => x.server === server);
  const storing = open.filter((x) => x.canStore && !(x.move && !x.move.done));
  const newest = (xs: typeof open): (typeof open)[number] => xs.reduce((p, c) => (c.seq > p.seq ? c : p));
  if (storing.length === 1) return `${storing[0]!.key} role`;
  if (storing.length > 1) {
    const writers = storing.filter((x) => folder !== null && x.lastFolder === folder);
    return writers.length === 1 ? `${writers[0]!.key} key` : `${newest(storing).key} ambiguous`;
  }
  const moving = open.filter((x) => x.move !== null && !x.move.done);
  if (moving.length === 0) return '- none';
  return `${newest(moving).key} ${moving.length === 1 ? 'role' : 'ambiguous'}`;
}

/** A random router log: pushes, moves and queries coming and going, interleaving store lines of a few folders with the lines of moves. */
function randomRouterLog(seed: number, steps: number): string {
  const r = rng(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)]!;
  const b = new LogBuilder(0).at('2026-11-26T16:42:00');
  const open: { n: number; moving: boolean }[] = [];
  const folders = ['F1', 'F2', 'F3', 'F4'];
  let image = 0;
  for (let i = 0; i < steps; i++) {
    const x = r();
    if (x < 0.08 && open.length < 5) {
      const ctx = pick([[CT], [CT], [CT, MOVE], [MOVE], ['1.2.840.10008.5.1.4.1.2.1.1']]);
      open.push({ n: b.start(pick(['CT01', 'MR02', 'WS1']), ctx), moving: false });
    } else if (x < 0.13 && open.length > 0) {
      const k = Math.floor(r() * open.length);
      b.end(open[k]!.n);
      open.splice(k, 1);
    } else if (x < 0.16) {
      b.line(`\tC-Move Destination: "${pick(['WS2', 'WS3'])} "`);
    } else if (x < 0.18) {
      b.line('C-Move (PatientRoot)');
    } else if (x < 0.2) {
      b.tick(r() < 0.5 ? 1 : 120);
    } else if (x < 0.26) {
      b.line(`Sending file : /opt/conquest/data/${b.fileName(pick(folders), '1.2.3.11', ++image)}`);
    } else if (x < 0.27) {
      // A move's outcome other than sent: with two such moves active, a Sending file is ambiguous.
      b.line(`Host '${pick(['WS2', 'WS3'])}' did not accept the connection`);
    } else {
      const verb = r() < 0.95 ? 'Written' : 'Rewritten';
      b.line(`${verb} file: /opt/conquest/data/${b.fileName(pick(folders), pick(['1.2.3.9', '1.2.3.10']), ++image)}`);
    }
  }
  return b.text();
}

describe('AssociationTracker, kept store answers', () => {
  it('gives every store line the answer the rule computes from the open associations, over random interleavings', () => {
    let storeLines = 0;
    let sendingTaken = 0;
    const seen = new Set<string>();
    for (let seed = 1; seed <= 40; seed++) {
      const events = eventsOf('router/serverstatus.log', randomRouterLog(seed, 600));
      // `pushed` takes every event through push; `taken` takes the Written and Sending files as the
      // analysis lane's shortcuts do (attributeStore, the kind of answer not read; sendingFile). Both
      // must end alike.
      const pushed = new AssociationTracker(DEFAULT_CONFIG);
      const taken = new AssociationTracker(DEFAULT_CONFIG);
      for (const e of events) {
        const store = e.kind === 'written-file' || e.kind === 'rewritten-file';
        const folder = typeof e.fields.patientFolder === 'string' ? e.fields.patientFolder : null;
        if (!store) {
          pushed.push(e);
          // The lane's shortcut takes a Sending file no pending move waits for.
          if (e.kind === 'sending-file' && taken.sendingFile('router', e.time)) sendingTaken++;
          else taken.push(e);
          continue;
        }
        storeLines++;
        const want = expectedStore(pushed, 'router', folder);
        const wantTaken = expectedStore(taken, 'router', folder).split(' ')[0];
        seen.add(want.split(' ')[1]!);
        const at = pushed.push(e);
        expect(`${at.assoc?.key ?? '-'} ${at.how}`, `seed ${seed}, line ${e.line}`).toBe(want);
        const got = taken.attributeStore('router', folder, e.kind, e.time, false);
        expect(got.assoc?.key ?? '-', `seed ${seed}, line ${e.line} (shortcut)`).toBe(wantTaken);
      }
      expect(JSON.stringify(taken.snapshot()), `seed ${seed}`).toBe(JSON.stringify(pushed.snapshot()));
    }
    // The sequences did exercise every kind of answer.
    expect(storeLines).toBeGreaterThan(10_000);
    expect(sendingTaken).toBeGreaterThan(500);
    expect([...seen].sort()).toEqual(['ambiguous', 'key', 'none', 'role']);
  });

  it('knows while a move on a server still waits for its outcome (its next Sending file may be cited)', () => {
    const b = new LogBuilder(0).at('2026-11-26T16:42:00');
    const pending: string[] = [];
    const at = (label: string): void => {
      b.line(`Comment ${label}`);
    };
    at('before');
    const t0 = b.start('WS1', [MOVE]);
    b.line('\tC-Move Destination: "WS2 "');
    at('requested');
    b.line('Number of images to send: 2');
    at('counted');
    b.line(`Sending file : /opt/conquest/data/${b.fileName('F9', '1.2.3.8')}`);
    at('sent');
    b.line('C-Move (PatientRoot)');
    b.end(t0);
    // A move line outside any association: an orphan move, pending too.
    b.line('\tC-Move Destination: "WS3 "');
    at('orphan');
    b.line(`Sending file : /opt/conquest/data/${b.fileName('F9', '1.2.3.8', 2)}`);
    at('orphanSent');
    const tracker = new AssociationTracker(DEFAULT_CONFIG);
    for (const e of eventsOf('router/serverstatus.log', b.text())) {
      tracker.push(e);
      const label = /^Comment (\w+)/.exec(e.text)?.[1];
      if (label) pending.push(`${label} ${tracker.hasPendingMove('router')} ${tracker.hasPendingMove('other')}`);
    }
    expect(pending).toEqual(['before false false', 'requested true false', 'counted true false', 'sent false false', 'orphan true false', 'orphanSent false false']);
  });
});
