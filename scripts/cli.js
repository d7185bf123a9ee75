#!/usr/bin/env node
// `npm run -s cli -- <command>`: the operator command line (src/cli/main.ts). Runs
// dist/cli/main.js, first building it with `nest build` when it is missing or older than a
// file under src/, so a fresh clone and a changed tree both work. The build's output goes to
// stderr: stdout stays the command's own (`-s` also drops npm's banner, for `--json`).
const { spawnSync } = require('node:child_process');
const { readdirSync, statSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const entry = join(root, 'dist', 'cli', 'main.js');

function newestSource(dir) {
  let newest = 0;
  for (const item of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, item.name);
    if (item.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (!item.name.endsWith('.spec.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function builtAt() {
  try {
    return statSync(entry).mtimeMs;
  } catch {
    return 0;
  }
}

if (builtAt() < newestSource(join(root, 'src'))) {
  process.stderr.write('cli: dist/ is missing or older than src/; building it (nest build)\n');
  const nest = require.resolve('@nestjs/cli/bin/nest.js');
  const build = spawnSync(process.execPath, [nest, 'build'], {
    cwd: root,
    stdio: ['ignore', process.stderr, process.stderr],
  });
  if (build.status !== 0) {
    process.stderr.write('cli: the build failed\n');
    process.exit(1);
  }
}
require(entry);
