/**
 * The tail loop (issue 4): follows serverstatus.log across rotations (src/source/follow.ts), turns
 * its lines into events (EventAssembler), feeds the forensic engine, raises alerts, hands them to
 * the sinks and checkpoints everything (src/source/checkpoint.ts).
 *
 * One serial loop does all the work; chokidar, the periodic check timer, the settle timer and the
 * stop signals only wake it, so a checkpoint always sees a consistent state.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import { EventAssembler } from '../parse/assemble.js';
import { formatProblem, type InputProblem, type LogEvent } from '../parse/event.js';
import { Redactor } from '../report/redact.js';
import { parseDicomIni } from '../source/ini.js';
import { defaultStateFile, loadState, newState, rememberSent, saveState, type PendingLine, type TailState } from '../source/checkpoint.js';
import { Follower, type FollowSink, type FollowTarget, type GapNotice } from '../source/follow.js';
import { joinDisplay } from '../source/resolve.js';
import { displayName, type ConquestConfig } from '../source/types.js';
import { alertsFor, redactAlert, RepeatCounter, type Alert, type OptionalKind } from './alerts.js';
import { createForensics, type Forensics } from './forensics.js';
import { ExecSink, StdoutSink, WebhookSink, type Notifier } from './sinks.js';

export interface TailOptions {
  json: boolean;
  stateFile?: string;
  fromStart: boolean;
  once: boolean;
  /** `--poll MS`: pure polling at this interval (no file-system events), for network shares. */
  pollMs?: number;
  /** Periodic identity/size check when chokidar is used (default 1000 ms). */
  intervalMs?: number;
  /** Quiet time after which an event still open in the assembler is emitted (default 150 ms). */
  settleMs?: number;
  /** Least time between two checkpoints without alerts (default 1000 ms). */
  checkpointMs?: number;
  webhook?: string;
  exec?: { program: string; args: string[] };
  alert: ReadonlySet<OptionalKind>;
  redact: boolean;
  encoding: 'latin1' | 'utf8';
  quiet: boolean;
  out?: NodeJS.WritableStream;
}

export interface ResolvedTarget extends FollowTarget {
  ini: string | null;
}

/** A Conquest folder (its serverstatus.log) or a log file, which need not exist yet. */
export async function resolveTarget(given: string): Promise<ResolvedTarget> {
  let isDir = false;
  try {
    isDir = (await fsp.stat(given)).isDirectory();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' || !/\.log$/i.test(given)) throw new Error(`${displayName(given)}: ${code === 'ENOENT' ? 'no such file or folder' : `cannot read (${code ?? String(err)})`}`);
  }
  let dir: string;
  let dirDisplay: string;
  let file: string;
  let display: string;
  const find = async (d: string, name: string): Promise<string | null> => {
    try {
      return (await fsp.readdir(d)).find((n) => n.toLowerCase() === name) ?? null;
    } catch {
      return null;
    }
  };
  if (isDir) {
    dir = given;
    dirDisplay = given;
    const name = (await find(dir, 'serverstatus.log')) ?? 'serverstatus.log';
    file = path.join(dir, name);
    display = joinDisplay(given, name);
  } else {
    dir = path.dirname(given);
    dirDisplay = dir;
    file = given;
    display = displayName(given);
  }
  const iniName = await find(dir, 'dicom.ini');
  return { abs: path.resolve(file), display, dir: path.resolve(dir), dirDisplay, ini: iniName ? path.join(dir, iniName) : null };
}

const now = (): number => Date.now();

export class TailRunner {
  private state!: TailState;
  private stateFile!: string;
  private follower!: Follower;
  private forensics!: Forensics;
  private assembler!: EventAssembler;
  private repeats!: RepeatCounter;
  private sent = new Set<string>();
  private outbox: Alert[] = [];
  private outboxIds = new Set<string>();
  private emitted = false;
  private currentSource = '';
  private redactor: Redactor | null = null;
  private stdout: StdoutSink;
  private exec: ExecSink | null = null;
  private webhook: WebhookSink | null = null;
  private watcher: FSWatcher | null = null;
  private stopping = false;
  private woken = false;
  private wakeUp: (() => void) | null = null;
  private dirty = false;
  private lastSave = 0;
  private settleAt: number | null = null;
  /** Lines and alerts of this run (the state counts over its whole life). */
  private thisRun = { lines: 0, events: 0, alerts: 0, gaps: 0 };
  private readonly notifier: Notifier;

  constructor(
    private readonly target: ResolvedTarget,
    private readonly opts: TailOptions,
  ) {
    this.stdout = new StdoutSink(opts.json, opts.out ?? process.stdout);
    this.notifier = { problem: (m) => this.problem(m) };
  }

  private problem(message: string): void {
    if (!this.opts.quiet) process.stderr.write(`cqlog: ${message}\n`);
  }

  private inputProblem(p: InputProblem): void {
    if (!this.opts.quiet) process.stderr.write(formatProblem(p) + '\n');
  }

