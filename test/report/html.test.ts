/** The HTML post-mortem: self-contained, offline, a CSP, SVG timelines, an embedded lunr index that finds events. */
import { describe, expect, it } from 'vitest';
import lunr from 'lunr';
import { renderHtml, CSP, lunrBrowserSource } from '../../src/report/html.js';
import { fixture } from './helpers.js';

const html = renderHtml(fixture('analysis-incident.json'), { generatedAt: '2026-11-28T08:00:00' });
const data = (h: string): { index: object; docs: { id: string; text: string; ref: string }[] } =>
  JSON.parse(/<script type="application\/json" id="cqlog-data">([\s\S]*?)<\/script>/.exec(h)![1]!);

describe('renderHtml', () => {
  it('is one self-contained document with a CSP that forbids the network', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="${CSP.replace(/'/g, '&#39;')}">`);
    expect(CSP).toBe("default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:");
    expect(html).not.toMatch(/<script[^>]*\ssrc=|<link\b|<img\b|<iframe\b|@import|url\(/i);
    // The only URLs are the SVG namespace and lunr's licence comment, none fetched.
    const urls = html.match(/https?:\/\/[^\s"'<>)]+/g) ?? [];
    for (const u of urls) expect(['http://www.w3.org/2000/svg', 'http://lunrjs.com']).toContain(u);
    expect(html).toContain(lunrBrowserSource().slice(0, 200));
    expect(html).toContain('Generated 2026-11-28T08:00:00 by cqlog.');
  });

  it('draws a timeline per collision and per warning, marking the failed retrieve, the phantom rows and the refusals', () => {
    const svgs = html.match(/<svg xmlns[\s\S]*?<\/svg>/g)!;
    expect(svgs).toHaveLength(2);
    const first = svgs[0]!;
    expect(first).toContain('class="m-failed"');
    expect(first).toContain('class="m-phantom"');
    expect(first).toContain('class="m-refusal"');
    expect(first).toContain('WS1 → WS2 (C-MOVE)');
    expect(first).toContain('router database');
    expect(first).toContain('C-STORE as 12345678');
    expect(first).toContain('+16 h 33 min');
  });

  it('has the evidence table with source:line and the remediation with the dgate command', () => {
    expect(html).toContain('<td class="ref">logs/logs_20261126.zip!serverstatus.log:108</td>');
    expect(html).toContain("Host &#39;WS2&#39; did not accept the connection");
    expect(html).toContain('dgate --deletestudy:123456782:1.3.46.670589.5.2.10.2156913941.892665384.993397');
    expect(html).toContain('@media print');
  });

  it('embeds every event of the report and a lunr index that finds them', () => {
    const d = data(html);
    expect(d.docs.length).toBe(9 + 1 + 3 + 1); // the collision's 9 evidence lines + its phantom rows; the warning's 3 + its phantom rows
    const idx = lunr.Index.load(d.index);
    const hits = idx.search('ws2').map((h) => d.docs.find((x) => x.id === h.ref)!.ref);
    expect(hits).toContain('logs/logs_20261126.zip!serverstatus.log:108');
    expect(idx.search('refused').length).toBeGreaterThan(0);
  });
});
