/**
 * Remediation per cause (issue 6, item 2): concrete, copyable steps for a post-mortem, and for the BSN
 * case a generated dicom.ini fragment whose Lua QueryConverter0/RetrieveConverter0 log the PatientID of
 * every C-FIND and C-MOVE and refuse BSN-shaped ones.
 *
 * The dgate commands are those of dgate's own usage text (1.5.0e, `dgate -?`):
 * `--deletestudy:patid:studyuid`, `--deleteseries:patid:seriesuid`, `--deleteimage:patid:sop`,
 * `--movestudy:source,dest,patid:studyuid`, `--modifystudy:p,st,script`. How converters reject was
 * checked in dgate.cpp 1.5.0e: a `[lua]` converter's chunk result is ignored; `destroy()` sets its return
 * code to 2, and QueryMoveScript blocks a C-FIND (status C011) or C-MOVE (C013) when the code is 2,
 * before the virtual server is queried, so no rows are made.
 *
 * Pure functions: the same collision always gives the same text.
 */
import type { Collision, SitePatientIdShape, Warning } from './types.js';
import { isNineDigitSite } from './describe.js';

export interface RemediationStep {
  /** A short imperative title, e.g. "Remove the phantom study". */
  title: string;
  /** Why and what, in a sentence or two. */
  detail: string;
  /** Copyable commands or SQL, one per entry (may be empty). */
  commands: string[];
  /** What we are not sure of, or what to check first. */
  caveat?: string;
  /** The commands are steps one after the other, not alternatives. */
  sequence?: boolean;
  /** A file to add (the dicom.ini fragment), shown as a block. */
  file?: { name: string; language: string; content: string };
}

/** Placeholders the operator fills in: they are not in the normal log. */
export const UPSTREAM_AE = '<UPSTREAM_PACS_AE>';
export const ROUTER_AE = '<ROUTER_AE>';

/** The PatientID of the refused object, from a refusal line (`PatientID = 'X'`). */
function refusedPatientId(c: Collision): string | null {
  for (const e of c.evidence) {
    if (e.kind !== 'refused-link') continue;
    const m = /PatientID = '((?:[^']|'')*)'/.exec(e.text);
    if (m) return m[1]!;
  }
  return c.column.toLowerCase() === 'patientid' ? c.refusedValue : null;
}

/**
 * The AE titles of a retrieve through the router: from the refusing install's dicom.ini when it was
 * read (MyACRNema, VirtualServerFor0), else placeholders; `note` says which, for the caveat.
 */
function moveAes(c: Collision): { upstream: string; router: string; note: string } {
  const ini = c.server;
  const first = ini?.virtualServers[0];
  const upstream = first?.ae || null;
  const router = ini?.myAe || null;
  const said: string[] = [];
  const others = (ini?.virtualServers ?? []).slice(1).map((v) => `VirtualServerFor${v.slot} = ${v.ae}`);
  if (upstream) said.push(`VirtualServerFor${first!.slot} = ${upstream}${others.length > 0 ? ` (also ${others.join(', ')}: use the one that holds the study)` : ''}`);
  if (router) said.push(`MyACRNema = ${router}`);
  const missing: string[] = [];
  if (!upstream) missing.push(`${UPSTREAM_AE} by the virtual server's AE (VirtualServerFor0 in dicom.ini)`);
  if (!router) missing.push(`${ROUTER_AE} by this router's AE title (MyACRNema)`);
  const note = [said.length > 0 ? `AE titles from ${ini!.config}: ${said.join(', ')}.` : '', missing.length > 0 ? `Replace ${missing.join(' and ')}.` : ''].filter(Boolean).join(' ');
  return { upstream: upstream ?? UPSTREAM_AE, router: router ?? ROUTER_AE, note };
}

