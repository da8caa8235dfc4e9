/**
 * Generates a big, realistic serverstatus.log for benchmarks and forensics tests (issue 2, items 8–9).
 *
 *   npm run sample:big -- --size 1GB --out FILE [--seed N] [--format linux|windows] [--incident]
 *
 * The load imitates a busy Conquest caching router (reference §2.3–2.5, §3, §4.3): several
 * association threads open at once whose lines interleave; modality pushes (`Written file` with
 * syntax-4 paths whose time token is the log clock), C-MOVEs (`C-Move Destination`, `Number of
 * images to send`, `Sending file :`, `C-Move (…)`) some of which collect from MAINPACS through a
 * nested association, C-Finds, C-Echos, and occasional `***` lines. Output is deterministic for a
 * seed. Memory stays bounded: lines are built into ~4 MiB strings and written with backpressure.
 *
 * `--incident` plants exactly one BSN incident (§4.3 c–d, §7): a failed virtual move of patient
 * 123456782 to WS2 at about 35 % of the file, then at about 70 % CT01's push of patient 12345678
 * refused twice (`***Refused…` + `***Error saving to SQL`), then the refused C-MOVE by the real ID.
 * The rest of the traffic never uses those IDs or that study, and holds no other `***Refused` line.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { rng } from '../common/rng.js';
import { DAYS, MONTHS, p2, SOP } from './dgateText.js';

export type LogFormat = 'linux' | 'windows';

export interface GenerateOptions {
  /** Stop opening associations once this many bytes are written; open ones are then finished. */
  size: number;
  seed?: number;
  format?: LogFormat;
  incident?: boolean;
  /** Log clock start, seconds since the epoch read as wall-clock time (default 2026-11-02 06:00:00). */
  start?: number;
}

export interface GenerateResult {
  bytes: number;
  lines: number;
  associations: number;
  firstTime: string;
  lastTime: string;
  incident?: {
    failedMoveAt: string;
    firstRefusalAt: string;
    refusedMoveAt: string;
    bsn: string;
    patientId: string;
    studyUid: string;
  };
}

export const INCIDENT = {
  bsn: '123456782',
  patientId: '12345678',
  studyUid: '1.3.46.670589.5.2.10.2156913941.892665384.993397',
  seriesUid: '1.3.46.670589.5.2.10.2156913941.892665339.860724',
  wrongDest: 'WS2',
};

/** Parses `100MB`, `1GB`, `4GB`, `512KB`, `12345` (binary multiples: 1 MB = 2^20 bytes). */
export function parseSize(s: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(b|k|kb|kib|m|mb|mib|g|gb|gib|t|tb|tib)?\s*$/i.exec(s);
  if (!m) throw new Error(`bad size: ${s} (use e.g. 100MB, 1GB, 4GB)`);
  const unit = (m[2] ?? 'b').toLowerCase()[0]!;
  const mult = unit === 'k' ? 2 ** 10 : unit === 'm' ? 2 ** 20 : unit === 'g' ? 2 ** 30 : unit === 't' ? 2 ** 40 : 1;
  return Math.round(Number(m[1]) * mult);
}

// ---------------------------------------------------------------- constants of the load

const CTX_CT = SOP.ct;
const CTX_MR = SOP.mr;
const CTX_CR = SOP.cr;
const CTX_US = SOP.us;
const CTX_SC = SOP.sc;
const CTX_VERIFY = SOP.verify;
const CTX_PR_FIND = SOP.patientRootFind;
const CTX_PR_MOVE = SOP.patientRootMove;
const CTX_SR_FIND = SOP.studyRootFind;
const CTX_SR_MOVE = SOP.studyRootMove;

interface Modality {
  ae: string;
  contexts: string[];
  root: string;
  images: [number, number];
}

const MODALITIES: Modality[] = [
  { ae: 'CT01', contexts: [CTX_CT, CTX_CT], root: '1.3.46.670589.5.2.10.2156913941', images: [20, 400] },
  { ae: 'CT02', contexts: [CTX_CT, CTX_SC], root: '1.2.840.113619.2.55.3.604688119.868', images: [20, 300] },
  { ae: 'MR01', contexts: [CTX_MR, CTX_MR, CTX_SC], root: '1.3.12.2.1107.5.2.43.66042', images: [10, 200] },
  { ae: 'CR01', contexts: [CTX_CR], root: '1.2.392.200036.9125.3.1681251213', images: [1, 4] },
  { ae: 'US01', contexts: [CTX_US, CTX_SC], root: '1.2.840.113663.1500.1.341662261', images: [1, 30] },
];
const WORKSTATIONS = ['WS1', 'WS3', 'WS4', 'WS5', 'WS6', 'RADWS01', 'RADWS02'];
/** Destinations whose acrnema.map entry asks for compression print `Accepted compression` (§7). */
const COMPRESSED = new Set(['WS4', 'RADWS02']);

