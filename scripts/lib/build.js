// `npm run build` when dist/main.js is missing or older than anything it is built from: the
// benches start the built server, and a stale dist/ would measure old code.
const { execFileSync } = require('node:child_process');
const { readdirSync, statSync } = require('node:fs');
const { join } = require('node:path');

const SOURCES = [
  'src',
  'package.json',
  'package-lock.json',
  'tsconfig.json',
  'tsconfig.build.json',
];

/** Builds if needed (run from the repository root); `log` says why. */
function ensureBuilt(log) {
  const newest = (path) => {
    const stat = statSync(path, { throwIfNoEntry: false });
    if (!stat) return 0;
    if (!stat.isDirectory()) return stat.mtimeMs;
    return Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name))));
  };
  const built = statSync('dist/main.js', { throwIfNoEntry: false })?.mtimeMs;
  if (built && built >= Math.max(...SOURCES.map(newest))) return;
  log(built ? 'dist/ is older than its sources: npm run build' : 'no dist/: npm run build');
  execFileSync('npm', ['run', 'build'], { stdio: 'inherit' });
}

module.exports = { ensureBuilt };
