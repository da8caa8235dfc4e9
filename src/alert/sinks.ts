/**
 * Where alerts go (issue 4, item 5). Only what the user configured receives log content, and
 * `--redact` is applied before any of them sees an alert.
 * - stdout: one text line per alert, or NDJSON with `--json` (notices too, with a `notice` key).
 * - `--exec PROGRAM [--exec-arg ARG]…`: PROGRAM runs once per alert with the alert JSON on its stdin,
 *   never through a shell and never with log text in its arguments.
 * - `--webhook URL`: POSTs the alert JSON, retried with exponential backoff from a bounded queue
 *   that is part of the checkpoint (so it survives restarts) and never stalls the tail.
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import https from 'node:https';
import type { QueuedWebhook } from '../source/checkpoint.js';
import { alertLine, type Alert } from './alerts.js';

export interface Notifier {
  /** A problem for stderr (never log content). */
  problem(message: string): void;
}

// ---------------------------------------------------------------- stdout

export class StdoutSink {
  constructor(
    private readonly json: boolean,
    private readonly out: NodeJS.WritableStream = process.stdout,
  ) {}

  deliver(a: Alert): void {
    this.out.write((this.json ? JSON.stringify(a) : alertLine(a)) + '\n');
  }

  /** Notices (`input-gap`, `summary`, …) are NDJSON lines in --json mode; in text mode they go to stderr. */
  notice(obj: Record<string, unknown> & { notice: string }, text: string): void {
    if (this.json) this.out.write(JSON.stringify(obj) + '\n');
    else process.stderr.write(`cqlog: ${text}\n`);
  }
}

// ---------------------------------------------------------------- exec

/** Longest a program may run for one alert before it is killed. */
export const EXEC_TIMEOUT_MS = 60_000;

export class ExecSink {
  constructor(
    private readonly program: string,
    private readonly args: string[],
    private readonly notify: Notifier,
    private readonly timeoutMs = EXEC_TIMEOUT_MS,
  ) {}

  /** Runs the program with the alert JSON on stdin; resolves when it exits (a failure is reported, not thrown). */
  deliver(a: Alert): Promise<void> {
    return new Promise((resolve) => {
      let settled = false;
      const done = (msg?: string): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (msg) this.notify.problem(`--exec ${this.program}: ${msg} (alert ${a.id.slice(0, 12)})`);
        resolve();
      };
      let child;
      try {
        child = spawn(this.program, this.args, { shell: false, stdio: ['pipe', 'ignore', 'inherit'], windowsHide: true });
      } catch (err) {
        done(`cannot start (${(err as Error).message})`);
        return;
      }
      const timer = setTimeout(() => {
        child.kill();
        done(`did not finish within ${this.timeoutMs / 1000} s; killed`);
      }, this.timeoutMs);
      child.on('error', (err) => done(`cannot start (${err.message})`));
      child.on('close', (code, signal) => done(code === 0 ? undefined : signal ? `ended by ${signal}` : `exited with code ${code}`));
      child.stdin.on('error', () => undefined); // a program that does not read its stdin
      child.stdin.end(JSON.stringify(a) + '\n');
    });
  }
}

// ---------------------------------------------------------------- webhook

export const WEBHOOK_QUEUE_MAX = 1000;
export const WEBHOOK_TIMEOUT_MS = 10_000;
export const BACKOFF_BASE_MS = 1000;
export const BACKOFF_MAX_MS = 5 * 60_000;

export type PostResult = { ok: true } | { ok: false; retry: boolean; why: string };

