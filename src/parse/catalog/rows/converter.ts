/** Converter and script messages: reference §2.6. */
import type { CatalogRow } from '../types.js';

export const converterRows: CatalogRow[] = [
  {
    kind: 'converter-executes',
    description: 'A rule-language converter (import, export, retrieve, virtual-server query …) executed a statement',
    ref: '§2.6 dgate.cpp:9861-10308',
    logger: 'N',
    contains: 'converter',
    pattern: /^(?<converter>[A-Za-z]*)converter(?<index>\d+)\.(?<part>\d+) executes: (?<command>.*)$/,
    values: { index: 'int', part: 'int' },
    samples: [
      { line: 'Importconverter0.0 executes: forward to MAINPACS', fields: { converter: 'Import', index: 0, part: 0, command: 'forward to MAINPACS' } },
      { line: 'Exportconverter1.2 executes: nop', fields: { converter: 'Export', index: 1, part: 2 } },
    ],
  },
  {
    kind: 'converter-forwarded',
    description: 'A converter forwarded an object',
    ref: '§2.6',
    logger: 'N',
    contains: 'Converter',
    pattern: /^(?<converter>[A-Za-z]*)Converter(?<index>\d+)\.(?<part>\d+): (?:forwarded object to (?<destination>.+)|forward (?<path>.+) to (?<exportDestination>.+))$/,
    values: { index: 'int', part: 'int' },
    samples: [
      { line: 'ExportConverter0.0: forward D:\\data\\X\\a.dcm to MAINPACS', fields: { converter: 'Export', exportDestination: 'MAINPACS' } },
      { line: 'ImportConverter0.1: forwarded object to MAINPACS', fields: { converter: 'Import', destination: 'MAINPACS' } },
    ],
  },
  {
    kind: 'forward-failed',
    description: 'A converter could not forward an object',
    ref: '§2.6, §2.10 dgate.cpp:5343',
    logger: 'N',
    pattern: /^\*\*\* (?<converter>[A-Za-z]*)Converter(?<index>\d+)\.(?<part>\d+): (?<problem>Forward failed.*|DICOM server .* does not accept type of forwarded image)$/,
    values: { index: 'int', part: 'int' },
    samples: [{ line: '*** ExportConverter0.0: Forward failed to connect to host MAINPACS', fields: { converter: 'Export', problem: 'Forward failed to connect to host MAINPACS' } }],
  },
  {
    kind: 'converter-script-missing',
    description: 'A converter script file was not found',
    ref: '§2.6',
    logger: 'N',
    pattern: /^\*\*\* (?<converter>[A-Za-z]*)converter(?<index>\d+)\.(?<part>\d+) script not found: (?<script>.*)$/,
    values: { index: 'int', part: 'int' },
    samples: [{ line: '*** Importconverter0.0 script not found: x.cq', fields: { script: 'x.cq' } }],
  },
  {
    kind: 'converter-action',
    description: 'A converter acted on the object (destroyed, rejected, queued, changed virtual-server mask …)',
    ref: '§2.6',
    logger: 'N',
    contains: 'onverter',
    pattern: /^(?<converter>[A-Za-z]*)[Cc]onverter(?<index>\d+)\.(?<part>\d+): (?<action>.*)$/,
    values: { index: 'int', part: 'int' },
    samples: [{ line: 'Importconverter0.0: destroyed received image', fields: { action: 'destroyed received image' } }],
  },
  {
    kind: 'lua-error',
    description: 'A Lua script failed to compile or run',
    ref: '§2.6 dgate.cpp:8996, 9012',
    logger: 'N',
    pattern: /^\*\*\* lua (?<phase>syntax|run) error (?<error>.*) in '(?<script>.*)'$/s,
    samples: [{ line: "*** lua run error [string \"x\"]:1: attempt to call nil in 'x'", fields: { phase: 'run' } }],
  },
];