const BANNER = 'DGATE (1.5.0e, build Tue Feb 18 19:39:40 2025, bits 64) is running as threaded server';

// ---------------------------------------------------------------- the simulator


type Step = Generator<void, void, void>;

interface Assoc {
  gen: Step;
  done: boolean;
}

interface Study {
  patientId: string;
  files: string[]; // relative ObjectFiles
  model: 'PatientRoot' | 'StudyRoot';
}

const FLUSH_AT = 4 << 20;
/** Chunk capacity: the flush threshold plus headroom for one step's lines. */
const CHUNK_CAP = FLUSH_AT + (256 << 10);
const RING = 512;
const MAX_KEPT_FILES = 64;

class Sim {
  readonly rnd: () => number;
  now: number;
  private prefSec = -1;
  /** The chunk being filled; lines are written straight into it (long rope strings cost GC time). */
  out = Buffer.allocUnsafe(CHUNK_CAP);
  pos = 0;
  flushed = 0;
  private prefixBuf = Buffer.alloc(0);
  lines = 0;
  private thread = 0;
  private counter = 0;
  associations = 0;
  readonly open: Assoc[] = [];
  private readonly ring: Study[] = [];
  private ringAt = 0;
  readonly sep: string;
  readonly mag: string;
  readonly windows: boolean;
  readonly firstTime: string;

  constructor(opts: GenerateOptions) {
    this.rnd = rng((opts.seed ?? 1) * 2654435761 + 12345);
    this.windows = opts.format === 'windows';
    this.sep = this.windows ? '\\' : '/';
    this.mag = this.windows ? 'D:\\conquest\\data\\' : '/opt/conquest/data/';
    this.now = opts.start ?? Date.UTC(2026, 10, 2, 6, 0, 0) / 1000;
    this.firstTime = isoOf(this.now);
  }

  int(lo: number, hi: number): number {
    return lo + Math.floor(this.rnd() * (hi - lo + 1));
  }

  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.rnd() * xs.length)]!;
  }

  get bytes(): number {
    return this.flushed + this.pos;
  }

  emit(msg: string): void {
    if (this.now !== this.prefSec) {
      this.prefSec = this.now;
      const t = new Date(this.now * 1000);
      const prefix = this.windows
        ? `${t.getUTCFullYear()}${p2(t.getUTCMonth() + 1)}${p2(t.getUTCDate())} ${p2(t.getUTCHours())}:${p2(t.getUTCMinutes())}:${p2(t.getUTCSeconds())} `
        : ctime(this.now) + ' ';
      this.prefixBuf = Buffer.from(prefix, 'latin1');
    }
    const need = this.prefixBuf.length + msg.length + 2;
    if (this.pos + need > this.out.length) {
      // Only when one step wrote more than the headroom: grow rather than flush mid-step.
      const bigger = Buffer.allocUnsafe(Math.max(this.out.length * 2, this.pos + need));
      this.out.copy(bigger, 0, 0, this.pos);
      this.out = bigger;
    }
    const out = this.out;
    let pos = this.pos;
    const pb = this.prefixBuf;
    for (let i = 0; i < pb.length; i++) out[pos++] = pb[i]!;
    pos += out.write(msg, pos, 'latin1');
    if (this.windows) out[pos++] = 13;
    out[pos++] = 10;
    this.pos = pos;
    this.lines++;
  }

  patientId(): string {
    for (;;) {
      const id = String(this.int(10000000, 19999999));
      if (id !== INCIDENT.patientId) return id;
    }
  }

  seriesUid(m: Modality): string {
    return `${m.root}.${this.int(100000000, 999999999)}.${this.int(1000, 999999)}`;
  }

  objectFile(patientId: string, series: string, seriesNo: number, imageNo: number): string {
    const c = (this.counter++ & 0xffff).toString(16).padStart(4, '0');
    return `${patientId}${this.sep}${series}_${String(seriesNo).padStart(4, '0')}_${String(imageNo).padStart(6, '0')}_${this.now}${c}.dcm`;
  }

  remember(s: Study): void {
    if (this.ring.length < RING) this.ring.push(s);
    else this.ring[this.ringAt++ % RING] = s;
  }

  recent(): Study | undefined {
    return this.ring.length ? this.pick(this.ring) : undefined;
  }

  /** Blank line, STARTED, the IARQ lines; returns the thread number and the accept time. */
  openAssoc(calling: string, pdu: number, contexts: string[]): { thread: number; at: number } {
    const a = { thread: this.thread++, at: this.now };
    // Reference §7: STARTED AT can carry a time one second before its own line.
    if (this.rnd() < 0.03) a.at--;
    this.associations++;
    this.emit('');
    this.emit(`UPACS THREAD ${a.thread}: STARTED AT: ${ctime(a.at)}`);
    this.emit(`\tCalling Application Title : "${calling.padEnd(16)}"`);
    this.emit(`\tCalled Application Title : "ROUTER          "`);
    this.emit(`\tApplication Context : "1.2.840.10008.3.1.1.1", PDU length: ${pdu}`);
    for (let i = 0; i < contexts.length; i++) this.emit(`\tPresentation Context ${i} "${contexts[i]}" 1`);
    return a;
  }

  closeAssoc(a: { thread: number; at: number }): void {
    this.emit(`UPACS THREAD ${a.thread}: ENDED AT: ${ctime(this.now)}`);
    this.emit(`UPACS THREAD ${a.thread}: TOTAL RUNNING TIME: ${this.now - a.at} SECONDS`);
  }

  spawn(gen: Step): Assoc {
    const a: Assoc = { gen, done: false };
    this.open.push(a);
    return a;
  }
}

