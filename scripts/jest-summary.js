#!/usr/bin/env node
// Prints one "label: N passed, N failed" line per Jest --json result file, then the total.
const { readFileSync } = require('node:fs');

let passed = 0;
let failed = 0;
for (const arg of process.argv.slice(2)) {
  const [label, file] = arg.split('=');
  const result = JSON.parse(readFileSync(file, 'utf8'));
  console.log(`${label}: ${result.numPassedTests} passed, ${result.numFailedTests} failed`);
  passed += result.numPassedTests;
  failed += result.numFailedTests;
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
