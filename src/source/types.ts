/** Where bytes come from: the sources a path given to any command may resolve to (issue 2, item 2). */

export type SourceSpec =
  | { type: 'file'; name: string; path: string }
  | { type: 'gzip'; name: string; path: string }
  | { type: 'zip-entry'; name: string; path: string; entry: string }
  | { type: 'stdin'; name: string };

/** A zip archive found among the inputs: its log entries are listed when it is opened. */
export interface ZipSpec {
  type: 'zip';
  name: string;
  path: string;
}

export type InputItem = SourceSpec | ZipSpec;

/** The facts of a dicom.ini that the forensics need (reference §2.5, §3). */
export interface ConquestConfig {
  /** Where the ini was found (display name). */
  source: string;
  myAe: string | null;
  pacsName: string | null;
  /** `VirtualServerFor0..9` values (AE only, flags removed). */
  virtualServers: string[];
  /** The N of each `VirtualServerForN`, in the order of virtualServers (absent in states saved before it). */
  virtualServerSlots?: number[];
  /** `MAGDevice0..n` roots. */
  magDevices: string[];
  fileNameSyntax: string | null;
  zipTime: string | null;
}

/** Display name of a path as given: `/` separators (issue 2, item 4). */
export function displayName(p: string): string {
  return p.replace(/\\/g, '/');
}
