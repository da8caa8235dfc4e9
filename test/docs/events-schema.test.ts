import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { ndjson, REAL, ROOT, runCli, SAMPLES } from '../helpers.js';

const schema = JSON.parse(readFileSync(path.join(ROOT, 'docs', 'events.schema.json'), 'utf8')) as object;

describe('docs/events.schema.json', () => {
  const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
  const validate = ajv.compile(schema);

  it('validates the real output of `cqlog events --json`', () => {
    const r = runCli(['events', '--json', REAL, path.join(REAL, 's6-zip-rotation', 'router'), path.join(SAMPLES, 'prefixes')]);
    const events = ndjson(r.stdout);
    expect(events.length).toBeGreaterThan(200);
    for (const e of events) {
      const ok = validate(e);
      expect(ok, `${JSON.stringify(e)}: ${ajv.errorsText(validate.errors)}`).toBe(true);
    }
    expect(events.some((e) => e.time === null) || events.some((e) => typeof e.time === 'string')).toBe(true);
  });

  it('validates --tz output and rejects objects that break the contract', () => {
    const tz = ndjson(runCli(['events', '--json', '--tz', 'Europe/Amsterdam', path.join(REAL, 's2-virtual-move-ok', 'router')]).stdout);
    for (const e of tz) expect(validate(e), ajv.errorsText(validate.errors)).toBe(true);
    const good = tz[0]!;
    expect(validate({ ...good, extra: 1 })).toBe(false);
    expect(validate({ ...good, line: 0 })).toBe(false);
    expect(validate({ ...good, kind: 'Not Kebab' })).toBe(false);
    const { fields: _f, ...noFields } = good;
    expect(validate(noFields)).toBe(false);
  });
});
