/**
 * Full-text tokens for the index. better-sqlite3 cannot register a tokenizer, so the text is
 * prepared here and FTS5's `unicode61` does the rest with `tokenchars '.-'`:
 *
 * - `.` and `-` are part of a token, so a UID (`1.2.840.10008.5.1.4.1.1.2`), a PatientID with a dash,
 *   `C-Move` and a file name stay whole; `_`, `\`, `/`, `:`, quotes, spaces and the ASCII symbols
 *   (`separators`) split, so `D:\data\12345678\1.2.3_0001_000001_x.dcm` yields `d data 12345678 1.2.3
 *   0001 000001 x.dcm`: the PatientID folder and the series UID inside a path are tokens of their own.
 * - A `.` or `-` that is not between two letters or digits (a sentence's full stop, `----`) is
 *   removed first, in the document and in the query alike, so `MAINPACS.` is found as `MAINPACS`.
 *
 * A query is split the same way, each piece becomes an FTS5 string (`"` doubled, though pieces can
 * hold none) and the pieces are ANDed; each event read back is then checked to hold every term as
 * contiguous tokens, `D:\data\1234` included (`matchesTerms`: the table is `detail=none`, which has no
 * phrase queries but is small).
 * Nothing the user types reaches FTS5 syntax: no operators, no column filters, no parentheses.
 */

/** The FTS5 tokenizer declaration (in the CREATE VIRTUAL TABLE). */
export const FTS_TOKENIZE = "unicode61 remove_diacritics 0 tokenchars '.-' separators '^+=<>|~`$'";

const LONE_PUNCT = /(?<![\p{L}\p{N}])[.-]+|[.-]+(?![\p{L}\p{N}])/gu;
/** Splits on everything that is not a letter, digit, `.` or `-` (a superset of unicode61's separators). */
const SPLIT = /[^\p{L}\p{N}.-]+/u;

/** The document text as given to FTS5. */
export function ftsDocument(text: string): string {
  return text.indexOf('.') === -1 && text.indexOf('-') === -1 ? text : text.replace(LONE_PUNCT, ' ');
}

/** The tokens of a text, lower-cased, as FTS5 sees them (for checking contiguity). */
export function tokensOf(text: string): string[] {
  return ftsDocument(text)
    .toLowerCase()
    .split(SPLIT)
    .filter((t) => t.length > 0);
}

export interface QueryTerm {
  /** The term as typed. */
  raw: string;
  /** Its tokens, lower-cased. */
  tokens: string[];
  /** The last token is a prefix (`1.2.840*`). */
  prefix: boolean;
}

/**
 * Splits a query into terms: `"quoted text"` is one term, other terms are separated by white space.
 * Terms without a searchable token (`*`, `"`, `--`) are dropped.
 */
export function parseQuery(q: string): QueryTerm[] {
  const out: QueryTerm[] = [];
  const re = /"([^"]*)"?|(\S+)/g;
  for (let m = re.exec(q); m !== null; m = re.exec(q)) {
    const raw = m[1] ?? m[2] ?? '';
    const prefix = /[\p{L}\p{N}.-]\*+\s*$/u.test(raw);
    const tokens = tokensOf(raw);
    if (tokens.length === 0) continue;
    out.push({ raw, tokens, prefix });
  }
  return out;
}

/** An FTS5 string: double quotes doubled. */
export function ftsString(s: string): string {
  return '"' + s.replace(/"/g, '""') + '"';
}

/** The FTS5 MATCH expression for terms (all tokens ANDed), or null when there is nothing to match. */
export function ftsExpression(terms: QueryTerm[]): string | null {
  const parts: string[] = [];
  const seen = new Set<string>();
  for (const t of terms) {
    t.tokens.forEach((tok, i) => {
      const pre = t.prefix && i === t.tokens.length - 1;
      const p = ftsString(tok) + (pre ? '*' : '');
      if (!seen.has(p)) {
        seen.add(p);
        parts.push(p);
      }
    });
  }
  return parts.length === 0 ? null : parts.join(' AND ');
}

function containsRun(hay: string[], needle: string[], prefix: boolean): boolean {
  const n = needle.length;
  outer: for (let i = 0; i + n <= hay.length; i++) {
    for (let j = 0; j < n; j++) {
      const h = hay[i + j]!;
      const w = needle[j]!;
      if (j === n - 1 && prefix ? !h.startsWith(w) : h !== w) continue outer;
    }
    return true;
  }
  return false;
}

/** Tokens of an identifier given to `--patient`/`--study`/`--ae`, as a query term. */
export function idTerm(v: string): QueryTerm[] {
  const tokens = tokensOf(v);
  return tokens.length === 0 ? [] : [{ raw: v, tokens, prefix: false }];
}

/** True when every term occurs in the text as a run of tokens (the last one a prefix for `word*`). */
export function matchesTerms(terms: QueryTerm[], text: string): boolean {
  if (terms.length === 0) return true;
  const toks = tokensOf(text);
  return terms.every((t) => containsRun(toks, t.tokens, t.prefix));
}

/**
 * A cheap necessary condition for `matchesTerms`: every ASCII token occurs in the text, in any case.
 * It lets a search skip most events of a block without splitting their text into tokens.
 */
export function quickCheck(terms: QueryTerm[]): (text: string) => boolean {
  const tests: ((s: string) => boolean)[] = [];
  for (const t of terms) {
    for (const tok of t.tokens) {
      if (!/^[\x20-\x7e]+$/.test(tok)) continue; // the full check decides for other characters
      if (/[a-z]/.test(tok)) {
        const re = new RegExp(tok.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&'), 'i');
        tests.push((s) => re.test(s));
      } else tests.push((s) => s.includes(tok));
    }
  }
  return tests.length === 0 ? () => true : (s) => tests.every((f) => f(s));
}
