// Each file owns one concept: no tracked source file over 300 lines (checked in CI with the
// import rules, `npm run check:architecture`). Generated clients and data are not tracked.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const MAX_LINES = 300;
const SOURCE = /\.(ts|js|mjs|cjs|cc|h|py|sh|css|html)$/;
const files = execFileSync('git', ['ls-files', '-z'], { encoding: 'utf8' }).split('\0').filter((f) => SOURCE.test(f));
const long = files
  .map((file) => ({ file, lines: readFileSync(file, 'utf8').split('\n').length - 1 }))
  .filter((f) => f.lines > MAX_LINES);
for (const f of long) console.error(`${f.file}: ${f.lines} lines (at most ${MAX_LINES}: split it by concept)`);
if (long.length) process.exit(1);
console.log(`${files.length} source files, none over ${MAX_LINES} lines`);
