/** `cqlog report` end to end on the bundled incident: Markdown to stdout, HTML to a file, --study, --redact. */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../helpers.js';

const INCIDENT = 'samples/incident';
const STUDY = '1.3.46.670589.5.2.10.2156913941.892665384.993397';
const env = { CQLOG_REDACT_KEY: 'report-cli-test-key' };

describe('cqlog report', () => {
  it('prints a Markdown post-mortem of the incident', () => {
    const r = runCli(['report', INCIDENT], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^# Conquest post-mortem\n\nGenerated \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2} by cqlog\./);
    for (const h of ['### Summary', '### Cause: Phantom database rows left by a failed retrieve', '### Timeline', '### Evidence', '### Resolution', '### Remediation', '## Open warnings']) expect(r.stdout).toContain(h);
    expect(r.stdout).toContain(`dgate --deletestudy:123456782:${STUDY}`);
    expect(r.stdout).toMatch(/`samples\/incident\/logs\/logs_\d{8}\.zip!serverstatus\.log:\d+`/);
    expect(r.stdout).toContain('RetrieveConverter0 = ');
  });

  it('writes one self-contained HTML file with --format html --out', () => {
    const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'cqlog-report-')), 'incident.html');
    const r = runCli(['report', '--format', 'html', '--out', out, INCIDENT], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    const html = readFileSync(out, 'utf8');
    expect(html).toContain('<meta http-equiv="Content-Security-Policy"');
    expect(html).toContain('<svg xmlns="http://www.w3.org/2000/svg" class="timeline"');
    expect(html).toContain('id="cqlog-data"');
    expect(html).not.toMatch(/<script[^>]*\ssrc=|<link\b/);
  });

  it('--study picks the collision; an unknown study exits 2 with a message', () => {
    const ok = runCli(['report', '--study', STUDY, INCIDENT], { env });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain(`Study \`${STUDY}\`: 1 collision`);
    const bad = runCli(['report', '--study', '1.2.3', INCIDENT], { env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('no collision on study 1.2.3');
  });

  it('--redact leaves no patient ID or BSN in the Markdown or the HTML (text, SVG, search index)', () => {
    const md = runCli(['report', '--redact', INCIDENT], { env });
    expect(md.code).toBe(0);
    expect(md.stdout).not.toMatch(/123456782|12345678(?!\d)/);
    expect(md.stdout).toMatch(/stored under 'P-[0-9a-f]{8}' \(a BSN\)/);
    const html = runCli(['report', '--redact', '--format', 'html', INCIDENT], { env });
    expect(html.code).toBe(0);
    expect(html.stdout).not.toMatch(/123456782|12345678(?!\d)/);
    const pseudonyms = new Set(html.stdout.match(/P-[0-9a-f]{8}/g));
    expect(pseudonyms.size).toBe(2);
  });

  it('exits 2 when nothing is readable', () => {
    const r = runCli(['report', 'no/such/folder'], { env });
    expect(r.code).toBe(2);
  });
});
