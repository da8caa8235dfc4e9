/** The big-log generator: parses with no unknown kinds, is deterministic per seed, plants one incident. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generate, INCIDENT, parseSize, type GenerateOptions } from '../../src/tools/generate-big.js';
import { EventAssembler } from '../../src/parse/assemble.js';
import type { LogEvent } from '../../src/parse/event.js';
import { ndjson, runCli } from '../helpers.js';

async function gen(opts: GenerateOptions): Promise<{ buf: Buffer; result: Awaited<ReturnType<typeof generate>> }> {
  const parts: Buffer[] = [];
  const result = await generate(opts, (b) => {
    parts.push(Buffer.from(b));
  });
  return { buf: Buffer.concat(parts), result };
}

function events(text: string): LogEvent[] {
  const out: LogEvent[] = [];
  const a = new EventAssembler('gen', {}, (e) => out.push(e), () => {});
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  lines.forEach((l, i) => a.line(l.endsWith('\r') ? l.slice(0, -1) : l, 0, i + 1));
  a.end();
  return out;
}

const tmp = mkdtempSync(path.join(os.tmpdir(), 'cqlog-gen-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('generate-big', () => {
  it('parses sizes', () => {
    expect(parseSize('100MB')).toBe(100 * 2 ** 20);
    expect(parseSize('1GB')).toBe(2 ** 30);
    expect(parseSize('4gb')).toBe(4 * 2 ** 30);
    expect(parseSize('512KB')).toBe(512 * 1024);
    expect(parseSize('1234')).toBe(1234);
    expect(() => parseSize('lots')).toThrow();
  });

  it('is deterministic for a seed and differs between seeds', async () => {
    const a = await gen({ size: 300_000, seed: 3 });
    const b = await gen({ size: 300_000, seed: 3 });
    const c = await gen({ size: 300_000, seed: 4 });
    expect(a.buf.equals(b.buf)).toBe(true);
    expect(a.buf.equals(c.buf)).toBe(false);
    expect(a.result.bytes).toBe(a.buf.length);
    expect(a.buf.length).toBeGreaterThanOrEqual(300_000);
  });

  it('writes Linux ctime lines with LF that all parse to specific kinds', async () => {
    const { buf, result } = await gen({ size: 400_000, seed: 11 });
    const text = buf.toString('latin1');
    expect(text).not.toContain('\r');
    expect(text.split('\n')[0]).toMatch(/^[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4} DGATE \(/);
    const ev = events(text);
    expect(ev.length).toBe(result.lines);
    expect(ev.filter((e) => e.kind === 'unknown' || e.kind === 'error').map((e) => e.text)).toEqual([]);
    expect(ev.every((e) => e.time !== null)).toBe(true);
    const kinds = new Set(ev.map((e) => e.kind));
    for (const k of ['thread-start', 'calling-ae', 'written-file', 'move-destination', 'images-to-send', 'sending-file', 'move-done', 'query-level', 'find-done', 'c-echo', 'virtual-collecting', 'virtual-grabbed']) {
      expect(kinds, k).toContain(k);
    }
    // No collision without --incident.
    expect(kinds.has('refused-link')).toBe(false);
    expect(text).not.toContain(INCIDENT.bsn);
  });

  it('interleaves association threads', async () => {
    const { buf } = await gen({ size: 400_000, seed: 5 });
    let open = 0;
    let maxOpen = 0;
    for (const l of buf.toString('latin1').split('\n')) {
      if (/UPACS THREAD \d+: STARTED AT/.test(l)) maxOpen = Math.max(maxOpen, ++open);
      else if (/UPACS THREAD \d+: ENDED AT/.test(l)) open--;
    }
    expect(open).toBe(0);
    expect(maxOpen).toBeGreaterThan(2);
  });

  it('gives syntax-4 file names whose time token is the log clock', async () => {
    const { buf } = await gen({ size: 200_000, seed: 2 });
    const written = events(buf.toString('latin1')).filter((e) => e.kind === 'written-file');
    expect(written.length).toBeGreaterThan(10);
    for (const e of written) {
      const m = /^Written file: \/opt\/conquest\/data\/(\d{8})\/([0-9.]+)_(\d{4,})_(\d{6})_(\d{10})([0-9a-f]{4})\.dcm$/.exec(e.text);
      expect(m, e.text).not.toBeNull();
      const token = new Date(Number(m![5]) * 1000).toISOString().slice(0, 19);
      // Collected objects keep the name made at query time, a few seconds before they are written.
      expect(token <= e.time!).toBe(true);
      expect(Date.parse(e.time! + 'Z') - Date.parse(token + 'Z')).toBeLessThan(3600_000);
    }
  });

  it('writes the Windows shape with CRLF and backslash paths', async () => {
    const { buf } = await gen({ size: 200_000, seed: 9, format: 'windows' });
    const text = buf.toString('latin1');
    const lines = text.split('\r\n');
    expect(lines.pop()).toBe('');
    expect(lines.every((l) => /^\d{8} \d\d:\d\d:\d\d /.test(l) && !l.includes('\n'))).toBe(true);
    expect(text).toMatch(/Written file: D:\\conquest\\data\\\d{8}\\/);
    expect(events(text).filter((e) => e.kind === 'unknown')).toEqual([]);
  });

  it('plants exactly one incident with --incident', async () => {
    const { buf, result } = await gen({ size: 600_000, seed: 1, incident: true });
    const ev = events(buf.toString('latin1'));
    expect(ev.filter((e) => e.kind === 'unknown')).toEqual([]);
    const refused = ev.filter((e) => e.kind === 'refused-link');
    expect(refused).toHaveLength(5); // 2 objects x (push + retry) + the refused move
    for (const r of refused) expect(r.fields).toMatchObject({ old: INCIDENT.bsn, refused: INCIDENT.patientId });
    expect(ev.filter((e) => e.kind === 'sql-save-error')).toHaveLength(4);
    expect(ev.filter((e) => e.kind === 'virtual-db-problem')).toHaveLength(1);
    const toWs2 = ev.filter((e) => e.kind === 'host-refused' && e.fields.host === INCIDENT.wrongDest);
    expect(toWs2).toHaveLength(1);
    expect(result.incident).toBeDefined();
    expect(toWs2[0]!.time).toBe(result.incident!.failedMoveAt);
    expect(refused[0]!.time).toBe(result.incident!.firstRefusalAt);
    expect(result.incident!.failedMoveAt < result.incident!.firstRefusalAt).toBe(true);
    // The BSN itself never appears outside the refusals (virtual rows are debug-only).
    const withBsn = buf
      .toString('latin1')
      .split('\n')
      .filter((l) => l.includes(INCIDENT.bsn));
    expect(withBsn.every((l) => l.includes('***Refused'))).toBe(true);
  });

  it('parses through the CLI with no unknown lines', async () => {
    const { buf } = await gen({ size: 300_000, seed: 21, incident: true });
    const file = path.join(tmp, 'big.log');
    writeFileSync(file, buf);
    const r = runCli(['stats', file, '--json']);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout) as { lines: number; unknown: number; byKind: Record<string, number> };
    expect(s.unknown).toBe(0);
    expect(s.byKind['refused-link']).toBe(5);
    const refused = ndjson<{ kind: string }>(runCli(['events', file, '--json', '--kind', 'refused-link']).stdout);
    expect(refused).toHaveLength(5);
  });
});
