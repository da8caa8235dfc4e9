/**
 * One row of the declarative message catalog (issue 2, item 5), modelled on lnav's format files:
 * a pattern with named captures, the value kind of each capture, and sample lines that the generic
 * catalog test runs. Adding a message is adding a row.
 */
import type { Fields } from '../event.js';

/**
 * How a named capture is turned into a field value.
 * - `string`: as captured; `trim`: pad spaces removed (AE titles, §1.8); `int`; `hex` (number);
 * - `sql`: SQL-escaped value, `''` becomes `'` (§1.8);
 * - `where`: a SQL WHERE text, also parsed into `wherePairs` [{column, value}];
 * - `path`: a Conquest object path, also parsed into its parts (§3, see values.ts);
 * - `ctime`: a ctime string, turned into `YYYY-MM-DDTHH:MM:SS`;
 * - `flag`: true when the group matched, false otherwise;
 * - `dimse`: a 4-hex-digit DIMSE command, also named in `commandName`;
 * - `ipv4le`: the little-endian hex address of `Connected by address`, also given as `ip`.
 */
export type ValueKind = 'string' | 'trim' | 'int' | 'hex' | 'sql' | 'where' | 'path' | 'ctime' | 'flag' | 'dimse' | 'ipv4le';

/** Who prints the message (reference §0 "Loggers"): N normal, D debug only, T PacsTrouble.log only, U PacsUser.log, G the Windows GUI. */
export type Logger = 'N' | 'D' | 'T' | 'U' | 'G' | 'C';

export interface CatalogSample {
  /** A whole log line, prefix included or not. */
  line: string;
  /** Fields the line must yield (a subset of what it yields). */
  fields?: Fields;
}

export interface CatalogRow {
  /** kebab-case event kind. */
  kind: string;
  /** One line saying what the message means. */
  description: string;
  /** Where the format comes from: a reference section and/or the Conquest source line. */
  ref: string;
  logger: Logger;
  /**
   * Pattern on the message, without its prefix and with leading blanks removed (the GUI turns the
   * tab of `\tCalling Application Title` into a space). Anchored; named groups become fields.
   */
  pattern: RegExp;
  /** Value kind per named group; `string` when absent. */
  values?: Record<string, ValueKind>;
  /** Match the whole multi-line text rather than its first line. */
  multiline?: boolean;
  /**
   * For a pattern without a literal start (it begins with a group or a class): a string every
   * match contains. The classifier tests it with `includes` before running the regex, so such a
   * row costs little on the lines it cannot match.
   */
  contains?: string;
  /** Constant fields every match of this row yields (e.g. `{ fatal: true }` for a `***` variant). */
  fixed?: Fields;
  samples: CatalogSample[];
}

/** Kinds that only say "some Conquest message" or "not recognised": they do not count as coverage. */
export const FALLBACK_KINDS: ReadonlySet<string> = new Set(['unknown', 'error']);