export function ctime(sec: number): string {
  const t = new Date(sec * 1000);
  const d = t.getUTCDate();
  return `${DAYS[t.getUTCDay()]} ${MONTHS[t.getUTCMonth()]} ${d < 10 ? ' ' + d : d} ${p2(t.getUTCHours())}:${p2(t.getUTCMinutes())}:${p2(t.getUTCSeconds())} ${t.getUTCFullYear()}`;
}

function isoOf(sec: number): string {
  return new Date(sec * 1000).toISOString().slice(0, 19);
}

const pad = (ae: string): string => (ae.length % 2 ? ae + ' ' : ae);

// ---------------------------------------------------------------- association scripts

function* push(s: Sim): Step {
  const m = s.pick(MODALITIES);
  const a = s.openAssoc(m.ae, 16384, m.contexts);
  yield;
  const patientId = s.patientId();
  const seriesCount = m.images[1] <= 4 ? 1 : s.int(1, 4);
  const kept: string[] = [];
  for (let k = 0; k < seriesCount; k++) {
    const series = s.seriesUid(m);
    const seriesNo = s.rnd() < 0.1 ? s.int(1000, 9999) : k + 1;
    const n = s.int(m.images[0], Math.max(m.images[0], Math.floor(m.images[1] / seriesCount)));
    for (let i = 1; i <= n; i++) {
      const f = s.objectFile(patientId, series, seriesNo, i);
      if (kept.length < MAX_KEPT_FILES) kept.push(f);
      s.emit(`Written file: ${s.mag}${f}`);
      yield;
    }
  }
  // A re-send of the same objects reuses the stored names (§2.1 `Rewritten file`).
  if (s.rnd() < 0.04) {
    for (const f of kept.slice(0, s.int(1, kept.length))) {
      s.emit(`Rewritten file: ${s.mag}${f}`);
      yield;
    }
  }
  s.remember({ patientId, files: kept, model: s.rnd() < 0.7 ? 'PatientRoot' : 'StudyRoot' });
  s.closeAssoc(a);
}

/** The upstream PACS delivering the objects a virtual move collects (§4.3 b). */
function* nestedCollect(s: Sim, files: string[], state: { written: boolean }): Step {
  const a = s.openAssoc('MAINPACS', 4096, [CTX_CT]);
  yield;
  for (const f of files) {
    s.emit(`Written file: ${s.mag}${f}`);
    yield;
  }
  state.written = true;
  yield;
  yield;
  s.closeAssoc(a);
}