/** A value made safe to paste inside a dgate argument: no quotes or line breaks survive. */
function arg(v: string): string {
  return v.replace(/[\r\n"'`]/g, '');
}

/**
 * The steps for one collision. `site` is the shape of the site's own PatientIDs: where they are 9
 * digits, about one in eleven passes the BSN 11-check, so a BSN-shaped value proves nothing and a
 * guard refusing BSN-shaped requests would refuse real patients.
 */
export function remediationSteps(c: Collision, site?: SitePatientIdShape): RemediationStep[] {
  const aes = moveAes(c);
  const nineDigitSite = isNineDigitSite(site);
  const bsn = (c.oldLooksLikeBsn || c.refusedLooksLikeBsn) && !nineDigitSite;
  const study = arg(c.studyUid ?? c.key.value);
  const oldV = arg(c.oldValue);
  const refused = arg(c.refusedValue);
  const steps: RemediationStep[] = [];
  if (c.resolvedAt !== null) {
    // Over in the logs: repairing the database now would undo the fix. What is left is what the
    // refusals lost (unless the objects were stored later) and keeping it from happening again.
    steps.push({
      title: 'Nothing to repair in the database',
      detail: `The logs show the collision ended at ${c.resolvedAt}${c.resolvedHow ? ` (${c.resolvedHow})` : ''}. Do not delete or modify the study now: that would remove what is right.`,
      commands: [],
    });
    if (!/stored under/.test(c.resolvedHow ?? '') && c.table.toLowerCase() === 'dicomstudies') {
      steps.push({
        title: 'Have the refused objects sent again',
        detail: `The objects refused before the collision ended were not stored. Ask the sender to re-send study ${study} (it will arrive under '${refused}').`,
        commands: [],
      });
    }
  } else switch (c.cause) {
    case 'phantom-from-failed-retrieve': {
      steps.push({
        title: 'Confirm the phantom rows',
        detail:
          `The study is linked to PatientID '${oldV}' by database rows a failed retrieve made: image rows on device MAG0.0 (a virtual-server device) with no file behind them. ` +
          'Look at them before deleting anything.',
        commands: [
          `SELECT PatientID, StudyInsta FROM DICOMStudies WHERE StudyInsta = '${study}';`,
          `SELECT SOPInstanc, DeviceName, ObjectFile FROM DICOMImages WHERE ImagePat = '${oldV}';`,
        ],
        caveat:
          "Column names are the short ones of the default dicom.sql; use StudyInstanceUID/SOPInstanceUID if yours has the long names. If some rows are on a real device (MAG0, no '.N'), files did arrive under this ID: keep them and treat it as an ID change instead.",
      });
      steps.push({
        title: 'Remove the phantom study',
        detail: `Delete the study as it is stored under '${oldV}' (run on the router, in its Conquest folder; add -p<port> -q<ip> to reach a server elsewhere).`,
        commands: [`dgate --deletestudy:${oldV}:${study}`],
        caveat: 'deletestudy removes the database rows and any files of that study under that PatientID. Phantom rows have no files, so nothing real is lost, unless step 1 showed real files.',
      });
      steps.push({
        title: 'Have the study sent again',
        // The AE note stands in the detail: the flat lines (analyze, tail) print no caveat.
        detail: `Nothing of the refused objects was stored. Ask the sender to re-send study ${study} (it will arrive under '${refused}'), or pull it again through the router from the upstream PACS. ${aes.note}`,
        commands: [`dgate --movestudy:${arg(aes.upstream)},${arg(aes.router)},${arg(refusedPatientId(c) ?? refused)}:${study}`],
        caveat: `The upstream PACS must know the router's AE. If unsure, a re-send from the modality or a new retrieve from the workstation by the hospital PatientID is the safer route.`,
      });
      steps.push({
        title: 'Check the move destination',
        detail:
          "The retrieve failed because its destination did not accept the connection. Look that AE up in acrnema.map itself, in the router's Conquest folder: wildcard entries such as S*, V*, W* make a mistyped AE look known. The command below lists only the entries without a wildcard, so an AE the router accepted that is missing from its list was matched by a wildcard.",
        commands: ['dgate --get_amaps:'],
        caveat: 'get_amaps leaves out every entry whose name holds a * (dgate.cpp, get_amaps); only the file shows those.',
      });
      break;
    }
    case 'patient-id-changed-at-source': {
      steps.push({
        title: 'Decide which PatientID is right',
        detail: `The study is stored under '${oldV}' and now arrives as '${refused}'. Ask the sender or the HIS which ID belongs to this patient.`,
        commands: [],
      });
      steps.push({
        title: `If '${refused}' is right: correct the stored study`,
        detail: 'Either change the stored study to the new PatientID, or delete it and have it re-sent.',
        commands: [`dgate --modifystudy:${oldV},${study},set PatientID to "${refused}"`, `dgate --deletestudy:${oldV}:${study}`],
        caveat:
          'modifystudy runs an ImportConverter script on every stored file of the study and rewrites it; try it on a test server first, and quote the argument as your shell needs. After deletestudy, ask the sender to re-send.',
      });
      steps.push({
        title: `If '${oldV}' is right: correct it at the sender`,
        detail: 'Fix the PatientID at the modality or PACS that sent the study, then re-send it; the router will accept it.',
        commands: [],
      });
      break;
    }
    case 'series-reused-across-studies': {
      const pid = refusedPatientId(c);
      steps.push({
        title: 'Find out why the sender reused a series UID',
        detail: `Series ${c.key.value} is stored in study ${c.oldValue} and now arrives in study ${c.refusedValue}. Check the sender's UID generation, and whether the study was edited (re-split, re-numbered) and sent again.`,
        commands: [],
      });
      steps.push({
        title: 'If the new study is right: remove the old series and re-send',
        detail: 'Delete the series as stored, then have the sender re-send it.',
        commands: pid ? [`dgate --deleteseries:${arg(pid)}:${arg(c.key.value)}`] : [],
        caveat: 'This deletes the stored series files too: be sure the old copy is not needed.',
      });
      break;
    }
    case 'image-moved-across-series': {
      const pid = refusedPatientId(c);
      steps.push({
        title: 'Find out why the sender moved an image to another series',
        detail: `Image ${c.key.value} is stored in series ${c.oldValue} and now arrives in series ${c.refusedValue}: the sender re-used a SOP instance UID.`,
        commands: [],
      });
      steps.push({
        title: 'If the new series is right: remove the old image and re-send',
        detail: 'Delete the image as stored, then have the sender re-send it.',
        commands: pid ? [`dgate --deleteimage:${arg(pid)}:${arg(c.key.value)}`] : [],
        caveat: 'This deletes the stored file too.',
      });
      break;
    }
    case 'unexplained': {
      steps.push({
        title: 'Look the study up in the router database',
        detail: `Find out where '${oldV}' came from: image rows on a MAGn.N device have no file and were made by a virtual-server retrieve; rows on MAGn were stored.`,
        commands: [`SELECT SOPInstanc, DeviceName, ObjectFile FROM DICOMImages WHERE ImagePat = '${oldV}';`],
        caveat: 'Short column names of the default dicom.sql; use the long names if yours has them.',
      });
      steps.push({
        title: 'Read older logs',
        detail: 'The cause may be older than the logs read: add the daily archives (logs/logs_*.zip) and run the report again.',
        commands: [],
      });
      break;
    }
  }
  if (bsn || c.cause === 'unexplained' || c.cause === 'phantom-from-failed-retrieve') {
    steps.push(guardStep(bsn, !nineDigitSite));
  }
  if (bsn) {
    steps.push({
      title: 'Tell the privacy officer',
      detail:
        "A BSN (Dutch citizen service number) was used as a PatientID and is now in the router's database and possibly its logs. Share this report only as made by cqlog report --redact, which replaces patient IDs and BSNs by keyed pseudonyms.",
      commands: [],
    });
  }
  if (c.resolvedAt === null) steps.push({
    title: 'Verify',
    detail: 'After the fix, run cqlog on the newer logs: the collision should show as resolved (a Written file under the refused PatientID, no new refusals).',
    commands: ['cqlog report --study ' + study + ' <conquest-folder>'],
  });
  return steps;
}

function guardStep(bsn: boolean, refuse = true): RemediationStep {
  return {
    title: bsn ? 'Prevent the next BSN retrieve' : 'Log the PatientID of every query and retrieve',
    detail:
      (bsn
        ? 'Refuse C-FIND and C-MOVE requests whose PatientID is BSN-shaped, before the virtual server is asked, so no rows are made under a BSN. '
        : 'The normal log never names the PatientID of a retrieve. ') +
      'The converters below print the PatientID of every C-FIND and C-MOVE to the operator log, so a future collision is explained with certainty. ' +
      (refuse ? '' : "They refuse nothing: this site's own PatientIDs are 9 digits, and about one in eleven of them passes the BSN 11-check. ") +
      'Add the fragment to dicom.ini (merge it into an existing [lua] section) and restart the server or re-read dicom.ini.',
    commands: ['dgate --read_ini:'],
    caveat:
      'Checked against dgate 1.5.0e source, not on your server: try it on a test server first. It only sees a PatientID the requester sent (a study-level move by StudyInstanceUID alone is not refused), and it prints PatientIDs, BSNs included, into the operator log.',
    file: { name: 'dicom.ini', language: 'ini', content: bsnGuardIniFragment(refuse) },
  };
}

/** Flat lines for `analyze` and alerts: one per step, with its commands. */
export function remediationFor(c: Collision, site?: SitePatientIdShape): string[] {
  return flatSteps(remediationSteps(c, site));
}

function flatSteps(steps: RemediationStep[]): string[] {
  return steps.map((s) => {
    const cmds = s.commands.length > 0 ? ` ${s.commands.map((x) => `\`${x}\``).join(s.sequence ? ' then ' : ' or ')}` : '';
    // The flat lines carry no file: say where the fragment is.
    const file = s.file ? ` The ${s.file.name} fragment is printed by \`cqlog report\` (Markdown or HTML).` : '';
    return `${s.title}: ${s.detail}${cmds}${file}`;
  });
}