/** One POST of a JSON body; never through a proxy or shell, redirects not followed. */
export function postJson(url: string, body: string, timeoutMs = WEBHOOK_TIMEOUT_MS): Promise<PostResult> {
  return new Promise((resolve) => {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      resolve({ ok: false, retry: false, why: 'bad URL' });
      return;
    }
    const mod = u.protocol === 'https:' ? https : http;
    const req = mod.request(
      u,
      {
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'user-agent': 'cqlog-tail' },
        timeout: timeoutMs,
      },
      (res) => {
        res.resume();
        res.on('end', () => {
          const code = res.statusCode ?? 0;
          if (code >= 200 && code < 300) resolve({ ok: true });
          // 408/429 and 5xx are worth retrying; other 4xx will not get better.
          else resolve({ ok: false, retry: code >= 500 || code === 408 || code === 429, why: `HTTP ${code}` });
        });
        res.on('error', (err) => resolve({ ok: false, retry: true, why: err.message }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)));
    req.on('error', (err) => resolve({ ok: false, retry: true, why: (err as NodeJS.ErrnoException).code ?? err.message }));
    req.end(body);
  });
}

export function backoffMs(attempts: number): number {
  const d = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempts - 1));
  return Math.round(d * (0.75 + Math.random() * 0.5));
}

/**
 * The webhook queue lives in the state (`queue` is the state's array, changed in place), so a
 * checkpoint saves it. Delivery runs beside the tail, one request at a time, oldest first.
 */
export class WebhookSink {
  private running = false;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  private inflight: Promise<void> | null = null;
  /** Called after a delivery changed the queue (the tail checkpoints soon after). */
  onChange: () => void = () => undefined;

  constructor(
    private readonly url: string,
    private readonly queue: QueuedWebhook[],
    private readonly notify: Notifier,
    private readonly dropped: (n: number) => number,
    private readonly maxQueue = WEBHOOK_QUEUE_MAX,
  ) {}

  get pending(): number {
    return this.queue.length;
  }

  enqueue(a: Alert): void {
    this.queue.push({ alert: a as unknown as Record<string, unknown>, attempts: 0, nextAt: 0 });
    while (this.queue.length > this.maxQueue) {
      // Never the one in flight: it is at the head, and it is dropped only if the queue is full of newer ones.
      this.queue.shift();
      const total = this.dropped(1);
      this.notify.problem(`--webhook queue full (${this.maxQueue}): dropped the oldest alert (${total} dropped so far)`);
    }
    this.kick();
  }

  /** Starts background delivery (long-running mode). */
  start(): void {
    this.running = true;
    this.kick();
  }

  private kick(): void {
    if (!this.running || this.stopped || this.inflight) return;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const head = this.queue[0];
    if (!head) return;
    const wait = head.nextAt - Date.now();
    if (wait > 0) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.kick();
      }, wait);
      this.timer.unref();
      return;
    }
    this.inflight = this.attempt(head).finally(() => {
      this.inflight = null;
      this.kick();
    });
  }

  private async attempt(item: QueuedWebhook): Promise<void> {
    const r = await postJson(this.url, JSON.stringify(item.alert));
    const at = this.queue.indexOf(item);
    if (r.ok) {
      if (at !== -1) this.queue.splice(at, 1);
    } else {
      item.attempts++;
      if (!r.retry) {
        if (at !== -1) this.queue.splice(at, 1);
        this.notify.problem(`--webhook: ${r.why}; alert ${String(item.alert.id).slice(0, 12)} dropped (not retryable)`);
      } else {
        item.nextAt = Date.now() + backoffMs(item.attempts);
        if (item.attempts === 1 || item.attempts % 10 === 0) {
          this.notify.problem(`--webhook: ${r.why}; alert ${String(item.alert.id).slice(0, 12)} retried with backoff (attempt ${item.attempts}, ${this.queue.length} queued)`);
        }
      }
    }
    this.onChange();
  }

  /** `--once`: one attempt for every queued alert, oldest first (backoff is for the long-running mode). */
  async drainOnce(): Promise<void> {
    for (const item of [...this.queue]) {
      if (this.stopped) break;
      await this.attempt(item);
    }
  }

  /** Stops retrying and waits (a bounded time) for a request in flight. */
  async stop(waitMs = 5000): Promise<void> {
    this.stopped = true;
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.inflight) await Promise.race([this.inflight, new Promise((r) => setTimeout(r, waitMs).unref())]);
  }
}