function* move(s: Sim): Step {
  const ae = s.pick(WORKSTATIONS);
  const dest = s.rnd() < 0.85 ? ae : s.pick(WORKSTATIONS);
  const study = s.recent();
  const model = study?.model ?? 'PatientRoot';
  const a = s.openAssoc(ae, 16384, model === 'PatientRoot' ? [CTX_PR_FIND, CTX_PR_MOVE] : [CTX_SR_FIND, CTX_SR_MOVE]);
  s.emit(`\tC-Move Destination: "${pad(dest)}"`);
  yield;
  const virtual = s.rnd() < 0.3;
  let files: string[];
  let patientId: string;
  if (virtual || !study) {
    // Not in the cache: the virtual query makes the rows now, with this moment's time token.
    const m = s.pick(MODALITIES);
    patientId = s.patientId();
    const series = s.seriesUid(m);
    files = [];
    const n = s.int(1, 40);
    for (let i = 1; i <= n; i++) files.push(s.objectFile(patientId, series, 1, i));
  } else {
    patientId = study.patientId;
    files = study.files;
  }
  if (s.rnd() < 0.004) {
    // A mistyped destination that no acrnema.map entry matches: refused (C003) before any rows are
    // made, so nothing shows at normal level but the frame and `C-Move (…)` (reference §4.3 (c′)).
    // Refused deliveries after N>0 images are real phantom risks: only the planted incident has one.
    s.emit(`C-Move (${model})`);
    s.closeAssoc(a);
    return;
  }
  s.emit(`Number of ${model === 'PatientRoot' ? 'images' : 'Images'} to send: ${files.length}`);
  yield;
  if (virtual || !study) {
    s.emit(`Virtual server - collecting ${files.length} missing objects from MAINPACS`);
    const state = { written: false };
    s.spawn(nestedCollect(s, files, state));
    while (!state.written) yield;
    s.emit(`Virtual server - Grabbed ${files.length} images for ${patientId} from MAINPACS`);
    s.remember({ patientId, files, model });
    yield;
  }
  const compressed = COMPRESSED.has(dest);
  for (const f of files) {
    if (compressed) s.emit('Accepted compression: jk');
    s.emit(`Sending file : ${s.mag}${f}`);
    yield;
  }
  s.emit(`C-Move (${model})`);
  s.closeAssoc(a);
}

function* query(s: Sim): Step {
  const ae = s.pick(WORKSTATIONS);
  const studyRoot = s.rnd() < 0.7;
  const a = s.openAssoc(ae, 16384, [studyRoot ? CTX_SR_FIND : CTX_PR_FIND]);
  const level = studyRoot ? s.pick(['STUDY ', 'STUDY ', 'SERIES', 'IMAGE ']) : s.pick(['PATIENT ', 'STUDY ']);
  s.emit(`(${studyRoot ? 'StudyRoot' : 'PatientRoot'}Query) search level: ${level}`);
  yield;
  if (s.rnd() < 0.003) {
    s.emit('*** Virtual query - failed to connect for C-FIND to MAINPACS');
    yield;
  }
  s.emit(`C-Find (${studyRoot ? 'StudyRoot' : 'PatientRoot'}) located ${s.int(0, level === 'IMAGE ' ? 300 : 25)} records`);
  s.closeAssoc(a);
}

function* echo(s: Sim): Step {
  const a = s.openAssoc(s.pick([...WORKSTATIONS, 'MAINPACS', 'CT01']), 16384, [CTX_VERIFY]);
  yield;
  s.emit('C-Echo');
  s.closeAssoc(a);
}

/** A connect that closes before any command (port probe, §2.3). */
function* probe(s: Sim): Step {
  const a = s.openAssoc(s.pick(WORKSTATIONS), 16384, [CTX_VERIFY]);
  s.emit('*** connection terminated');
  yield;
  s.closeAssoc(a);
}

function randomAssoc(s: Sim): Step {
  const r = s.rnd();
  if (r < 0.45) return push(s);
  if (r < 0.62) return move(s);
  if (r < 0.86) return query(s);
  if (r < 0.985) return echo(s);
  return probe(s);
}

// ---------------------------------------------------------------- the planted incident