/**
 * The steps for an open phantom-risk warning: a retrieve found images, its destination refused the
 * connection, and no clean-up of its rows was seen. Nothing is refused yet, so nothing needs
 * deleting in a hurry: a later retrieve that reaches its destination cleans the rows up itself
 * (reference §4.1: `*** missing file: MAG0.0 …`, `Deleting database entry for image`).
 */
export function warningRemediationSteps(w: Warning, site?: SitePatientIdShape): RemediationStep[] {
  const folder = w.patientFolder === null ? null : arg(w.patientFolder);
  const dest = arg(w.destinationAe ?? '?');
  const steps: RemediationStep[] = [];
  steps.push({
    title: 'Look for the rows without files',
    detail: folder
      ? `The retrieve made database rows under PatientID '${folder}' on a virtual-server device (MAG0.0 for VirtualServerFor0, MAG0.1 for the next) with no file behind them.`
      : `The retrieve made database rows on a virtual-server device (MAG0.0 for VirtualServerFor0, MAG0.1 for the next) with no file behind them; the normal log level does not name their PatientID (debug level does: Virtual query … added).`,
    commands: folder
      ? [`SELECT SeriesInst, COUNT(*) FROM DICOMImages WHERE ImagePat = '${folder}' AND DeviceName LIKE 'MAG%.%' GROUP BY SeriesInst;`]
      : [`SELECT ImagePat, COUNT(*) FROM DICOMImages WHERE DeviceName LIKE 'MAG%.%' GROUP BY ImagePat;`],
    caveat: "Column names are the short ones of the default dicom.sql. A row keeps its '.N' suffix until its file arrives (Conquest then strips it), so every row listed is one whose file never came: this retrieve's or another unfinished one's.",
  });
  const key = folder ? `PatientID '${folder}'` : 'the same PatientID';
  steps.push({
    title: 'Clean them up before a push is refused',
    detail:
      `Until the rows are gone, a push or a retrieve of the same study under another PatientID will be refused. Either fix the destination and retrieve the same data again by ${key}, the key of the failed retrieve, to a destination that accepts: rows whose files the upstream PACS no longer returns under that ID are logged *** missing file: MAG0.0 … and Deleting database entry for image, and go (reference §7). ` +
      `Or delete the study as it is stored under ${key}${folder ? '' : ' (from step 1)'}, once step 1 showed that all its image rows are on a '.N' device (deletestudy also removes any files of that study under that ID): first look up its StudyInsta, then delete.`,
    commands: folder ? [`SELECT StudyInsta FROM DICOMStudies WHERE PatientID = '${folder}';`, `dgate --deletestudy:${folder}:<StudyInsta>`] : [`dgate --deletestudy:<PatientID>:<StudyInsta>`],
    sequence: true,
    caveat: 'deletestudy removes the database rows and any files of that study under that PatientID; rows on a .N device have no files, so nothing real is lost unless step 1 showed rows on a device without the suffix.',
  });
  steps.push({
    title: 'Check the move destination',
    detail: `Host '${dest}' did not accept the connection: look ${dest} up in acrnema.map itself, in the router's Conquest folder (address and port), and on the destination the AE title it expects. Wildcard entries such as S*, V*, W* make a mistyped AE look known.`,
    commands: ['dgate --get_amaps:'],
    caveat: 'get_amaps leaves out every entry whose name holds a * (dgate.cpp, get_amaps); only the file shows those.',
  });
  if (w.patientFolderLooksLikeBsn && !isNineDigitSite(site)) {
    steps.push({
      title: 'Then retrieve by the hospital PatientID',
      detail: `The rows are under a BSN (Dutch citizen service number), not a hospital PatientID. Once they are gone (step 2), ask the user at ${arg(w.requestingAe ?? 'the requesting workstation')} to retrieve by the hospital PatientID; before that, such a retrieve is refused inside the virtual query (**** Virtual query db problem) and fails. Tell the privacy officer, and share this output only as made with --redact.`,
      commands: [],
    });
  }
  return steps;
}

