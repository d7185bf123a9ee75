#!/usr/bin/env node
// The OpenAPI document as a product, checked the way a team consuming it would (CI runs this
// after the build; so can a developer):
//   1. serve dist/main.js on a throwaway SQLite file with PUBLIC_URL = its own address, fetch
//      /docs-json; `servers` must name that address;
//   2. it must equal the committed docs/openapi.json except for `servers` (else: npm run
//      openapi);
//   3. Redocly CLI (recommended rules, redocly.yaml) and Spectral (spectral:oas, .spectral.yaml)
//      must report 0 problems of any severity;
//   4. openapi-typescript generates the types into a temporary folder, a small flow script
//      (scripts/openapi-client/flow.ts: register, login, /users/me, refresh, logout through
//      openapi-fetch) is type-checked against them under `strict` and run against the server,
//      checking every status and header of interest it sees against the document.
// Prints the linters' counts and the generated types' size. Usage:
//   npm run build && node scripts/openapi-check.js
const { execFileSync, spawnSync } = require('node:child_process');
const {
  copyFileSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} = require('node:fs');
const { tmpdir } = require('node:os');
const { join, resolve } = require('node:path');
const { ensureBuilt } = require('./lib/build');
const { staleness } = require('./lib/openapi');
const { freePort, startServer } = require('./lib/server');

const root = resolve(__dirname, '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);
// No telemetry, no update notice: CI talks to the registry only.
const LINT_ENV = {
  ...process.env,
  REDOCLY_TELEMETRY: 'off',
  REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true',
};

function check(ok, what) {
  if (!ok) throw new Error(`not ok: ${what}`);
  console.log(`ok   ${what}`);
}

/** A command's stdout, whatever its exit code (the linters exit 1 when they find problems). */
function output(command, args) {
  const run = spawnSync(command, args, { cwd: root, env: LINT_ENV, encoding: 'utf8' });
  if (run.error) throw run.error;
  return { stdout: run.stdout, stderr: run.stderr, status: run.status };
}

function redocly(file) {
  const run = output(bin('redocly'), ['lint', file, '--config', 'redocly.yaml', '--format=json']);
  const report = JSON.parse(run.stdout);
  for (const problem of report.problems) {
    console.error(
      `  redocly ${problem.severity} ${problem.ruleId} ${problem.location[0]?.pointer}: ${problem.message}`,
    );
  }
  return {
    errors: report.totals.errors,
    warnings: report.totals.warnings,
    ignored: report.totals.ignored,
  };
}

function spectral(file) {
  const run = output(bin('spectral'), [
    'lint',
    file,
    '--ruleset',
    '.spectral.yaml',
    '--format',
    'json',
    '--quiet',
  ]);
  // With nothing to report, --quiet prints nothing at all.
  const results = run.stdout.trim() ? JSON.parse(run.stdout) : [];
  if (run.status !== 0 && results.length === 0) throw new Error(`spectral failed: ${run.stderr}`);
  const bySeverity = [0, 0, 0, 0];
  for (const result of results) {
    bySeverity[result.severity]++;
    console.error(`  spectral ${result.code} ${result.path.join('.')}: ${result.message}`);
  }
  const [errors, warnings, infos, hints] = bySeverity;
  return { errors, warnings, infos, hints };
}

const tsconfig = {
  compilerOptions: {
    strict: true,
    noUncheckedIndexedAccess: true,
    // The generated schema.d.ts is a declaration file: skipLibCheck would skip it.
    skipLibCheck: false,
    target: 'ES2022',
    module: 'node16',
    moduleResolution: 'node16',
    types: ['node'],
    outDir: 'out',
  },
  files: ['flow.ts', 'schema.d.ts'],
};

(async () => {
  process.chdir(root);
  ensureBuilt((why) => console.log(why));
  const dir = mkdtempSync(join(tmpdir(), 'openapi-check-'));
  // The flow resolves openapi-fetch and @types/node from the repository's devDependencies.
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const { base, stop } = await startServer({
    port,
    stdio: 'ignore',
    env: { PUBLIC_URL: publicUrl, BCRYPT_COST: '4' },
  });
  try {
    const response = await fetch(`${base}/docs-json`);
    check(response.ok, `GET /docs-json answers ${response.status}`);
    const served = await response.json();
    const file = join(dir, 'openapi.json');
    writeFileSync(file, JSON.stringify(served, null, 2));
    check(served.servers?.[0]?.url === publicUrl, `servers names PUBLIC_URL (${publicUrl})`);

    const committed = JSON.parse(readFileSync('docs/openapi.json', 'utf8'));
    const stale = staleness(served, committed);
    check(
      stale.length === 0,
      stale.length === 0
        ? 'docs/openapi.json is the served document (but for servers)'
        : `docs/openapi.json is stale at ${stale.join(', ')}: run npm run openapi`,
    );

    const r = redocly(file);
    console.log(
      `redocly lint (recommended): ${r.errors} errors, ${r.warnings} warnings, ${r.ignored} ignored`,
    );
    check(r.errors + r.warnings + r.ignored === 0, 'Redocly CLI reports nothing');
    const s = spectral(file);
    console.log(
      `spectral lint (spectral:oas): ${s.errors} errors, ${s.warnings} warnings, ${s.infos} infos, ${s.hints} hints`,
    );
    check(s.errors + s.warnings + s.infos + s.hints === 0, 'Spectral reports nothing');

    const types = join(dir, 'schema.d.ts');
    execFileSync(bin('openapi-typescript'), [file, '--output', types], {
      cwd: dir,
      stdio: 'ignore',
    });
    const size = statSync(types).size;
    const lines = readFileSync(types, 'utf8').split('\n').length;
    console.log(`openapi-typescript: schema.d.ts ${size} bytes, ${lines} lines`);

    copyFileSync(join(root, 'scripts/openapi-client/flow.ts'), join(dir, 'flow.ts'));
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));
    execFileSync(bin('tsc'), ['-p', dir], { cwd: dir, stdio: 'inherit' });
    console.log('ok   the flow type-checks against the generated types under strict');
    execFileSync(process.execPath, [join(dir, 'out/flow.js'), base, file], { stdio: 'inherit' });
  } finally {
    await stop();
    rmSync(dir, { recursive: true, force: true });
  }
})().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