function refusedLine(): string {
  return `***Refused to enter inconsistent link PatientID into DICOMStudies: PatientID = '${INCIDENT.patientId}' StudyInsta = '${INCIDENT.studyUid}', Old='${INCIDENT.bsn}', Refused='${INCIDENT.patientId}'`;
}

function* incidentFailedMove(s: Sim, mark: (t: number) => void): Step {
  const a = s.openAssoc('WS1', 16384, [CTX_PR_FIND, CTX_PR_MOVE]);
  s.emit(`\tC-Move Destination: "${pad(INCIDENT.wrongDest)}"`);
  mark(s.now);
  yield;
  // Debug-only `Virtual query (MAINPACS) added` rows: only the counter shows they were made.
  s.objectFile(INCIDENT.bsn, INCIDENT.seriesUid, 1, 2000);
  s.objectFile(INCIDENT.bsn, INCIDENT.seriesUid, 1, 3000);
  s.emit('Number of images to send: 2');
  s.emit(`Host '${INCIDENT.wrongDest}' did not accept the connection`);
  s.emit('C-Move (PatientRoot)');
  s.closeAssoc(a);
}

function* incidentRefusedPush(s: Sim, mark: (t: number) => void): Step {
  const a = s.openAssoc('CT01', 16384, [CTX_CT, CTX_CT]);
  yield;
  for (const img of [2000, 3000]) {
    mark(s.now);
    s.emit(refusedLine());
    s.emit(`***Error saving to SQL: ${s.objectFile(INCIDENT.patientId, INCIDENT.seriesUid, 1, img)}`);
    yield;
  }
  s.closeAssoc(a);
}

function* incidentRefusedMove(s: Sim, mark: (t: number) => void): Step {
  const a = s.openAssoc('WS1', 16384, [CTX_PR_FIND, CTX_PR_MOVE]);
  s.emit('\tC-Move Destination: "WS1 "');
  yield;
  mark(s.now);
  s.emit(refusedLine());
  s.emit(`**** Virtual query db problem - ${s.objectFile(INCIDENT.patientId, INCIDENT.seriesUid, 1, 2000)}`);
  s.emit('C-Move (PatientRoot)');
  s.closeAssoc(a);
}

// ---------------------------------------------------------------- the driver

/**
 * Generates the log and hands it to `write` in chunks of about 4 MiB; awaits `write` (so a stream
 * sink can apply backpressure). Returns what was written.
 */
export async function generate(opts: GenerateOptions, write: (chunk: Buffer) => void | Promise<void>): Promise<GenerateResult> {
  const s = new Sim(opts);
  const flush = async (): Promise<void> => {
    if (s.pos === 0) return;
    // The sink may keep the chunk queued, so a new one is taken rather than the old one reused.
    const b = s.out.subarray(0, s.pos);
    s.flushed += s.pos;
    s.out = Buffer.allocUnsafe(CHUNK_CAP);
    s.pos = 0;
    await write(b);
  };

  // Incident phases: each starts once the file has grown to its share and the previous one is done.
  const inc: { failedMoveAt?: number; firstRefusalAt?: number; refusedMoveAt?: number } = {};
  const phases: { at: number; make: () => Step }[] = opts.incident
    ? [
        { at: 0.35, make: () => incidentFailedMove(s, (t) => (inc.failedMoveAt ??= t)) },
        { at: 0.7, make: () => incidentRefusedPush(s, (t) => (inc.firstRefusalAt ??= t)) },
        { at: 0.71, make: () => incidentRefusedPush(s, () => {}) },
        { at: 0.74, make: () => incidentRefusedMove(s, (t) => (inc.refusedMoveAt ??= t)) },
      ]
    : [];
  let phase = 0;
  let phaseAssoc: Assoc | null = null;

  s.emit(BANNER);
  s.emit('Database type: built-in SQLite driver');
  s.emit('Started zip and cleanup thread');

  let want = 3; // how many associations the load keeps open, drifting between 1 and 7
  const step = (): void => {
    const i = Math.floor(s.rnd() * s.open.length);
    const a = s.open[i]!;
    if (a.gen.next().done) {
      a.done = true;
      s.open[i] = s.open[s.open.length - 1]!;
      s.open.pop();
    }
    if (s.rnd() < 0.1) s.now += 1;
  };

  while (s.bytes < opts.size || phase < phases.length) {
    if (phase < phases.length && (phaseAssoc === null || phaseAssoc.done) && s.bytes >= phases[phase]!.at * opts.size) {
      phaseAssoc = s.spawn(phases[phase]!.make());
      phase++;
    }
    if (s.rnd() < 0.002) want = Math.max(1, Math.min(7, want + (s.rnd() < 0.5 ? -1 : 1)));
    if (s.open.length === 0) {
      s.now += s.int(1, 40);
      s.spawn(randomAssoc(s));
    } else if (s.open.length < want && s.rnd() < 0.03) {
      s.spawn(randomAssoc(s));
    }
    if (s.bytes >= opts.size && phase >= phases.length) break;
    step();
    if (s.pos >= FLUSH_AT) await flush();
  }
  // Finish what is open, so the file ends on whole associations.
  while (s.open.length > 0) {
    step();
    if (s.pos >= FLUSH_AT) await flush();
  }
  await flush();

  const result: GenerateResult = { bytes: s.flushed, lines: s.lines, associations: s.associations, firstTime: s.firstTime, lastTime: isoOf(s.now) };
  if (opts.incident) {
    result.incident = {
      failedMoveAt: isoOf(inc.failedMoveAt!),
      firstRefusalAt: isoOf(inc.firstRefusalAt!),
      refusedMoveAt: isoOf(inc.refusedMoveAt!),
      bsn: INCIDENT.bsn,
      patientId: INCIDENT.patientId,
      studyUid: INCIDENT.studyUid,
    };
  }
  return result;
}