/** The warning's steps as flat lines (the `remediation` of `analyze --json`). */
export function warningRemediationFor(w: Warning, site?: SitePatientIdShape): string[] {
  return flatSteps(warningRemediationSteps(w, site));
}

/**
 * The Lua of one converter, on one line (Conquest reads a `[lua]` value as one line, at most 511
 * characters). `kind` is `C-FIND` or `C-MOVE`. Globals it relies on: `Data` (the request identifier),
 * `Command` (the command object; `Command.MoveDestination` for a C-MOVE), `Association.Calling`,
 * `print` (to the operator log) and `destroy` (refuse the request).
 */
export function bsnGuardLua(kind: 'C-FIND' | 'C-MOVE', refuse = true): string {
  const dest = kind === 'C-MOVE' ? "..' to='..tostring(Command.MoveDestination)" : '';
  return (
    "local p=(tostring(Data.PatientID or ''):gsub('^%s+',''):gsub('%s+$','')) " +
    'local o,a=pcall(function() return Association.Calling end) ' +
    `print('cqlog-guard ${kind} PatientID='..p..' from='..tostring(o and a or '?')${dest})` +
    (refuse
      ? ' ' +
        "if p:match('^%d%d%d%d%d%d%d%d%d$') and tonumber(p)>0 then " +
        'local s=-tonumber(p:sub(9)) for i=1,8 do s=s+(10-i)*p:sub(i,i) end ' +
        `if s%11==0 then print('cqlog-guard refused ${kind}: BSN-shaped PatientID') destroy() end end`
      : '')
  );
}

