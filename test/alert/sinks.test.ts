/** `cqlog tail` sinks (issue 4, item 5): webhook with retries and a queue that survives restarts, exec without a shell, --redact. */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ndjson, ROOT, runCli } from '../helpers.js';
import { PlanBuilder, writeSteps } from './scenario.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'cqlog-sinks-'));
const env = { CQLOG_STATE_DIR: path.join(tmp, 'state'), CQLOG_REDACT_KEY: 'r'.repeat(40) };

interface Received {
  id: string;
  kind: string;
  status: number;
}

let server: http.Server;
let url = '';
const received: Received[] = [];
let failNext = 0;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      const a = JSON.parse(body) as { id: string; kind: string };
      const status = failNext > 0 ? 500 : 200;
      if (failNext > 0) failNext--;
      received.push({ id: a.id, kind: a.kind, status });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(tmp, { recursive: true, force: true });
});

function incident(dir: string): { plan: string; b: PlanBuilder; mid: number } {
  const b = new PlanBuilder(dir);
  b.filler(20);
  b.failedMove();
  b.filler(10);
  b.rotate();
  b.filler(10);
  b.refusedPush();
  const mid = b.steps.length;
  b.filler(5);
  b.refusedPush();
  return { plan: b.write(), b, mid };
}

/** The CLI run asynchronously: the webhook server lives in this process and must keep answering. */
function runAsync(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A first run before any line: the state exists, so the rotation that follows is followed. */
function firstRun(dir: string, state: string): void {
  mkdirSync(dir, { recursive: true });
  expect(runCli(['tail', dir, '--once', '--state', state], { env }).code).toBe(0);
}

async function until(what: string, ok: () => boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const delivered = (): Map<string, number> => {
  const m = new Map<string, number>();
  for (const r of received) if (r.status === 200) m.set(r.id, (m.get(r.id) ?? 0) + 1);
  return m;
};

describe('--webhook', () => {
  it('retries with backoff until the server takes the alert, once, and stops cleanly on SIGTERM', async () => {
    const dir = path.join(tmp, 'hook');
    mkdirSync(dir, { recursive: true });
    const state = path.join(tmp, 'hook.json');
    const { plan, mid } = incident(dir);
    firstRun(dir, state);
    received.length = 0;
    failNext = 2;
    const child = spawn(process.execPath, [BIN, 'tail', dir, '--state', state, '--webhook', url, '--from-start'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    writeSteps(plan, 0, mid);
    await until('both findings delivered', () => [...delivered().keys()].length === 2);
    expect(received.filter((r) => r.status === 500)).toHaveLength(2);
    expect(stderr).toMatch(/HTTP 500; alert [0-9a-f]{12} retried with backoff/);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    const st = JSON.parse(readFileSync(state, 'utf8')) as { webhookQueue: unknown[] };
    expect(st.webhookQueue).toEqual([]);
    expect([...delivered().values()]).toEqual([1, 1]);
    expect(new Set(received.map((r) => r.kind))).toEqual(new Set(['phantom-risk', 'collision']));
  });

  it('keeps undelivered alerts in the state across restarts and delivers each once', async () => {
    const dir = path.join(tmp, 'hook2');
    const state = path.join(tmp, 'hook2.json');
    const { plan, b } = incident(dir);
    firstRun(dir, state);
    received.length = 0;
    writeSteps(plan, 0, b.steps.length);
    failNext = 1000;
    const r1 = await runAsync(['tail', dir, '--once', '--state', state, '--webhook', url, '--alert', 'error']);
    expect(r1.code).toBe(0);
    const queued = (JSON.parse(readFileSync(state, 'utf8')) as { webhookQueue: { alert: { id: string } }[] }).webhookQueue;
    expect(queued.length).toBe(2 + 8); // phantom-risk, collision, 8 *** lines
    expect(delivered().size).toBe(0);
    failNext = 0;
    const r2 = await runAsync(['tail', dir, '--once', '--state', state, '--webhook', url, '--alert', 'error']);
    expect(r2.code).toBe(0);
    expect(r2.stdout).toBe(''); // nothing new on stdout: the first run printed the alerts
    const d = delivered();
    expect(new Set(d.keys())).toEqual(new Set(queued.map((q) => q.alert.id)));
    expect([...d.values()].every((n) => n === 1)).toBe(true);
    const r3 = await runAsync(['tail', dir, '--once', '--state', state, '--webhook', url]);
    expect(r3.code).toBe(0);
    expect(delivered()).toEqual(d);
  });
});

describe('--exec', () => {
  it('runs the program without a shell, alert JSON on stdin, no log text in argv; --redact applies to it', () => {
    const dir = path.join(tmp, 'exec');
    const { plan, b } = incident(dir);
    firstRun(dir, path.join(tmp, 'exec.json'));
    writeSteps(plan, 0, b.steps.length);
    const outFile = path.join(tmp, 'exec-out.ndjson');
    const script = path.join(ROOT, 'test', 'fixtures', 'exec-sink.mjs');
    const r = runCli(
      ['tail', dir, '--once', '--json', '--from-start', '--state', path.join(tmp, 'exec.json'), '--exec', process.execPath, '--exec-arg', script, '--exec-arg', outFile, '--redact'],
      { env },
    );
    expect(r.code).toBe(0);
    const printed = ndjson<{ id: string; notice?: string }>(r.stdout).filter((o) => !o.notice);
    const got = ndjson<{ argc: number; alert: { id: string; kind: string } }>(readFileSync(outFile, 'utf8'));
    expect(got.map((g) => g.alert.id)).toEqual(printed.map((p) => p.id));
    expect(got.every((g) => g.argc === 1)).toBe(true);
    expect(new Set(got.map((g) => g.alert.kind))).toEqual(new Set(['phantom-risk', 'collision']));
    const all = readFileSync(outFile, 'utf8') + r.stdout;
    expect(all).not.toMatch(/12345678/);
    expect(all).not.toMatch(/123456782/);
    expect(all).toMatch(/P-[0-9a-f]{8}/);
  });

  it('reports a program that cannot start and goes on', () => {
    const dir = path.join(tmp, 'exec-bad');
    const { plan, b } = incident(dir);
    firstRun(dir, path.join(tmp, 'exec-bad.json'));
    writeSteps(plan, 0, b.steps.length);
    const r = runCli(['tail', dir, '--once', '--json', '--from-start', '--state', path.join(tmp, 'exec-bad.json'), '--exec', path.join(tmp, 'no-such-program')], { env });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/--exec .*cannot start/);
    expect(ndjson<{ notice?: string }>(r.stdout).filter((o) => !o.notice)).toHaveLength(2);
  });
});
