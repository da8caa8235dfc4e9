#!/usr/bin/env node
// Thin launcher: the program is compiled from src/ into dist/ by `npm run build` (run by `npm install`).
import { main } from '../dist/cli/main.js';

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`cqlog: internal error: ${err && err.stack ? err.stack : String(err)}\n`);
    process.exitCode = 2;
  },
);
