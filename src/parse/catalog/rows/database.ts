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
  {
    kind: 'db-error',
    description: 'The database driver reported an error after a failed statement (PrintLastError)',
    ref: '§2.9 odbci.cpp:5881-5920',
    logger: 'N',
    pattern: /^\*\*\*(?:Error: (?:(?<code>-?\d+): (?<state>[^:]*): )?(?<error>.*)|DB error)$/,
    values: { code: 'int' },
    samples: [
      { line: '***Error: 1062: S: Duplicate entry', fields: { code: 1062, state: 'S', error: 'Duplicate entry' } },
      { line: '***Error: no such column', fields: { code: null, error: 'no such column' } },
      { line: '***DB error' },
    ],
  },
  {
    kind: 'odbc-connect-failed',
    description: 'The ODBC connection could not be allocated or opened (debug)',
    ref: '§2.9 odbci.cpp:3388, 3406',
    logger: 'D',
    pattern: /^\*\*\*Failed to (?<api>SQLAllocConnect|SQLConnect)\(\)$/,
    samples: [{ line: '***Failed to SQLConnect()', fields: { api: 'SQLConnect' } }],
  },
  {
    kind: 'db-connect-retry',
    description: 'The per-association database open failed once and is retried (debug; the password is not kept)',
    ref: '§2.3, §1.6 dgate.cpp:23516',
    logger: 'D',
    pattern: /^\*\*\*Error connecting: (?<datasource>\S*) (?<user>[^/]*)\/.*$/,
    samples: [{ line: '***Error connecting: conquest sa/secret', fields: { datasource: 'conquest', user: 'sa' } }],
  },
  {
    kind: 'db-cached-update-skipped',
    description: 'An UPDATE was skipped because the cached row already holds the values',
    ref: 'dbsql.cpp:1883',
    logger: 'N',
    pattern: /^Skipping Cached Update on Table (?<table>.*)$/,
    samples: [{ line: 'Skipping Cached Update on Table DICOMPatients', fields: { table: 'DICOMPatients' } }],
  },
];
