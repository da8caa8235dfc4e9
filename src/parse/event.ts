/**
 * The event contract every command builds on (issue 2, item 4).
 * `cqlog events --json` prints exactly these seven keys, one object per line.
 */
export type FieldValue = string | number | boolean | null | FieldValue[] | { [key: string]: FieldValue };
export type Fields = Record<string, FieldValue>;

export interface LogEvent {
  /** The path as given, `/` separators, `!` between an archive and its entry. */
  source: string;
  /** 1-based number of the event's first physical line in its source. */
  line: number;
  /** Byte offset of that line in the (decompressed) source. */
  offset: number;
  /** Local wall-clock `YYYY-MM-DDTHH:MM:SS` (offset added only under `--tz`), or null. */
  time: string | null;
  /** kebab-case kind from the message catalog, or `unknown`. */
  kind: string;
  /** The message without its line prefix; continuation lines are joined with `\n`. */
  text: string;
  /** Named captures of the catalog row, plus `pacsName` when a `[PACSName]` prefix was present. */
  fields: Fields;
}

/** Something in the input that could not be read as it should: reported, never fatal. */
export interface InputProblem {
  source: string;
  line?: number;
  offset?: number;
  message: string;
}

export type ProblemSink = (problem: InputProblem) => void;

export function formatProblem(p: InputProblem): string {
  const where = [p.source, p.line !== undefined ? `line ${p.line}` : null, p.offset !== undefined ? `offset ${p.offset}` : null]
    .filter((x) => x !== null)
    .join(', ');
  return `cqlog: ${where}: ${p.message}`;
}