/** Conquest's limit for a `[lua]` converter value (szExecName[512] in CallImportConverterN). */
export const LUA_INI_VALUE_MAX = 511;

/** The dicom.ini fragment: comment lines (`;`) and the two converters. */
export function bsnGuardIniFragment(refuse = true): string {
  if (!refuse) {
    return [
      '; --- cqlog: log the PatientID of every C-FIND and C-MOVE (refuses nothing) ---',
      '; Merge into an existing [lua] section; a converter already set there must be combined by hand.',
      '; Each request prints a line "cqlog-guard C-MOVE PatientID=... from=... to=..." to the log.',
      '[lua]',
      `QueryConverter0 = ${bsnGuardLua('C-FIND', false)}`,
      `RetrieveConverter0 = ${bsnGuardLua('C-MOVE', false)}`,
      '',
    ].join('\n');
  }
  return [
    '; --- cqlog: log the PatientID of every C-FIND and C-MOVE; refuse BSN-shaped PatientIDs ---',
    '; Merge into an existing [lua] section; a converter already set there must be combined by hand.',
    '; BSN shape: 9 digits with 9*d1+8*d2+...+2*d8-d9 divisible by 11 (the Dutch 11-check).',
    '; Refusing uses destroy(): a [lua] converter ignores its return value; destroy() makes',
    '; dgate answer C-FIND with C011 and C-MOVE with C013 before the virtual server is queried',
    '; (dgate 1.5.0e source). Not tested on a live server by cqlog: try it on a test server first.',
    '; Each request prints a line "cqlog-guard C-MOVE PatientID=... from=... to=..." to the log.',
    '[lua]',
    `QueryConverter0 = ${bsnGuardLua('C-FIND')}`,
    `RetrieveConverter0 = ${bsnGuardLua('C-MOVE')}`,
    '',
  ].join('\n');
}
