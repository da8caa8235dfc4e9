/**
 * `cqlog tail <conquest-folder|serverstatus.log> [--json] [--state FILE] [--from-start] [--once]
 *  [--poll MS] [--webhook URL] [--exec PROGRAM [--exec-arg ARG]…] [--alert KIND…] [--redact]`:
 * live alerting that survives Conquest's daily zip-and-delete (issue 4).
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { OPTIONAL_KINDS, type OptionalKind } from '../alert/alerts.js';
import { resolveTarget, TailRunner } from '../alert/tail.js';
import { preferSmallHeap } from './common.js';

interface TailCliOptions {
  json?: boolean;
  state?: string;
  fromStart?: boolean;
  once?: boolean;
  poll?: number;
  webhook?: string;
  exec?: string;
  execArg: string[];
  alert?: string[];
  redact?: boolean;
  encoding: 'latin1' | 'utf8';
  quiet?: boolean;
}

function positiveMs(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 10 || n > 3_600_000) throw new InvalidArgumentError(`'${v}' is not a number of milliseconds (10..3600000)`);
  return n;
}

function webhookUrl(v: string): string {
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw new InvalidArgumentError(`'${v}' is not a URL`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new InvalidArgumentError(`'${v}': only http and https webhooks`);
  return v;
}

const collect = (v: string, prev: string[]): string[] => [...prev, v];

export function tailCommand(): Command {
  const cmd = new Command('tail')
    .description('follow serverstatus.log live (across the daily zip-and-delete) and raise alerts: collisions and phantom risks, optionally *** errors and disk alarms')
    .argument('<path>', 'a Conquest folder (its serverstatus.log is followed) or a serverstatus.log')
    .option('--json', 'alerts as NDJSON on stdout (notices such as input-gap and the exit summary carry a "notice" key)')
    .option('--state <file>', 'checkpoint file (default: one per followed path in the per-user state folder)')
    .option('--from-start', 'first run: read the live file from its start (default: start at its end)')
    .option('--once', 'process what is there, deliver, save the state and exit (for cron and tests)')
    .option('--poll <ms>', 'pure polling every MS ms, no file-system events (network shares)', positiveMs)
    .option('--webhook <url>', 'POST each alert as JSON (retried with backoff from a queue kept in the state)', webhookUrl)
    .option('--exec <program>', 'run PROGRAM for each alert with the alert JSON on stdin (no shell)')
    .option('--exec-arg <arg>', 'an argument for --exec PROGRAM (repeat for more)', collect, [])
    .addOption(new Option('--alert <kinds...>', 'also alert on these: error (any *** line), disk (free-space alarms)').choices([...OPTIONAL_KINDS]))
    .option('--redact', 'pseudonymise patient IDs and names in every alert, whatever the sink')
    .addOption(new Option('--encoding <enc>', 'how bytes become text').choices(['latin1', 'utf8']).default('latin1'))
    .option('-q, --quiet', 'do not print input problems on stderr');
  cmd.action(async (given: string, o: TailCliOptions, c: Command) => {
    preferSmallHeap();
    if (o.execArg.length > 0 && !o.exec) {
      process.stderr.write('cqlog: --exec-arg needs --exec PROGRAM\n');
      c.setOptionValue('exitCode', 2);
      return;
    }
    let target;
    try {
      target = await resolveTarget(given);
    } catch (err) {
      process.stderr.write(`cqlog: ${(err as Error).message}\n`);
      c.setOptionValue('exitCode', 2);
      return;
    }
    const runner = new TailRunner(target, {
      json: Boolean(o.json),
      stateFile: o.state,
      fromStart: Boolean(o.fromStart),
      once: Boolean(o.once),
      pollMs: o.poll,
      webhook: o.webhook,
      exec: o.exec ? { program: o.exec, args: o.execArg } : undefined,
      alert: new Set((o.alert ?? []) as OptionalKind[]),
      redact: Boolean(o.redact),
      encoding: o.encoding,
      quiet: Boolean(o.quiet),
    });
    // Ctrl+C, SIGTERM, and a Windows service stop (SIGINT/SIGBREAK, or a 'shutdown' message over IPC
    // from a service wrapper such as node-windows/WinSW/pm2) flush the state and exit cleanly.
    const signals: NodeJS.Signals[] = process.platform === 'win32' ? ['SIGINT', 'SIGTERM', 'SIGBREAK'] : ['SIGINT', 'SIGTERM', 'SIGHUP'];
    const onSignal = (): void => runner.stop();
    const onMessage = (m: unknown): void => {
      if (m === 'shutdown' || (typeof m === 'object' && m !== null && (m as { type?: unknown }).type === 'shutdown')) runner.stop();
    };
    for (const s of signals) process.on(s, onSignal);
    process.on('message', onMessage);
    let code: number;
    try {
      code = await runner.run();
    } catch (err) {
      process.stderr.write(`cqlog: ${(err as Error).message}\n`);
      code = 2;
    } finally {
      for (const s of signals) process.off(s, onSignal);
      process.off('message', onMessage);
      // An IPC channel keeps the process alive: let it go once the state is saved.
      if (process.connected && typeof process.disconnect === 'function') process.disconnect();
    }
    c.setOptionValue('exitCode', code);
  });
  return cmd;
}
