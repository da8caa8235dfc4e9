/** Remediation per cause, and the generated Lua guard: compiled by luac5.1 and run by lua5.1 against BSN and non-BSN values. */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import type { CauseId, Collision, Warning } from '../../src/explain/types.js';
import { looksLikeBsn } from '../../src/common/bsn.js';
import { bsnGuardIniFragment, bsnGuardLua, LUA_INI_VALUE_MAX, remediationFor, remediationSteps, warningRemediationFor, warningRemediationSteps } from '../../src/explain/remediation.js';
import { fixture, hasTool, inCI } from './helpers.js';
import { idNote } from '../../src/explain/describe.js';

const STUDY = '1.3.46.670589.5.2.10.2156913941.892665384.993397';
const BSN_ID = '123456782';
const incident = (): Collision => fixture('analysis-incident.json').collisions[0]!;
const withCause = (cause: CauseId, over: Partial<Collision> = {}): Collision => ({ ...incident(), cause, oldLooksLikeBsn: false, ...over });

const hasLuac = hasTool('luac5.1');
const hasLua = hasTool('lua5.1');
if (!inCI() && (!hasLuac || !hasLua)) console.warn('luac5.1/lua5.1 not installed (apt-get install -y lua5.1): the Lua checks are skipped on this machine; in CI they run.');
const luaIt = inCI() || (hasLuac && hasLua) ? it : it.skip;