  /** Asks the loop to finish: the state is flushed and run() resolves. */
  stop(): void {
    this.stopping = true;
    this.wake();
  }

  private wake(): void {
    this.woken = true;
    const w = this.wakeUp;
    this.wakeUp = null;
    if (w) w();
  }

  private wait(ms: number): Promise<void> {
    if (this.woken || this.stopping) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        this.wakeUp = null;
        resolve();
      }, Math.max(0, ms));
      this.wakeUp = () => {
        clearTimeout(t);
        resolve();
      };
    }).then(() => {
      this.woken = false;
    });
  }

  private newAssembler(): EventAssembler {
    return new EventAssembler(this.target.display, {}, (e) => this.onEvent(e), (p) => this.inputProblem(p));
  }

  private decode(raw: string): string {
    return this.opts.encoding === 'utf8' ? Buffer.from(raw, 'latin1').toString('utf8') : raw;
  }

  /** Feeds one physical line to the assembler, tracking the lines of the event it still holds. */
  private feed(l: PendingLine): void {
    this.currentSource = l.source;
    this.state.pendingLines.push(l);
    this.emitted = false;
    this.assembler.line(this.decode(l.raw), l.offset, l.line);
    if (this.emitted) this.state.pendingLines = [l];
  }

  private sourceAt(offset: number): string {
    const pl = this.state.pendingLines;
    for (let i = pl.length - 1; i >= 0; i--) if (pl[i]!.offset <= offset) return pl[i]!.source;
    return this.currentSource || this.target.display;
  }

  private onEvent(e0: LogEvent): void {
    this.emitted = true;
    const e: LogEvent = { ...e0, source: this.sourceAt(e0.offset) };
    const warm = this.state.warmEnd >= 0 && e.offset < this.state.warmEnd;
    const findings = this.forensics.push(e);
    // Every event teaches the redactor its IDs (also while warming up), not only the alerted ones:
    // a `Written file` line names the patient a later disk or error alert prints.
    this.redactor?.learnFromFields(e.kind, e.fields);
    if (warm) return;
    this.state.counters.events++;
    this.thisRun.events++;
    for (const a of alertsFor(e, findings, this.opts.alert, this.repeats)) {
      if (this.sent.has(a.id) || this.outboxIds.has(a.id)) continue;
      this.outboxIds.add(a.id);
      this.outbox.push(this.redactor ? redactAlert(a, this.redactor) : a);
    }
  }

  /** Emits the event the assembler still holds (a quiet period passed, the file ended, or --once ends). */
  private flushAssembler(): void {
    if (this.state.pendingLines.length === 0) return;
    this.assembler.end();
    this.assembler = this.newAssembler();
    this.state.pendingLines = [];
    this.dirty = true;
  }

  private followSink(): FollowSink {
    return {
      line: (raw, offset, lineNo, source) => {
        if (this.state.warmEnd >= 0 && offset < this.state.warmEnd) this.state.counters.warmupLines++;
        else {
          this.state.counters.lines++;
          this.thisRun.lines++;
        }
        this.dirty = true;
        this.feed({ raw, offset, line: lineNo, source });
      },
      fileEnd: () => {
        this.flushAssembler();
        this.dirty = true;
      },
      gap: (g: GapNotice) => {
        this.thisRun.gaps++;
        this.dirty = true;
        this.stdout.notice({ ...g }, g.message);
        if (this.opts.json && !this.opts.quiet) process.stderr.write(`cqlog: ${g.message}\n`);
      },
      problem: (p) => this.inputProblem(p),
    };
  }

  /** Hands the new alerts to every configured sink; a sink's failure is reported and never stops the tail. */
  private async deliver(): Promise<boolean> {
    if (this.outbox.length === 0) return false;
    const batch = this.outbox;
    this.outbox = [];
    this.outboxIds.clear();
    for (const a of batch) {
      this.stdout.deliver(a);
      if (this.exec) await this.exec.deliver(a);
      if (this.webhook) this.webhook.enqueue(a);
      rememberSent(this.state, a.id, this.sent);
      this.state.counters.alerts++;
      this.thisRun.alerts++;
    }
    this.dirty = true;
    return true;
  }

  private async checkpoint(force = false): Promise<void> {
    if (!this.dirty && !force) return;
    const st = this.state;
    st.engine = this.forensics.snapshot();
    const r = this.repeats.save();
    st.repeat = { time: r.time, list: r.list };
    this.dirty = false;
    this.lastSave = now();
    try {
      await saveState(this.stateFile, st);
    } catch (err) {
      this.dirty = true;
      this.problem(`cannot write the state file ${this.stateFile} (${(err as Error).message})`);
    }
  }

  private async startWatching(): Promise<void> {
    if (this.opts.pollMs !== undefined || this.opts.once) return;
    const dirAbs = this.target.dir;
    const base = path.basename(this.target.abs).toLowerCase();
    try {
      const w = watch(dirAbs, {
        depth: 0,
        ignoreInitial: true,
        persistent: true,
        usePolling: false,
        atomic: false,
        ignored: (p: string) => {
          const r = path.resolve(p);
          return r !== dirAbs && path.basename(r).toLowerCase() !== base;
        },
      });
      w.on('all', () => this.wake());
      w.on('error', (err) => this.problem(`file watching failed (${(err as Error).message}); falling back to checks every ${this.opts.intervalMs ?? 1000} ms`));
      this.watcher = w;
    } catch (err) {
      this.problem(`file watching unavailable (${(err as Error).message}); checking every ${this.opts.intervalMs ?? 1000} ms`);
    }
  }

  async run(): Promise<number> {
    const o = this.opts;
    this.stateFile = o.stateFile ? path.resolve(o.stateFile) : defaultStateFile(this.target.abs);
    const loaded = await loadState(this.stateFile);
    const configs: ConquestConfig[] = [];
    if (this.target.ini) {
      try {
        configs.push(parseDicomIni(await fsp.readFile(this.target.ini, 'latin1'), displayName(this.target.ini)));
      } catch (err) {
        this.problem(`cannot read ${displayName(this.target.ini)} (${(err as Error).message})`);
      }
    }
    const first = loaded === null;
    this.state = loaded ?? newState(this.target.abs, this.target.display);
    if (!first && this.state.path !== this.target.abs) {
      this.problem(`the state file ${this.stateFile} belongs to ${this.state.path}, not ${this.target.abs}`);
      return 2;
    }
    this.state.source = this.target.display;
    for (const id of this.state.sentIds) this.sent.add(id);
    this.repeats = new RepeatCounter(this.state.repeat.list, this.state.repeat.time);
    this.forensics = createForensics(this.state.engine, configs, (m) => this.problem(m));
    if (o.redact) this.redactor = new Redactor();
    if (o.exec) this.exec = new ExecSink(o.exec.program, o.exec.args, this.notifier);
    if (o.webhook) {
      this.webhook = new WebhookSink(o.webhook, this.state.webhookQueue, this.notifier, (n) => (this.state.counters.webhookDropped += n));
      this.webhook.onChange = () => {
        this.dirty = true;
      };
    }
    this.follower = new Follower(this.target, this.state, this.followSink(), { onProblem: (p) => this.inputProblem(p) });
    if (first) {
      await this.follower.noteExistingZips();
      if (!o.fromStart) {
        const start = await this.follower.lastLineStart();
        if (start !== null && start > 0) this.state.warmEnd = start;
      }
      // Saved at once: a tail killed before its first checkpoint must not take later zips for history.
      await this.checkpoint(true);
    } else if (o.fromStart && !o.quiet && !o.json) {
      this.problem(`resuming from ${this.stateFile}; --from-start applies to a first run only (delete the state file to start over)`);
    }
    // The event the last run still held open: its lines are fed again (not counted again).
    this.assembler = this.newAssembler();
    const held = this.state.pendingLines;
    this.state.pendingLines = [];
    for (const l of held) this.feed(l);
    if (this.state.pendingLines.length > 0) this.settleAt = now();

    if (this.webhook && !o.once) this.webhook.start();
    await this.startWatching();
    const interval = o.pollMs ?? o.intervalMs ?? 1000;
    const settleMs = o.settleMs ?? 150;
    const checkpointMs = o.checkpointMs ?? 1000;
    try {
      for (;;) {
        const before = this.state.counters.lines + this.state.offset;
        do {
          await this.follower.checkOnce();
          if (await this.deliver()) await this.checkpoint(true);
        } while (this.follower.more && !this.stopping);
        if (this.state.counters.lines + this.state.offset !== before && this.state.pendingLines.length > 0) this.settleAt = now() + settleMs;
        if (o.once || this.stopping) break;
        if (this.settleAt !== null && now() >= this.settleAt) {
          this.settleAt = null;
          this.flushAssembler();
          if (await this.deliver()) await this.checkpoint(true);
        }
        if (this.dirty && now() - this.lastSave >= checkpointMs) await this.checkpoint();
        let wait = interval;
        if (this.settleAt !== null) wait = Math.min(wait, this.settleAt - now());
        if (this.dirty) wait = Math.min(wait, Math.max(0, checkpointMs - (now() - this.lastSave)));
        await this.wait(wait);
        if (this.stopping) break;
      }
      if (o.once) {
        this.flushAssembler();
        await this.deliver();
      }
    } finally {
      if (this.watcher) await this.watcher.close().catch(() => undefined);
      this.watcher = null;
      if (this.webhook) {
        if (o.once) await this.webhook.drainOnce();
        else await this.webhook.stop();
      }
      await this.checkpoint(true);
    }
    if (o.json) {
      const c = this.state.counters;
      this.stdout.notice(
        {
          notice: 'summary',
          state: this.stateFile,
          lines: c.lines,
          bytes: c.bytes,
          events: c.events,
          alerts: c.alerts,
          gaps: c.gaps,
          warmupLines: c.warmupLines,
          webhookQueued: this.state.webhookQueue.length,
          webhookDropped: c.webhookDropped,
          run: this.thisRun,
        },
        '',
      );
    }
    return 0;
  }
}
