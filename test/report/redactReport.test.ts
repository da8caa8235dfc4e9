/** --redact: the analysis is redacted once, and the text, the SVG and the search index all carry the same pseudonyms. */
import { describe, expect, it } from 'vitest';
import { Redactor } from '../../src/report/redact.js';
import { redactAnalysis, redactSite } from '../../src/report/redactAnalysis.js';
import { renderHtml } from '../../src/report/html.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { fixture } from './helpers.js';

const key = Buffer.from('report-test-key-0123456789abcdef');

describe('redacted reports', () => {
  const red = new Redactor(key);
  const r = redactAnalysis(fixture('analysis-incident.json'), red);
  const bsn = red.pseudonym('123456782');
  const pid = red.pseudonym('12345678');

  it('no patient ID or BSN is left anywhere in the HTML, the SVG or the embedded index', () => {
    const html = renderHtml(r, { redacted: true });
    expect(html).not.toMatch(/123456782|12345678(?!\d)/);
    expect(html).toContain('replaced by keyed pseudonyms');
    const svg = html.match(/<svg xmlns[\s\S]*?<\/svg>/)![0];
    expect(svg).toContain(`C-STORE as ${pid}`);
    const json = /<script type="application\/json" id="cqlog-data">([\s\S]*?)<\/script>/.exec(html)![1]!;
    expect(json).toContain(bsn);
    expect(json).toContain(pid);
    expect(html).toContain(`dgate --deletestudy:${bsn}:`);
  });

  it('the Markdown uses the same pseudonyms and keeps the BSN finding', () => {
    const md = renderMarkdown(r, { redacted: true });
    expect(md).not.toMatch(/123456782|12345678(?!\d)/);
    expect(md).toContain(`stored under '${bsn}' (a BSN)`);
    expect(md).toContain('Prevent the next BSN retrieve');
    expect(md).toContain(`Refused='${pid}'`);
  });

  it("drops the site's PatientID prefix, which can be most of an ID, from the shape and the explanations", () => {
    const a = fixture('analysis-incident.json');
    const description = "10 characters starting with 'MRN00123'";
    a.site = { ...a.site, length: 10, digitsOnly: false, prefix: 'MRN00123', description };
    a.collisions[0]!.explanation += ` This site's PatientIDs are ${description}.`;
    const out = redactAnalysis(a, new Redactor(key));
    expect(JSON.stringify(out)).not.toContain('MRN00123');
    expect(out.site).toMatchObject({ prefix: null, description: '10 characters' });
    expect(out.collisions[0]!.explanation).toContain("This site's PatientIDs are 10 characters.");
    expect(redactSite({ ...a.site, description: "mostly 10 characters (80% of 5), starting with 'MRN00123'" }).description).toBe('mostly 10 characters (80% of 5)');
    const plain = { ...a.site, prefix: null, description: '8 digits' };
    expect(redactSite(plain)).toBe(plain);
  });
});
