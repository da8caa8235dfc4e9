/** Escaping for the HTML report: every piece of log text goes through one of these. */

/** C0 controls (but tab and line feed) and DEL are not allowed in HTML text: shown as U+FFFD. */
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f]/g;

/** HTML text and attribute values (double- or single-quoted), also SVG text. */
export function esc(s: string | number | null | undefined): string {
  if (s === null || s === undefined) return '';
  return String(s)
    .replace(CONTROLS, '\ufffd')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/**
 * JSON to embed in `<script type="application/json">`: `<`, `>` and `&` become \u escapes, so no
 * `</script`, `<!--` or `-->` can appear, and U+2028/2029 are escaped too. JSON.parse gives back the
 * same value.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** Script source to inline in a `<script>` element: a `</script` or `<!--` inside it is neutralised. */
export function scriptSource(js: string): string {
  return js.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}
