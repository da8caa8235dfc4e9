/**
 * Object-level server commands (dgate.cpp:2576-4252, 8182-8193, 19542-19716): adding, modifying,
 * merging, attaching and deleting image files through dgate options, the GUI or Lua. Reference
 * §2.2 (delete/modify commands) and §5; formats from conquest-log-formats.tsv.
 */
import type { CatalogRow } from '../types.js';

/** The bracketed command names of object-level failures. */
const COMMANDS =
  'DeleteImageFile|GetImageFileUID|AddImageFile|ModifyPATIDofImageFile|ModifyPATIDofDDO|MergeUIDofDDO|MergeUIDofImageFile|AttachFile|' +
  'AttachRTPLANToRTSTRUCT|AttachAnyToPatient|AttachAnyToStudy|AttachAnyToSeries|TestCompress|recompressFile|lua addimage';

export const objectRows: CatalogRow[] = [
  {
    kind: 'object-command-failed',
    description: 'An add/modify/merge/attach/delete command could not load a file or found wrong UIDs in it',
    ref: 'dgate.cpp:2781-4189, 19549, nkiqrsop.cpp:4733',
    logger: 'N',
    pattern: new RegExp(`^\\*\\*\\* ?\\[(?<command>${COMMANDS})\\]? (?:(?<path>.*?) )?-FAILED: (?<reason>.*)$`),
    samples: [
      { line: '***[AddImageFile] D:\\import\\x.dcm -FAILED: Error on Load', fields: { command: 'AddImageFile', path: 'D:\\import\\x.dcm', reason: 'Error on Load' } },
      { line: '***[ModifyPATIDofDDO] -FAILED: No image passed', fields: { command: 'ModifyPATIDofDDO', path: null, reason: 'No image passed' } },
      { line: '***[MergeUIDofDDO -FAILED: image does not contain correct UIDs', fields: { command: 'MergeUIDofDDO' } },
    ],
  },
  {
    kind: 'object-command-failed',
    description: 'An add/modify/attach command could not enter the object, change its patient ID or reach the database',
    ref: 'dgate.cpp:3111-3635, 3695, 3991, 8189',
    logger: 'N',
    pattern: new RegExp(
      `^\\*\\*\\* ?\\[(?<command>${COMMANDS})\\] (?<reason>Empty patient ID not allowed|Error Connecting to SQL|Error changing patient ID for file|Error entering object into server|could not open HL7 file)(?::? ?(?<path>.*))?$`,
    ),
    samples: [
      { line: '***[AttachFile] Error entering object into server: D:\\x.dcm', fields: { command: 'AttachFile', reason: 'Error entering object into server', path: 'D:\\x.dcm' } },
      { line: '*** [AddImageFile] could not open HL7 file: x.hl7', fields: { command: 'AddImageFile', path: 'x.hl7' } },
    ],
  },
  {
    kind: 'object-command-failed',
    description: 'A modify/merge command found no file on a MAG device, or could not remove or re-enter the object',
    ref: 'dgate.cpp:3721, 3783, 3792, 4167, 4223, 4232',
    logger: 'N',
    pattern: /^\*\*\*(?<reason>File to (?:modify|merge) does not exist or is not on a MAG device|Could not remove image file from database|Error entering object into server)(?:: (?<path>.*))?$/,
    samples: [{ line: '***File to merge does not exist or is not on a MAG device', fields: { reason: 'File to merge does not exist or is not on a MAG device' } }],
  },
  {
    kind: 'uid-change-failed',
    description: 'A UID of an object could not be changed (anonymise, merge, new UIDs)',
    ref: 'dgate.cpp:2860, 2962, 3060',
    logger: 'N',
    pattern:
      /^\*\*\*\[(?<command>ChangeUIDinDDO|NewUIDsInDICOMObject|OldUIDsInDICOMObject)\] FAILED to change (?:(?<group>[0-9a-fA-F]{4}),(?<element>[0-9a-fA-F]{4}) \((?<uid>.*)\)|(?<what>.*))$/,
    samples: [{ line: '***[NewUIDsInDICOMObject] FAILED to change 0020,000d (1.2.3)', fields: { command: 'NewUIDsInDICOMObject', group: '0020', element: '000d', uid: '1.2.3' } }],
  },
  {
    kind: 'uid-change',
    description: 'New or original UIDs are set in an object element',
    ref: 'dgate.cpp:2936, 3038',
    logger: 'N',
    contains: 'UIDsInDICOMObject] setting ',
    pattern: /^\[(?<command>NewUIDsInDICOMObject|OldUIDsInDICOMObject)\] setting (?<group>[0-9a-fA-F]{4}),(?<element>[0-9a-fA-F]{4})$/,
    samples: [{ line: '[NewUIDsInDICOMObject] setting 0020,000e', fields: { command: 'NewUIDsInDICOMObject', group: '0020', element: '000e' } }],
  },
  {
    kind: 'sql-connect-failed',
    description: 'A command or background task could not connect to the database',
    ref: '§2.9 dgate.cpp:3479, 3728, 8182, 13007, 19542',
    logger: 'N',
    pattern: /^\*\*\*Error Connecting to SQL$/,
    samples: [{ line: '20200722 14:03:05 ***Error Connecting to SQL' }],
  },
  {
    kind: 'file-added',
    description: 'An image file was added to the server by a command (addimagefile, drag-and-drop, test compression)',
    ref: 'dgate.cpp:3641, 19569-19602',
    logger: 'N',
    pattern: /^Added file: (?<path>.*?)(?: \((?:filename syntax (?<syntax>\d+)|compression (?<compression>.*), syntax (?<compressionSyntax>\d+))\))?$/,
    values: { path: 'path', syntax: 'int', compressionSyntax: 'int' },
    samples: [
      { line: 'Added file: D:\\data\\12345678\\1.2.3_0001_000001_15954193850004.dcm', fields: { patientFolder: '12345678', seriesUid: '1.2.3' } },
      { line: 'Added file: x.dcm (compression j2_un, syntax 4)', fields: { path: 'x.dcm', compression: 'j2_un', compressionSyntax: 4 } },
    ],
  },
  {
    kind: 'object-modified',
    description: 'A command modified, merged or attached an image, or changed a patient ID',
    ref: 'dgate.cpp:3162, 3795, 3994-4119, 4235',
    logger: 'N',
    pattern:
      /^(?<action>Modified image|Merged image|Attached image|Attached rtplan to rtstruct|Attached image to (?:patient|study|series)|Modified patient ID to): (?<target>.*)$/,
    samples: [
      { line: 'Modified image: D:\\data\\12345678\\x.dcm', fields: { action: 'Modified image', target: 'D:\\data\\12345678\\x.dcm' } },
      { line: 'Modified patient ID to: 87654321', fields: { action: 'Modified patient ID to', target: '87654321' } },
    ],
  },
  {
    kind: 'object-command-rejected',
    description: 'A modify, attach or merge command was rejected by its script',
    ref: 'dgate.cpp:3761, 3983, 4203',
    logger: 'N',
    contains: 'rejected',
    pattern: /^\[(?<command>ModifyPATIDofImageFile|AttachFile|MergeUIDofImageFile)\] (?<path>.*) (?:rejected by script|script rejected merge)$/,
    samples: [{ line: '[AttachFile] D:\\x.dcm rejected by script', fields: { command: 'AttachFile', path: 'D:\\x.dcm' } }],
  },
  {
    kind: 'file-deleted',
    description: 'The old file (or its mirror copy) of a modified or merged image is deleted',
    ref: 'dgate.cpp:3806, 3814, 4244, 4252',
    logger: 'N',
    pattern: /^Deleting (?<mirror>mirror )?file: (?<path>.*)$/,
    values: { mirror: 'flag', path: 'path' },
    samples: [{ line: 'Deleting mirror file: E:\\mirror\\12345678\\1.2.3_0001_000001_15954193850004.dcm', fields: { mirror: true, patientFolder: '12345678' } }],
  },
  {
    kind: 'lua-stored-file',
    description: 'A Lua script (addimage) stored or overwrote an object',
    ref: 'dgate.cpp:8192, 8193',
    logger: 'N',
    pattern: /^Lua script (?<rewritten>re)?written file: (?<path>.*)$/,
    values: { rewritten: 'flag', path: 'path' },
    samples: [{ line: 'Lua script written file: D:\\data\\12345678\\1.2.3_0001_000001_15954193850004.dcm', fields: { rewritten: false, patientFolder: '12345678' } }],
  },
  {
    kind: 'hl7-import',
    description: 'An HL7 file was loaded into the worklist',
    ref: 'dgate.cpp:3563',
    logger: 'N',
    pattern: /^\[AddImageFile\] loaded HL7 file: (?<path>.*)$/,
    samples: [{ line: '[AddImageFile] loaded HL7 file: D:\\incoming\\a.hl7', fields: { path: 'D:\\incoming\\a.hl7' } }],
  },
  {
    kind: 'hl7-import-failed',
    description: 'The HL7 import could not open the database (no newline: the next message follows on the line)',
    ref: '§1.6 dgate.cpp:27554',
    logger: 'N',
    pattern: /^\*\*\* HL7 import: cannot open database/,
    samples: [{ line: '*** HL7 import: cannot open database' }],
  },
  {
    kind: 'gui-file-not-found',
    description: 'The GUI asked for an image file that could not be found',
    ref: 'dgate.cpp:2576, 2631',
    logger: 'N',
    pattern: /^\*\*\*GUI could not find file:(?<path>.*)$/,
    samples: [{ line: '***GUI could not find file:D:\\data\\x.dcm', fields: { path: 'D:\\data\\x.dcm' } }],
  },
  {
    kind: 'modify-refused',
    description: 'modifyimage refused to change a patient ID or UID without new UIDs',
    ref: 'dgate.cpp:21574',
    logger: 'N',
    pattern: /^\[modifyimage\]: can't change patientID, study or series UID without using newuids$/,
    samples: [{ line: "[modifyimage]: can't change patientID, study or series UID without using newuids" }],
  },
  {
    kind: 'browse-patient',
    description: 'The GUI or web interface browsed a patient',
    ref: 'dgate.cpp:21514',
    logger: 'N',
    pattern: /^Browse patient: (?<patientId>.*)$/,
    samples: [{ line: 'Browse patient: 12345678', fields: { patientId: '12345678' } }],
  },
  {
    kind: 'db-clone',
    description: 'The database rows of a patient are cloned',
    ref: 'dgate.cpp:20674, 20689',
    logger: 'N',
    pattern: /^(?:cloning db for patient id=(?<patientId>.*)|clone db done)$/,
    samples: [{ line: 'cloning db for patient id=12345678', fields: { patientId: '12345678' } }],
  },
  {
    kind: 'filename-failed',
    description: 'No file name could be made for an incoming object; failsafe storage may follow',
    ref: 'dgate.cpp:12778',
    logger: 'N',
    pattern: /^\*\*\*Failed to create filename for DICOM object \(is it a slice \?\)$/,
    samples: [{ line: '***Failed to create filename for DICOM object (is it a slice ?)' }],
  },
  {
    kind: 'failsafe-saved',
    description: 'A database problem: the incoming object was kept under a failsafe file name',
    ref: 'dgate.cpp:12783',
    logger: 'N',
    pattern: /^\*\*\*There was a DB problem, failsafe storage created following filename: (?<path>.*)$/,
    samples: [{ line: '***There was a DB problem, failsafe storage created following filename: D:\\failsafe\\1.dcm', fields: { path: 'D:\\failsafe\\1.dcm' } }],
  },
  {
    kind: 'mirror-copy',
    description: 'A stored object was copied to its MIRROR device',
    ref: 'dgate.cpp:11573, 12970',
    logger: 'N',
    pattern: /^Mirror copy: (?<path>.*)$/,
    values: { path: 'path' },
    samples: [{ line: 'Mirror copy: E:\\mirror\\12345678\\1.2.3_0001_000001_15954193850004.dcm', fields: { patientFolder: '12345678' } }],
  },
  {
    kind: 'mirror-copy-failed',
    description: 'A stored object could not be copied to its MIRROR device',
    ref: 'dgate.cpp:11577, 12972',
    logger: 'N',
    pattern: /^\*\*\*Writing mirror copy failed: (?<path>.*)$/,
    values: { path: 'path' },
    samples: [{ line: '***Writing mirror copy failed: E:\\mirror\\12345678\\x.dcm', fields: { path: 'E:\\mirror\\12345678\\x.dcm' } }],
  },
];
