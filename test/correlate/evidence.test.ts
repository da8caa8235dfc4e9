import { describe, expect, it } from 'vitest';
import { isTroubleCopy, serverOf } from '../../src/correlate/evidence.js';

describe('server and copy identity of a source', () => {
  it('puts a folder\'s archives and live logs on one server, also for the current folder', () => {
    expect(serverOf('logs/logs_20261126.zip!serverstatus.log')).toBe(serverOf('serverstatus.log'));
    expect(serverOf('samples/incident/logs/logs_20261126.zip!serverstatus.log')).toBe('samples/incident');
    expect(serverOf('D:/conquest/logs/logs_1.zip!PacsTrouble.log')).toBe(serverOf('D:/conquest/serverstatus.log'));
    expect(serverOf('a/serverstatus.log')).not.toBe(serverOf('b/serverstatus.log'));
  });
  it('knows PacsTrouble.log and the GUI log hold copies of *** lines', () => {
    expect(isTroubleCopy('x/logs/logs_1.zip!PacsTrouble.log')).toBe(true);
    expect(isTroubleCopy('x/conquestdicomserver.log')).toBe(true);
    expect(isTroubleCopy('x/serverstatus.log')).toBe(false);
  });
});
