/** Which association a store line goes to, as associations come and go between lines of one folder. */
import { describe, expect, it } from 'vitest';
import { AssociationTracker } from '../../src/correlate/associations.js';
import { DEFAULT_CONFIG } from '../../src/correlate/config.js';
import { eventsOf, LogBuilder } from './logBuilder.js';

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
