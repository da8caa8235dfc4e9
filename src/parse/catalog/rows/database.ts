/** Database connection and SQL errors: reference §2.9 (odbci.cpp). */
import type { CatalogRow } from '../types.js';

export const databaseRows: CatalogRow[] = [
  {
    kind: 'sql-error',
    description: 'The database back end reported an error',
    ref: '§2.9 odbci.cpp:3804, 3329-3363, 3174',
    logger: 'N',
    pattern:
      /^\*\*\*(?: ?)(?<problem>SQLITEExec error: (?<error>.*)|cannot connect to sqlite database .*|cannot use DoubleBackSlashToDB=1 with sqlite database|Cannot connect to MySQL on port .*|MySQL Error message: .*|Cannot select MySQL database .*|Open dbase .* error code .*)$/,
    samples: [{ line: '***SQLITEExec error: no such table: DICOMWorkList', fields: { error: 'no such table: DICOMWorkList' } }],
  },
  {
    kind: 'sql-exec-failed',
    description: 'A SQL statement failed (debug)',
    ref: '§2.9 odbci.cpp',
    logger: 'D',
    pattern: /^\*\*\*Failed (?<api>SQLExecDirect|MYSQLExec|PGSQLExec|SQLITEExec) : (?<sql>.*)$/,
    samples: [{ line: '***Failed SQLITEExec : DROP TABLE DICOMWorkList', fields: { api: 'SQLITEExec', sql: 'DROP TABLE DICOMWorkList' } }],
  },
  {
    kind: 'sql-trace',
    description: 'SQL query tracing (debug)',
    ref: '§2.9 odbci.cpp, vrtosql.cpp',
    logger: 'D',
    pattern: /^(?<step>Query Tables|Columns {5}|Where {7}|Add to Table|Update Table|Issue Query on Columns|Values|Tables): ?(?<detail>.*)$/,
    samples: [{ line: 'Tables: DICOMImages, DICOMSeries, DICOMStudies', fields: { step: 'Tables' } }],
  },
  {
    kind: 'sql-records',
    description: 'Number of records of a traced query (debug)',
    ref: '§2.9',
    logger: 'D',
    pattern: /^Records = (?<records>\d+)$/,
    values: { records: 'int' },
    samples: [{ line: 'Records = 2', fields: { records: 2 } }],
  },
  {
    kind: 'query-on-image',
    description: 'Local image-level query (debug)',
    ref: '§2.9',
    logger: 'D',
    pattern: /^Query On (?<level>Image|Series|Study|Patient)$/,
    samples: [{ line: 'Query On Image', fields: { level: 'Image' } }],
  },
];