/** Writes the generated log to a file (or `-` for stdout) with stream backpressure. */
export async function generateToFile(out: string, opts: GenerateOptions): Promise<GenerateResult> {
  const stream = out === '-' ? process.stdout : createWriteStream(out, { highWaterMark: 8 << 20 });
  const result = await generate(opts, async (chunk) => {
    if (!stream.write(chunk)) await once(stream, 'drain');
  });
  if (stream !== process.stdout) {
    await new Promise<void>((resolve, reject) => {
      stream.once('error', reject);
      stream.end(() => resolve());
    });
  }
  return result;
}

const USAGE = `usage: npm run sample:big -- --out FILE [--size 1GB] [--seed N] [--format linux|windows] [--incident]
  --out FILE        where to write (- for stdout)
  --size SIZE       100MB, 1GB, 4GB … (1 MB = 2^20 bytes; default 100MB); the file ends on whole associations
  --seed N          deterministic output per seed (default 1)
  --format F        linux: ctime prefix, LF (default); windows: YYYYMMDD HH:MM:SS prefix, CRLF, D:\\ paths
  --incident        plant exactly one failed-retrieve + refusal incident (BSN 123456782 / patient 12345678)
`;

async function main(argv: string[]): Promise<number> {
  const opts: GenerateOptions = { size: parseSize('100MB'), seed: 1, format: 'linux', incident: false };
  let out: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const val = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--size') opts.size = parseSize(val());
    else if (a === '--out' || a === '-o') out = val();
    else if (a === '--seed') opts.seed = Number.parseInt(val(), 10);
    else if (a === '--format') {
      const f = val();
      if (f !== 'linux' && f !== 'windows') throw new Error(`--format must be linux or windows, not ${f}`);
      opts.format = f;
    } else if (a === '--incident') opts.incident = true;
    else if (a === '--help' || a === '-h') {
      process.stdout.write(USAGE);
      return 0;
    } else throw new Error(`unknown argument ${a}\n${USAGE}`);
  }
  if (!out) throw new Error(`--out is required\n${USAGE}`);
  if (!Number.isFinite(opts.seed)) throw new Error('--seed must be an integer');
  const t0 = process.hrtime.bigint();
  const r = await generateToFile(out, opts);
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const mb = r.bytes / 2 ** 20;
  process.stderr.write(
    `generate-big: ${out === '-' ? 'stdout' : path.resolve(out)}: ${mb.toFixed(1)} MB, ${r.lines} lines, ${r.associations} associations, ` +
      `${r.firstTime} .. ${r.lastTime}, ${secs.toFixed(1)} s (${(mb / secs).toFixed(0)} MB/s)\n`,
  );
  if (r.incident) process.stderr.write(`generate-big: incident: ${JSON.stringify(r.incident)}\n`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (err: unknown) => {
      process.stderr.write(`generate-big: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 2;
    },
  );
}
