// Parent side of load-worker.js: each call forks one load-generator process and resolves with
// its summary. Two calls at once are two processes (scenario d).
const { fork } = require('node:child_process');
const { join } = require('node:path');

const WORKER = join(__dirname, 'load-worker.js');

/** Runs one autocannon job in a child process; rejects if it crashes or reports an error. */
function runLoad(job) {
  return new Promise((resolve, reject) => {
    const child = fork(WORKER, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let answer;
    child.on('message', (message) => {
      answer = message;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (answer?.result) resolve(answer.result);
      else reject(new Error(answer?.error ?? `load generator exited with code ${code}`));
    });
    child.send(job);
  });
}

/**
 * What makes a run wrong (a bug, exit 1): non-2xx answers (except `allow`), socket errors other
 * than timeouts, a refresh 200 without a token or a refresh token presented twice. Returns e.g.
 * "401×3, socket errors 2", or '' if none.
 */
function failures(result, { allow = [] } = {}) {
  const parts = Object.entries(result.statusCodes)
    .filter(([code]) => !code.startsWith('2') && !allow.includes(code))
    .map(([code, count]) => `${code}×${count}`);
  const socketErrors = result.errors - result.timeouts;
  if (socketErrors > 0) parts.push(`socket errors ${socketErrors}`);
  const { mismatches, repeats } = result.refresh ?? {};
  if (mismatches) parts.push(`200 without refreshToken ×${mismatches}`);
  if (repeats) parts.push(`refresh token presented again ×${repeats}`);
  return parts.join(', ');
}

/**
 * What an overloaded machine causes rather than a bug: requests unanswered within autocannon's
 * 10 s timeout, and refresh connections left without a session of their own after them.
 */
function warnings(result) {
  const parts = [];
  if (result.timeouts) parts.push(`timeouts ${result.timeouts}`);
  const exhausted = result.refresh?.poolExhausted;
  if (exhausted) parts.push(`no spare session left ×${exhausted} (a token presented again)`);
  return parts.join(', ');
}

module.exports = { runLoad, failures, warnings };
