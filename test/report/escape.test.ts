/** Log text can never become markup: a fixture whose AE title and PatientID carry tags renders them as text. */
import { describe, expect, it } from 'vitest';
import { renderHtml } from '../../src/report/html.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { esc, jsonForScript, scriptSource } from '../../src/report/escape.js';
import { fixture } from './helpers.js';

const HOSTILE = ['<script>window.__pwned', '<img src=x', '"><img', '<svg onload', '<iframe', '<style>body', '<b onmouseover', '</script><!--'];

describe('escaping', () => {
  it('esc covers text and both attribute quotes; control characters become U+FFFD', () => {
    expect(esc(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
    expect(esc('a\u0000b\u001bc\td\ne')).toBe('a\ufffdb\ufffdc\td\ne');
  });

  it('JSON for a script block has no <, > or & and parses back to the same value', () => {
    const v = { t: '</script><!-- --> & \u2028' };
    const s = jsonForScript(v);
    expect(s).not.toMatch(/[<>&\u2028]/);
    expect(JSON.parse(s)).toEqual(v);
    expect(scriptSource('x = "</script>"; // <!--')).toBe('x = "<\\/script>"; // <\\!--');
  });

  it('the HTML report of a hostile log has no tag from the log, only escaped text', () => {
    const html = renderHtml(fixture('analysis-xss.json'));
    for (const h of HOSTILE) expect(html, h).not.toContain(h);
    expect(html).toContain('&lt;script&gt;window.__pwned=1&lt;/script&gt;');
    expect(html).toContain('&quot;&gt;&lt;img src=x onerror=&quot;window.__pwned=2;alert(1)&quot;&gt;');
    // Exactly the report's own three scripts (data, lunr, search) and one style.
    expect(html.match(/<script\b/g)).toHaveLength(3);
    expect(html.match(/<\/script>/g)).toHaveLength(3);
    expect(html.match(/<style\b/g)).toHaveLength(1);
    expect(html).not.toMatch(/<img\b|<iframe\b|<b\s|<svg\s+onload/);
    // The embedded data still holds the log text exactly.
    const json = /<script type="application\/json" id="cqlog-data">([\s\S]*?)<\/script>/.exec(html)![1]!;
    const data = JSON.parse(json) as { docs: { text: string }[] };
    expect(data.docs.some((d) => d.text.includes('<script>window.__pwned=1</script>'))).toBe(true);
  });

  it('the SVG text is escaped too', () => {
    const html = renderHtml(fixture('analysis-xss.json'));
    const svgs = html.match(/<svg xmlns[\s\S]*?<\/svg>/g)!;
    expect(svgs.length).toBeGreaterThanOrEqual(2);
    const all = svgs.join('\n');
    expect(all).toContain('&lt;script&gt;window.__pwned=1&lt;/script&gt; → ');
    for (const h of HOSTILE) expect(all).not.toContain(h);
  });

  it('the Markdown report keeps hostile text inside code spans or escaped', () => {
    const md = renderMarkdown(fixture('analysis-xss.json'));
    // Outside code spans and fenced blocks no raw < may remain.
    const outside = md.replace(/```[\s\S]*?```/g, '').replace(/(`+)[\s\S]*?\1/g, '');
    expect(outside).not.toMatch(/(?<!\\)</);
    expect(md).toContain('\\<script\\>window.\\_\\_pwned=1\\</script\\>');
  });
});
