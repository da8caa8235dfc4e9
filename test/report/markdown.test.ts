/** The Markdown post-mortem: snapshots of the hand-written fixture and of samples/incident through analyzePaths. */
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { analyzePaths } from '../../src/correlate/engine.js';
import { renderMarkdown, mdCode, mdText } from '../../src/report/markdown.js';
import { ROOT } from '../helpers.js';
import { fixture } from './helpers.js';

const STUDY = '1.3.46.670589.5.2.10.2156913941.892665384.993397';

describe('renderMarkdown', () => {
  it('renders the fixture incident (snapshot)', async () => {
    const md = renderMarkdown(fixture('analysis-incident.json'));
    await expect(md).toMatchFileSnapshot('__snapshots__/analysis-incident.md');
  });

  it('has every part of a post-mortem: summary, cause, timeline, evidence with source:line, resolution, warnings, remediation', () => {
    const md = renderMarkdown(fixture('analysis-incident.json'));
    for (const h of ['### Summary', '### Cause: Phantom database rows left by a failed retrieve', '### Timeline', '### Evidence', '### Resolution', '### Remediation', '## Open warnings', '## Logs read']) expect(md).toContain(h);
    expect(md).toContain('`logs/logs_20261126.zip!serverstatus.log:108`');
    expect(md).toContain("`Host 'WS2' did not accept the connection`");
    expect(md).toContain('`C-Move Destination: "WS2 "`');
    expect(md).toContain('`Number of images to send: 2`');
    expect(md).toMatch(/`\*\*\*Error saving to SQL: 12345678\//);
    expect(md).toContain('◆ phantom rows');
    expect(md).toContain('Not resolved in the logs read');
    expect(md).toContain('### Phantom risk: WS1 → WS3 at 2026-11-27T10:05:12');
    expect(md).toContain(`dgate --deletestudy:123456782:${STUDY}`);
    expect(md).toContain('RetrieveConverter0 = ');
    expect(md).toContain('**medium confidence**');
  });

  it('--study keeps only that collision; an unknown study says so', () => {
    expect(renderMarkdown(fixture('analysis-incident.json'), { study: STUDY })).toContain('## 1. study');
    const none = renderMarkdown(fixture('analysis-incident.json'), { study: '1.2.3' });
    expect(none).toContain('No collision on this study in the logs read.');
    expect(none).not.toContain('## 1.');
  });

  it('a resolved collision says when and how', () => {
    const r = fixture('analysis-incident.json');
    r.collisions[0] = { ...r.collisions[0]!, resolvedAt: '2026-11-27T11:00:00', resolvedHow: 'the phantom rows were deleted' };
    const md = renderMarkdown(r);
    expect(md).toContain('Resolved at 2026-11-27T11:00:00: the phantom rows were deleted.');
    expect(md).toContain('✔ resolution');
  });

  it('code spans survive backticks and pipes; text escapes Markdown and HTML', () => {
    expect(mdCode('a`b')).toBe('``a`b``');
    expect(mdCode('a|b', true)).toBe('`a\\|b`');
    expect(mdText('<b>*x*</b> [l](u)')).toBe('\\<b\\>\\*x\\*\\</b\\> \\[l\\](u)');
    expect(mdText('# not a heading')).toBe('\\# not a heading');
  });
});

describe('renderMarkdown on samples/incident (through analyzePaths)', () => {
  it('matches its snapshot and tells the incident of the sample', async () => {
    const rel = path.relative(process.cwd(), path.join(ROOT, 'samples', 'incident')).split(path.sep).join('/');
    expect(rel).toBe('samples/incident');
    const { readable, ...result } = await analyzePaths([rel]);
    expect(readable).toBe(true);
    const md = renderMarkdown(result);
    await expect(md).toMatchFileSnapshot('__snapshots__/samples-incident.md');
    expect(md).toContain(`study ${STUDY}: refused under PatientID '12345678', stored under '123456782' (a BSN)`);
    expect(md).toMatch(/`samples\/incident\/logs\/logs_\d{8}\.zip!serverstatus\.log:\d+`/);
    expect(md).toContain("`Host 'WS2' did not accept the connection`");
    expect(md).toContain(`dgate --deletestudy:123456782:${STUDY}`);
  });
});