describe('remediationSteps', () => {
  it('phantom rows: confirm, delete the phantom study under Old, re-send, check acrnema.map, guard, privacy, verify', () => {
    const steps = remediationSteps(incident());
    const cmds = steps.flatMap((s) => s.commands);
    expect(cmds).toContain(`dgate --deletestudy:123456782:${STUDY}`);
    expect(cmds.some((c) => c.startsWith('dgate --movestudy:') && c.endsWith(`,12345678:${STUDY}`))).toBe(true);
    expect(cmds.some((c) => /^SELECT .* FROM DICOMImages WHERE ImagePat = '123456782';$/.test(c))).toBe(true);
    expect(steps.map((s) => s.title)).toEqual(expect.arrayContaining(['Remove the phantom study', 'Prevent the next BSN retrieve', 'Tell the privacy officer']));
    const guard = steps.find((s) => s.file);
    expect(guard?.file?.content).toBe(bsnGuardIniFragment());
    // The delete comes after the look and before the re-send.
    const order = steps.map((s) => s.title);
    expect(order.indexOf('Confirm the phantom rows')).toBeLessThan(order.indexOf('Remove the phantom study'));
    expect(order.indexOf('Remove the phantom study')).toBeLessThan(order.indexOf('Have the study sent again'));
  });

  it("fills the retrieve's AE titles from the refusing install's dicom.ini, and says where they came from", () => {
    const step = (c: Collision) => remediationSteps(c).find((s) => s.title === 'Have the study sent again')!;
    // No dicom.ini read (or an analysis saved before the field existed): placeholders, and what to put there.
    const none = step({ ...incident(), server: null });
    expect(none.commands).toEqual([`dgate --movestudy:<UPSTREAM_PACS_AE>,<ROUTER_AE>,12345678:${STUDY}`]);
    expect(none.detail).toMatch(/Replace <UPSTREAM_PACS_AE> by .*VirtualServerFor0.* and <ROUTER_AE> by .*MyACRNema/);
    const both = step({ ...incident(), server: { config: 'router/dicom.ini', myAe: 'ROUTER', virtualServers: [{ slot: 1, ae: 'MAINPACS' }, { slot: 3, ae: 'OLDPACS' }] } });
    expect(both.commands).toEqual([`dgate --movestudy:MAINPACS,ROUTER,12345678:${STUDY}`]);
    // In the detail, so the flat lines of analyze and tail carry it too.
    expect(both.detail).toMatch(/AE titles from router\/dicom\.ini: VirtualServerFor1 = MAINPACS \(also VirtualServerFor3 = OLDPACS: use the one that holds the study\), MyACRNema = ROUTER\.$/);
    expect(both.detail).not.toContain('Replace');
    expect(remediationFor({ ...incident(), server: null }).find((x) => x.startsWith('Have the study sent again'))).toMatch(/Replace <UPSTREAM_PACS_AE> by/);
    // Only what the file holds is filled in.
    const half = step({ ...incident(), server: { config: 'r/dicom.ini', myAe: 'ROUTER', virtualServers: [] } });
    expect(half.commands).toEqual([`dgate --movestudy:<UPSTREAM_PACS_AE>,ROUTER,12345678:${STUDY}`]);
    expect(half.detail).toMatch(/MyACRNema = ROUTER\. Replace <UPSTREAM_PACS_AE>/);
  });

  it('an open phantom-risk warning: find the rows, clean them up (retrieve by the same ID, or delete), fix the destination; retrieve by hospital ID only after, under a BSN', () => {
    const w: Warning = fixture('analysis-incident.json').warnings[0]!;
    const plain = warningRemediationSteps({ ...w, patientFolder: null, patientFolderLooksLikeBsn: null });
    expect(plain.map((s) => s.title)).toEqual(['Look for the rows without files', 'Clean them up before a push is refused', 'Check the move destination']);
    expect(plain[1]!.commands).toEqual(['dgate --deletestudy:<PatientID>:<StudyInsta>']);
    expect(plain[0]!.commands).toEqual([`SELECT ImagePat, COUNT(*) FROM DICOMImages WHERE DeviceName LIKE 'MAG%.%' GROUP BY ImagePat;`]);
    expect(plain[2]!.detail).toContain("Host 'WS3' did not accept");
    const bsn = warningRemediationSteps({ ...w, patientFolder: BSN_ID, patientFolderLooksLikeBsn: true });
    expect(bsn[0]!.commands).toEqual([`SELECT SeriesInst, COUNT(*) FROM DICOMImages WHERE ImagePat = '${BSN_ID}' AND DeviceName LIKE 'MAG%.%' GROUP BY SeriesInst;`]);
    // Clean-up by the key of the failed retrieve (reference §7), and the hospital ID only after it.
    expect(bsn[1]!.detail).toContain(`retrieve the same data again by PatientID '${BSN_ID}'`);
    expect(bsn[1]!.commands).toEqual([`SELECT StudyInsta FROM DICOMStudies WHERE PatientID = '${BSN_ID}';`, `dgate --deletestudy:${BSN_ID}:<StudyInsta>`]);
    const then = bsn.find((s) => s.title === 'Then retrieve by the hospital PatientID')!;
    expect(then.detail).toMatch(/Once they are gone .*before that, such a retrieve is refused inside the virtual query/);
    // On a site whose own IDs are 9 digits a BSN-shaped folder proves nothing.
    const nine = { samples: 40, length: 9, digitsOnly: true, prefix: '', description: '9 digits' };
    expect(warningRemediationSteps({ ...w, patientFolder: BSN_ID, patientFolderLooksLikeBsn: true }, nine).map((s) => s.title)).not.toContain('Then retrieve by the hospital PatientID');
    expect(warningRemediationFor(w)).toHaveLength(3);
    // Look up, then delete: one after the other, not alternatives.
    expect(warningRemediationFor({ ...w, patientFolder: BSN_ID, patientFolderLooksLikeBsn: true })[1]).toContain(`WHERE PatientID = '${BSN_ID}';\` then \`dgate --deletestudy:${BSN_ID}:<StudyInsta>\``);
  });

  it('an ID change at the source: decide, then modify or delete under Old, or fix the sender', () => {
    const cmds = remediationSteps(withCause('patient-id-changed-at-source')).flatMap((s) => s.commands);
    expect(cmds).toContain(`dgate --modifystudy:123456782,${STUDY},set PatientID to "12345678"`);
    expect(cmds).toContain(`dgate --deletestudy:123456782:${STUDY}`);
    expect(remediationSteps(withCause('patient-id-changed-at-source')).some((s) => s.file)).toBe(false);
  });

  it('series and image link refusals name what to check and the delete command with the PatientID of the refusal line', () => {
    const series = remediationSteps(withCause('series-reused-across-studies', { table: 'DICOMSeries', column: 'StudyInsta', key: { column: 'SeriesInst', value: '1.2.3.4' }, oldValue: '1.2.3', refusedValue: '1.2.9' }));
    expect(series[0]!.title).toMatch(/reused a series UID/);
    expect(series.flatMap((s) => s.commands)).toContain('dgate --deleteseries:12345678:1.2.3.4');
    const image = remediationSteps(withCause('image-moved-across-series', { table: 'DICOMImages', column: 'SeriesInst', key: { column: 'SOPInstanc', value: '1.2.3.4.5' }, oldValue: '1.2.3.4', refusedValue: '1.2.3.9' }));
    expect(image.flatMap((s) => s.commands)).toContain('dgate --deleteimage:12345678:1.2.3.4.5');
  });

  it('unexplained: look it up, read older logs, and log PatientIDs from now on', () => {
    const steps = remediationSteps(withCause('unexplained'));
    expect(steps.map((s) => s.title)).toEqual(expect.arrayContaining(['Read older logs', 'Log the PatientID of every query and retrieve']));
  });

  it('a resolved collision: nothing to repair, re-send what was refused unless it was stored later; guard and privacy stay, no verify', () => {
    const cleaned = remediationSteps({ ...incident(), resolvedAt: '2026-11-27T11:00:00', resolvedHow: "the phantom rows of '123456782' were deleted by a later retrieve's clean-up (x:98)" });
    const titles = cleaned.map((s) => s.title);
    expect(titles[0]).toBe('Nothing to repair in the database');
    expect(titles).toContain('Have the refused objects sent again');
    expect(titles).toEqual(expect.arrayContaining(['Prevent the next BSN retrieve', 'Tell the privacy officer']));
    expect(titles).not.toContain('Remove the phantom study');
    expect(titles).not.toContain('Verify');
    expect(cleaned.flatMap((s) => s.commands).some((c) => c.startsWith('dgate --deletestudy'))).toBe(false);
    const stored = remediationSteps({ ...incident(), resolvedAt: '2026-11-28T08:05:00', resolvedHow: "objects of the study were later stored under '12345678' (x:9)" });
    expect(stored.map((s) => s.title)).not.toContain('Have the refused objects sent again');
  });

  it("on a site whose own PatientIDs are 9 digits a BSN-shaped Old proves nothing: no privacy step, a guard that only logs", () => {
    const site = { samples: 40, length: 9, digitsOnly: true, prefix: null, description: '9 digits' };
    const steps = remediationSteps(incident(), site);
    const titles = steps.map((s) => s.title);
    expect(titles).not.toContain('Tell the privacy officer');
    expect(titles).toContain('Log the PatientID of every query and retrieve');
    const guard = steps.find((s) => s.file)!;
    expect(guard.file!.content).toBe(bsnGuardIniFragment(false));
    expect(guard.file!.content).not.toMatch(/destroy\(\)/);
    expect(guard.detail).toMatch(/refuse nothing/);
    expect(idNote('Old', '123456782', site)).toMatch(/passes the BSN 11-check, but this site's PatientIDs are 9 digits .* may be an ordinary PatientID/);
    expect(idNote('Old', '123456782', { ...site, length: 8, description: '8 digits' })).toMatch(/is a BSN .* this site's PatientIDs are 8 digits/);
    // A few samples do not decide it: they could all be the BSN's own folder.
    expect(remediationSteps(incident(), { ...site, samples: 2 }).map((s) => s.title)).toContain('Tell the privacy officer');
    // An 8-digit site keeps the refusing guard.
    expect(remediationSteps(incident(), { ...site, length: 8, description: '8 digits' }).find((s) => s.file)!.file!.content).toBe(bsnGuardIniFragment());
  });

  it('quotes and line breaks from a hostile value never reach a command', () => {
    const steps = remediationSteps(withCause('phantom-from-failed-retrieve', { oldValue: "12'3\n; rm -rf /" }));
    for (const c of steps.flatMap((s) => s.commands)) if (c.startsWith('dgate')) expect(c).not.toMatch(/['\n]/);
  });

  it('remediationFor flattens the steps into one line each', () => {
    const lines = remediationFor(incident());
    expect(lines.length).toBe(remediationSteps(incident()).length);
    expect(lines.join('\n')).toContain(`\`dgate --deletestudy:123456782:${STUDY}\``);
    // A step with a file (the dicom.ini guard) says where the file is printed, since the flat line cannot hold it.
    const withFile = remediationSteps(incident()).findIndex((s) => s.file !== undefined);
    expect(withFile).toBeGreaterThanOrEqual(0);
    expect(lines[withFile]).toMatch(/dicom\.ini fragment is printed by `cqlog report`/);
    // get_amaps leaves wildcard entries out (dgate.cpp): the step sends the user to acrnema.map itself.
    expect(lines.join('\n')).toMatch(/acrnema\.map itself/);
  });
});

describe('the dicom.ini BSN guard', () => {
  const lines = bsnGuardIniFragment().split('\n');
  const value = (key: string): string => lines.find((l) => l.startsWith(`${key} = `))!.slice(key.length + 3);

  it('has a [lua] section with QueryConverter0 and RetrieveConverter0, each one line within Conquest\'s 511 characters', () => {
    expect(lines).toContain('[lua]');
    for (const k of ['QueryConverter0', 'RetrieveConverter0']) {
      expect(value(k).length).toBeGreaterThan(50);
      expect(value(k).length).toBeLessThanOrEqual(LUA_INI_VALUE_MAX);
    }
    // Every other line is a comment or blank, so the fragment can be pasted as is.
    for (const l of lines) expect(l === '' || l === '[lua]' || l.startsWith(';') || /^(Query|Retrieve)Converter0 = /.test(l)).toBe(true);
    expect(value('RetrieveConverter0')).toBe(bsnGuardLua('C-MOVE'));
    expect(value('QueryConverter0')).toBe(bsnGuardLua('C-FIND'));
  });

  luaIt('compiles with luac5.1 -p', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cqlog-lua-'));
    for (const kind of ['C-FIND', 'C-MOVE'] as const) {
      const f = path.join(dir, `${kind}.lua`);
      writeFileSync(f, bsnGuardLua(kind) + '\n');
      const r = spawnSync('luac5.1', ['-p', f], { encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    }
    // And the compiler does reject broken Lua, so the check means something.
    const bad = path.join(dir, 'bad.lua');
    writeFileSync(bad, bsnGuardLua('C-MOVE').replace(/ end end$/, ' end'));
    expect(spawnSync('luac5.1', ['-p', bad]).status).not.toBe(0);
  });

  /** Runs a converter in lua5.1 with stubbed Data, Command, Association, print and destroy. */
  function runGuard(kind: 'C-FIND' | 'C-MOVE', ids: (string | null)[], refuse = true): { id: string | null; destroyed: boolean; printed: string[] }[] {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cqlog-lua-'));
    const body = path.join(dir, 'guard.lua');
    writeFileSync(body, bsnGuardLua(kind, refuse));
    const harness = path.join(dir, 'harness.lua');
    writeFileSync(
      harness,
      `local f = assert(loadfile(${JSON.stringify(body)}))
local ids = {...}
for _, raw in ipairs(ids) do
  local id = raw ~= '<nil>' and raw or nil
  local printed, destroyed = {}, false
  local env = setmetatable({
    Data = { PatientID = id },
    Command = { MoveDestination = 'WS2' },
    Association = { Calling = 'WS1' },
    print = function(...) printed[#printed + 1] = table.concat({...}, '\\t') end,
    destroy = function() destroyed = true end,
  }, { __index = _G })
  setfenv(f, env)
  f()
  io.write(raw, '\\1', tostring(destroyed), '\\1', table.concat(printed, '\\2'), '\\n')
end
`,
    );
    const r = spawnSync('lua5.1', [harness, ...ids.map((x) => x ?? '<nil>')], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    return r.stdout
      .trimEnd()
      .split('\n')
      .map((l) => {
        const [raw, d, p] = l.split('\u0001');
        return { id: raw === '<nil>' ? null : raw!, destroyed: d === 'true', printed: p ? p.split('\u0002') : [] };
      });
  }

  luaIt('refuses BSN-shaped PatientIDs and logs every request', () => {
    const out = runGuard('C-MOVE', ['123456782', '12345678', '123456789', ' 123456782 ', '000000000', 'ABC', '1234567820', '', null]);
    const byId = new Map(out.map((o) => [o.id, o]));
    expect(byId.get('123456782')!.destroyed).toBe(true);
    expect(byId.get(' 123456782 ')!.destroyed).toBe(true);
    for (const id of ['12345678', '123456789', '000000000', 'ABC', '1234567820', '', null]) expect(byId.get(id)!.destroyed, String(id)).toBe(false);
    expect(byId.get('123456782')!.printed).toEqual(['cqlog-guard C-MOVE PatientID=123456782 from=WS1 to=WS2', 'cqlog-guard refused C-MOVE: BSN-shaped PatientID']);
    expect(byId.get('12345678')!.printed).toEqual(['cqlog-guard C-MOVE PatientID=12345678 from=WS1 to=WS2']);
    expect(byId.get(null)!.printed).toEqual(['cqlog-guard C-MOVE PatientID= from=WS1 to=WS2']);
    const find = runGuard('C-FIND', ['123456782', '12345678']);
    expect(find.map((f) => f.destroyed)).toEqual([true, false]);
    expect(find[0]!.printed[0]).toBe('cqlog-guard C-FIND PatientID=123456782 from=WS1');
  });

  luaIt('the variant for 9-digit sites logs every request and refuses none', () => {
    const out = runGuard('C-MOVE', ['123456782', '12345678'], false);
    expect(out.map((o) => o.destroyed)).toEqual([false, false]);
    expect(out[0]!.printed).toEqual(['cqlog-guard C-MOVE PatientID=123456782 from=WS1 to=WS2']);
  });

  luaIt('agrees with the TypeScript 11-check on many 9-digit values', () => {
    // Deterministic values: every 9-digit number of a simple sequence, about one in eleven a BSN.
    const ids: string[] = [];
    for (let i = 0; i < 300; i++) ids.push(String(100000000 + ((i * 7919 * 104729) % 900000000)).padStart(9, '0'));
    ids.push('111222333', '999999990', '010000008');
    const out = runGuard('C-MOVE', ids);
    let bsns = 0;
    for (const o of out) {
      expect(o.destroyed, o.id!).toBe(looksLikeBsn(o.id!));
      if (o.destroyed) bsns++;
    }
    expect(bsns).toBeGreaterThan(5);
  });
});
