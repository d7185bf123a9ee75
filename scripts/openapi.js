#!/usr/bin/env node
// `npm run openapi`: writes the OpenAPI document the built server serves at /docs-json to
// docs/openapi.json (or the path given), for teams that generate a client offline. Builds
// first when dist/ is stale, serves dist/main.js on a throwaway SQLite file, fetches the
// document, stops the server.
//
// `servers` names PUBLIC_URL; here it is http://127.0.0.1:3000 (where `npm start` serves)
// unless PUBLIC_URL is set. test/swagger.e2e-spec.ts and scripts/openapi-check.js fail when
// the committed file differs from what the code produces in anything but `servers`.
const { writeFileSync } = require('node:fs');
const { resolve } = require('node:path');
const { ensureBuilt } = require('./lib/build');
const { serializeDocument } = require('./lib/openapi');
const { startServer } = require('./lib/server');

const DEFAULT_PUBLIC_URL = 'http://127.0.0.1:3000';

(async () => {
  process.chdir(resolve(__dirname, '..'));
  const out = resolve(process.argv[2] || 'docs/openapi.json');
  ensureBuilt((why) => console.log(why));
  const { base, stop } = await startServer({
    stdio: 'ignore',
    env: { PUBLIC_URL: process.env.PUBLIC_URL || DEFAULT_PUBLIC_URL },
  });
  try {
    const response = await fetch(`${base}/docs-json`);
    if (!response.ok) throw new Error(`GET /docs-json answered ${response.status}`);
    writeFileSync(out, serializeDocument(await response.json()));
    console.log(`wrote ${out}`);
  } finally {
    await stop();
  }
})().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
