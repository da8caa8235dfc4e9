/** The commander program: one file per command. Exit codes: 0 ran, 1 a --fail-on finding, 2 nothing readable or bad arguments. */
import { Command, CommanderError } from 'commander';

/**
 * The commands, each loaded only when it is asked for: every command module pulls in its own
 * dependencies (SQLite, the file watcher, lunr, the zip reader), and loading them all cost about a
 * quarter of a second before any work began.
 */
const COMMANDS: Record<string, () => Promise<Command>> = {
  events: async () => (await import('./events.js')).eventsCommand(),
  stats: async () => (await import('./stats.js')).statsCommand(),
  index: async () => (await import('./index.js')).indexCommand(),
  search: async () => (await import('./search.js')).searchCommand(),
  tail: async () => (await import('./tail.js')).tailCommand(),
  analyze: async () => (await import('./analyze.js')).analyzeCommand(),
  timeline: async () => (await import('./timeline.js')).timelineCommand(),
  report: async () => (await import('./report.js')).reportCommand(),
};

/**
 * The program with the command `argv` names, or with every command when it names none of them
 * (help, the version, a mistyped command: commander then lists or suggests them all).
 */
export async function program(argv: string[] = []): Promise<Command> {
  const p = new Command('cqlog')
    .description('Forensics for the Conquest DICOM server operator log (serverstatus.log, PacsTrouble.log, logs/*.zip)')
    .version('0.1.0')
    .showHelpAfterError();
  const named = argv[2];
  const wanted = named !== undefined && Object.hasOwn(COMMANDS, named) ? [named] : Object.keys(COMMANDS);
  const commands = await Promise.all(wanted.map((n) => COMMANDS[n]!()));
  for (const c of commands) p.addCommand(c);
  return p;
}

/** A reader that went away (`cqlog … | head`) ends our output, not the process: later writes are dropped. */
function tolerateClosedStdout(): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE' && err.code !== 'ERR_STREAM_DESTROYED') throw err;
  });
}

export async function main(argv: string[]): Promise<number> {
  tolerateClosedStdout();
  const p = await program(argv);
  p.exitOverride();
  for (const c of p.commands) c.exitOverride();
  try {
    await p.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
      return 2;
    }
    throw err;
  }
  const ran = p.commands.find((c) => c.getOptionValue('exitCode') !== undefined);
  return (ran?.getOptionValue('exitCode') as number | undefined) ?? 0;
}
