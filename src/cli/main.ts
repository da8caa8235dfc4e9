/** The commander program: one file per command. Exit codes: 0 ran, 1 a --fail-on finding, 2 nothing readable or bad arguments. */
import { Command, CommanderError } from 'commander';
import { eventsCommand } from './events.js';
import { statsCommand } from './stats.js';
import { indexCommand } from './index.js';
import { searchCommand } from './search.js';
import { tailCommand } from './tail.js';
import { analyzeCommand } from './analyze.js';
import { timelineCommand } from './timeline.js';
import { reportCommand } from './report.js';

export function program(): Command {
  const p = new Command('cqlog')
    .description('Forensics for the Conquest DICOM server operator log (serverstatus.log, PacsTrouble.log, logs/*.zip)')
    .version('0.1.0')
    .showHelpAfterError();
  p.addCommand(eventsCommand());
  p.addCommand(statsCommand());
  p.addCommand(indexCommand());
  p.addCommand(searchCommand());
  p.addCommand(tailCommand());
  p.addCommand(analyzeCommand());
  p.addCommand(timelineCommand());
  p.addCommand(reportCommand());
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
  const p = program();
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
