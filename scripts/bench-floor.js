#!/usr/bin/env node
// What a refresh costs on this machine without the framework: the same essential work as
// POST /api/auth/refresh — JSON body, HS256 verify of the presented token, one primary-key
// lookup joined with session and user, the SHA-256 comparison, one SQLite transaction (spend
// the parent if unspent, touch the session, insert the successor), two HS256 signs, the
// refresh cookie and a JSON answer — with the same libraries (Fastify, better-sqlite3 in WAL
// mode with synchronous=NORMAL, jsonwebtoken's verify with KeyObjects, the app's HS256 signing), but no Nest, guards, passport,
// class-validator, helmet, rate limit, metrics or request ids. Loaded like the bench's (b):
// 50 connections, each presenting the token its last answer gave. A reference for the bench's
// refresh figure, not a server: nothing here is used by the app.
// With --db mysql the same work on MySQL/MariaDB through a mysql2 pool of 10 connections (the
// app's pool size), with the app's statements: the lookup, then START TRANSACTION, the
// multi-table conditional UPDATE, the INSERT, COMMIT. Database as `npm run bench -- --db mysql`.
// Since the app spends a token on MySQL by one CALL of a stored procedure, so does the floor
// (same statements, its own procedure); --spend statements sends the four statements instead.
// `npm run bench` runs it right after its refresh scenario (b) and prints the ratio.
// --contract adds what the contract asks of every answer, with the app's own pieces and still
// without Nest (dist/, so `npm run build` first): the security headers (the app's helmet
// setup), X-Request-Id and its AsyncLocalStorage frame, the cookie plugin, the refresh's
// per-IP rate-limit count (MemoryRateLimitStorage) and the latency histogram. The server's
// distance to that floor is what Nest, guards and passport cost; the floor's distance to it,
// what the contract's promises cost (docs/API.md's and the README's: v1 names no header).
// Usage: node scripts/bench-floor.js [--db sqlite|mysql] [--duration 10] [--connections 50]
//        [--spend procedure|statements] [--contract]
const { fork } = require('node:child_process');
const crypto = require('node:crypto');
const { mkdtempSync, readFileSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const args = process.argv.slice(2);
const raw = (name) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const opt = (name, fallback) => (raw(name) === undefined ? fallback : Number(raw(name)));

const SCHEMA = {
  sqlite: `
    CREATE TABLE users (id varchar PRIMARY KEY, email varchar UNIQUE, role varchar, disabled_at datetime);
    CREATE TABLE sessions (id varchar PRIMARY KEY, user_id varchar NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      expires_at datetime NOT NULL, refresh_expires_at datetime, last_used_at datetime, revoked_at datetime);
    CREATE INDEX sessions_user ON sessions(user_id);
    CREATE TABLE refresh_tokens (id varchar PRIMARY KEY, session_id varchar NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
      parent_id varchar UNIQUE, token_hash varchar NOT NULL, created_at datetime NOT NULL, expires_at datetime NOT NULL, spent_at datetime);
    CREATE INDEX refresh_tokens_session ON refresh_tokens(session_id);`,
  mysql: [
    `CREATE TABLE users (id varchar(36) PRIMARY KEY, email varchar(255) UNIQUE, role varchar(20), disabled_at datetime(3))`,
    `CREATE TABLE sessions (id varchar(36) PRIMARY KEY, user_id varchar(36) NOT NULL, expires_at datetime(3) NOT NULL,
      refresh_expires_at datetime(3), last_used_at datetime(3), revoked_at datetime(3),
      FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE)`,
    `CREATE TABLE refresh_tokens (id varchar(36) PRIMARY KEY, session_id varchar(36) NOT NULL, parent_id varchar(36) UNIQUE,
      token_hash varchar(64) NOT NULL, created_at datetime(3) NOT NULL, expires_at datetime(3) NOT NULL, spent_at datetime(3),
      FOREIGN KEY (session_id) REFERENCES sessions(id) ON DELETE CASCADE)`,
  ],
};

/**
 * The refresh's statements on one database: `find(id)` → row, `spend(params)` → true when
 * this call spent the parent, and `seed(...)` for the setup.
 */
async function openStore(databaseUrl, spendMode) {
  if (!databaseUrl) {
    const Database = require('better-sqlite3');
    const dir = mkdtempSync(join(tmpdir(), 'bench-floor-'));
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
    const db = new Database(join(dir, 'floor.sqlite'));
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.exec(SCHEMA.sqlite);
    const find = db.prepare(FIND_SQL);
    const spendParent = db.prepare(
      'UPDATE refresh_tokens SET spent_at = ? WHERE id = ? AND spent_at IS NULL',
    );
    const touchSession = db.prepare(
      'UPDATE sessions SET last_used_at = ?, refresh_expires_at = ? WHERE id = ?',
    );
    const insertToken = db.prepare(`INSERT OR IGNORE INTO refresh_tokens ${TOKEN_VALUES}`);
    const spend = db.transaction((p) => {
      if (spendParent.run(p.now, p.parentId).changes !== 1) return false;
      touchSession.run(p.now, p.expiresAt, p.sessionId);
      insertToken.run(...successorValues(p));
      return true;
    });
    return {
      find: async (id) => find.get(id),
      spend: async (p) => spend(p),
      exec: async (sql, values) => db.prepare(sql).run(...values),
    };
  }
  const mysql = require('mysql2/promise');
  const pool = mysql.createPool({ uri: databaseUrl, connectionLimit: 10, dateStrings: true });
  for (const sql of SCHEMA.mysql) await pool.query(sql);
  await pool.query(SPEND_PROCEDURE);
  return {
    find: async (id) => (await pool.query(FIND_SQL, [id]))[0][0],
    // As the app does (src/auth/refresh-procedure.ts): one CALL; --spend statements sends the
    // transaction's four statements instead, as the app does without the procedure.
    spend: spendMode === 'statements' ? spendByStatements : spendByProcedure,
    exec: (sql, values) => pool.query(sql, values),
  };

  async function spendByProcedure(p) {
    const [[[row]]] = await pool.query('CALL floor_spend(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)', [
      p.parentId,
      p.now,
      p.expiresAt,
      ...successorValues(p),
    ]);
    return Number(row.spent) === 1;
  }

  async function spendByStatements(p) {
    const conn = await pool.getConnection();
    try {
      await conn.query('START TRANSACTION');
      const [spent] = await conn.query(
        'UPDATE refresh_tokens t INNER JOIN sessions s ON s.id = t.session_id ' +
          'SET t.spent_at = ?, s.last_used_at = ?, s.refresh_expires_at = ? ' +
          'WHERE t.id = ? AND t.spent_at IS NULL',
        [p.now, p.now, p.expiresAt, p.parentId],
      );
      if (spent.affectedRows === 0) {
        await conn.query('ROLLBACK');
        return false;
      }
      await conn.query(`INSERT INTO refresh_tokens ${TOKEN_VALUES}`, successorValues(p));
      await conn.query('COMMIT');
      return true;
    } finally {
      conn.release();
    }
  }
}

// The app's procedure (src/auth/refresh-procedure.ts) for the floor's schema.
const SPEND_PROCEDURE = `
CREATE PROCEDURE floor_spend(
  IN p_parent_id varchar(36), IN p_now datetime(3), IN p_refresh_expires_at datetime(3),
  IN p_id varchar(36), IN p_session_id varchar(36), IN p_token_parent_id varchar(36),
  IN p_token_hash varchar(64), IN p_created_at datetime(3), IN p_expires_at datetime(3),
  IN p_spent_at datetime(3))
  MODIFIES SQL DATA SQL SECURITY INVOKER
BEGIN
  DECLARE EXIT HANDLER FOR SQLEXCEPTION BEGIN ROLLBACK; RESIGNAL; END;
  START TRANSACTION;
  UPDATE refresh_tokens t INNER JOIN sessions s ON s.id = t.session_id
     SET t.spent_at = p_now, s.last_used_at = p_now, s.refresh_expires_at = p_refresh_expires_at
   WHERE t.id = p_parent_id AND t.spent_at IS NULL;
  IF ROW_COUNT() = 0 THEN
    ROLLBACK;
    SELECT 0 AS spent;
  ELSE
    INSERT INTO refresh_tokens (id, session_id, parent_id, token_hash, created_at, expires_at, spent_at)
      VALUES (p_id, p_session_id, p_token_parent_id, p_token_hash, p_created_at, p_expires_at, p_spent_at);
    COMMIT;
    SELECT 1 AS spent;
  END IF;
END`;

const FIND_SQL = `
  SELECT t.id, t.session_id, t.token_hash, t.spent_at, s.user_id, s.expires_at, s.revoked_at, u.disabled_at
  FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id JOIN users u ON u.id = s.user_id
  WHERE t.id = ?`;
/** The successor's row in TOKEN_VALUES' column order (unspent). */
const successorValues = (p) => [p.jti, p.sessionId, p.parentId, p.hash, p.now, p.expiresAt, null];
const TOKEN_VALUES =
  '(id, session_id, parent_id, token_hash, created_at, expires_at, spent_at) VALUES (?, ?, ?, ?, ?, ?, ?)';

/**
 * --contract: the per-request work the contract adds to every answer (see the top), on bare
 * Fastify with the app's own functions. Returns the rate-limit count for the refresh route.
 */
async function addContractWork(fastify) {
  const dist = (path) => require(join(__dirname, '..', 'dist', path));
  const { bindRequestId } = dist('common/http/request-id');
  const { registerSecurityHeaders } = dist('common/http/security-headers');
  const { MemoryRateLimitStorage } = dist('rate-limit/memory-rate-limit.storage');
  const { Metrics } = dist('metrics/metrics.service');
  const { registerHttpMetrics } = dist('metrics/http-metrics');
  bindRequestId(fastify);
  // The app's histogram by the app's hook (its audit counters get no events here).
  registerHttpMetrics(fastify, new Metrics({ subscribe: () => undefined }));
  registerSecurityHeaders(fastify);
  await fastify.register(require('@fastify/cookie'));
  const { RATE_LIMIT_RULES, rateLimitKey } = dist('rate-limit/rate-limit.rules');
  const rule = RATE_LIMIT_RULES.find((r) => r.name === 'refresh-ip');
  const storage = new MemoryRateLimitStorage();
  process.on('exit', () => storage.onApplicationShutdown());
  return async (request) => {
    const key = rateLimitKey(rule.name, rule.key(request));
    const hit = await storage.increment(key, 60_000, 1e9, 60_000, rule.name);
    return !hit.isBlocked;
  };
}

async function serve(port, databaseUrl, spendMode, contract) {
  const genReqId = contract
    ? require(join(__dirname, '..', 'dist', 'common/http/request-id')).requestIdFor
    : undefined;
  const fastify = require('fastify')({ logger: false, ...(genReqId && { genReqId }) });
  const countRefresh = contract ? await addContractWork(fastify) : null;
  const jwt = require('jsonwebtoken');
  process.on('SIGTERM', () => process.exit(0));
  const store = await openStore(databaseUrl, spendMode);
  const refreshKey = crypto.createSecretKey(
    Buffer.from('floor-refresh-secret-0123456789abcdefghij'),
  );
  const accessKey = crypto.createSecretKey(
    Buffer.from('floor-access-secret-0123456789abcdefghijk'),
  );
  const claims = { algorithm: 'HS256', issuer: 'floor', audience: 'floor' };
  // 'YYYY-MM-DD hh:mm:ss.sss': a datetime to SQLite and MySQL alike.
  const later = (seconds) =>
    new Date(Date.now() + seconds * 1000).toISOString().replace('T', ' ').replace('Z', '');
  const sha256 = (text) => crypto.createHash('sha256').update(text).digest('hex');
  // Signed as the app signs (src/auth/hs256-signer.ts): the header encoded once, one HMAC
  // per token, the same bytes jsonwebtoken would give; verified by jsonwebtoken, as the app does.
  const b64 = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const jws = (key, header) => {
    const head = b64({ alg: 'HS256', ...header });
    return (payload) => {
      const input = `${head}.${b64(payload)}`;
      return `${input}.${crypto.createHmac('sha256', key).update(input).digest('base64url')}`;
    };
  };
  const signRefresh = jws(refreshKey, { typ: 'rt+jwt' });
  const signAccess = jws(accessKey, { typ: 'at+jwt' });
  const issue = (sessionId, userId) => {
    const jti = crypto.randomUUID();
    const iat = Math.floor(Date.now() / 1000);
    const registered = { aud: claims.audience, iss: claims.issuer };
    const refresh = signRefresh({
      sub: userId,
      sid: sessionId,
      iat,
      exp: iat + 604_800,
      ...registered,
      jti,
    });
    const access = signAccess({
      sub: userId,
      sid: sessionId,
      roles: ['user'],
      iat,
      exp: iat + 900,
      ...registered,
      jti: crypto.randomUUID(),
    });
    return { jti, refresh, access };
  };
  await store.exec('INSERT INTO users VALUES (?, ?, ?, ?)', [
    'u1',
    'floor@example.com',
    'user',
    null,
  ]);
  const tokens = [];
  for (let i = 0; i < 200; i++) {
    const sessionId = crypto.randomUUID();
    await store.exec('INSERT INTO sessions (id, user_id, expires_at) VALUES (?, ?, ?)', [
      sessionId,
      'u1',
      later(864_000),
    ]);
    const { jti, refresh } = issue(sessionId, 'u1');
    await store.exec(`INSERT INTO refresh_tokens ${TOKEN_VALUES}`, [
      jti,
      sessionId,
      null,
      sha256(refresh),
      later(0),
      later(604_800),
      null,
    ]);
    tokens.push(refresh);
  }
  const fail = (reply, status, code) => reply.code(status).send({ statusCode: status, code });
  fastify.get('/tokens', async () => tokens);
  fastify.post('/api/auth/refresh', async (request, reply) => {
    if (countRefresh && !(await countRefresh(request))) return fail(reply, 429, 'too_many');
    const token = request.body?.refreshToken;
    if (typeof token !== 'string' || token.length > 4096)
      return fail(reply, 400, 'validation_failed');
    let payload;
    try {
      payload = jwt.verify(token, refreshKey, { ...claims, algorithms: ['HS256'] });
    } catch {
      return fail(reply, 401, 'refresh_token_invalid');
    }
    const row = await store.find(payload.jti);
    if (!row || row.token_hash !== sha256(token) || row.disabled_at) {
      return fail(reply, 401, 'refresh_token_invalid');
    }
    if (row.revoked_at) return fail(reply, 401, 'refresh_token_revoked');
    const next = issue(row.session_id, row.user_id);
    const spent = await store.spend({
      now: later(0),
      parentId: row.id,
      sessionId: row.session_id,
      expiresAt: later(604_800),
      jti: next.jti,
      hash: sha256(next.refresh),
    });
    if (!spent) return fail(reply, 401, 'refresh_token_reused');
    reply.header('cache-control', 'no-store');
    if (countRefresh) {
      reply.header('pragma', 'no-cache');
      reply.setCookie('refresh_token', next.refresh, {
        httpOnly: true,
        sameSite: 'strict',
        secure: false,
        path: '/api/auth',
        maxAge: 604_800,
      });
    } else {
      reply.header(
        'set-cookie',
        `refresh_token=${next.refresh}; Max-Age=604800; Path=/api/auth; HttpOnly; SameSite=Strict`,
      );
    }
    return {
      accessToken: next.access,
      refreshToken: next.refresh,
      tokenType: 'Bearer',
      expiresIn: 900,
      refreshExpiresIn: 604_800,
    };
  });
  fastify.listen({ port, host: '127.0.0.1' }).then(() => process.send('listening'));
}

/**
 * One floor run: `db` sqlite or mysql (`target`: the bench's MySQL target, which the run
 * recreates), `duration` s, `connections`, `spend` procedure|statements (MySQL). Resolves to
 * { okPerSec, p50, p99, cpuPerRequest, failed, line }.
 */
async function measureFloor({
  db = 'sqlite',
  duration = 10,
  connections = 50,
  target,
  spend,
  contract = false,
}) {
  const autocannon = require('autocannon');
  const { freePort } = require('./lib/server');
  const databaseUrl = db === 'mysql' ? await target.fresh() : '';
  const spendMode = spend ?? 'procedure';
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  // FLOOR_NODE_FLAGS: node flags for the floor's server (e.g. --cpu-prof, to compare profiles).
  const execArgv = process.env.FLOOR_NODE_FLAGS?.split(' ').filter(Boolean) ?? [];
  const child = fork(
    __filename,
    ['--serve', String(port), databaseUrl, spendMode, contract ? 'contract' : ''],
    { execArgv },
  );
  await new Promise((resolve) => child.once('message', resolve));
  const tokens = await (await fetch(`${base}/tokens`)).json();
  const cpuMs = () => {
    const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  };
  let failed = 0;
  const cpuBefore = cpuMs();
  const result = await autocannon({
    url: base,
    connections,
    duration,
    requests: [
      {
        method: 'POST',
        path: '/api/auth/refresh',
        headers: { 'content-type': 'application/json' },
        setupRequest: (request) => ({
          ...request,
          body: JSON.stringify({ refreshToken: tokens.shift() }),
        }),
        onResponse: (status, body) => {
          if (status === 200) tokens.push(JSON.parse(body).refreshToken);
          else failed++;
        },
      },
    ],
  });
  const cpuPerRequest = (cpuMs() - cpuBefore) / result.requests.total;
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
  const ok = result.requests.total - failed;
  const okPerSec = ok / result.duration;
  const how =
    (db === 'mysql' ? `, spend by ${spendMode}` : '') + (contract ? ', with the contract' : '');
  const line =
    `floor refresh on ${db} (no framework${how}), ${connections} connections, ${duration} s: ` +
    `${Math.round(okPerSec)} refresh/s, p50 ${result.latency.p50} ms, ` +
    `p99 ${result.latency.p99} ms, ${cpuPerRequest.toFixed(2)} ms server CPU per refresh, ` +
    `non-200: ${failed}`;
  return {
    okPerSec,
    p50: result.latency.p50,
    p99: result.latency.p99,
    cpuPerRequest,
    failed,
    line,
  };
}

async function measure() {
  const { mysqlTarget } = require('./bench/db');
  const db = raw('db') ?? 'sqlite';
  if (db !== 'sqlite' && db !== 'mysql') throw new Error(`--db sqlite|mysql (got ${db})`);
  const spend = raw('spend') ?? 'procedure';
  if (spend !== 'procedure' && spend !== 'statements') {
    throw new Error(`--spend procedure|statements (got ${spend})`);
  }
  const target = db === 'mysql' ? await mysqlTarget({ log: (line) => console.log(line) }) : null;
  try {
    const floor = await measureFloor({
      db,
      duration: opt('duration', 10),
      connections: opt('connections', 50),
      target,
      spend,
      contract: args.includes('--contract'),
    });
    console.log(floor.line);
    if (floor.failed > 0) process.exitCode = 1;
  } finally {
    await target?.close();
  }
}

module.exports = { measureFloor };

if (require.main === module && args[0] === '--serve')
  serve(Number(args[1]), args[2], args[3], args[4] === 'contract').catch((error) => {
    console.error(error);
    process.exit(1);
  });
else if (require.main === module)
  measure().catch((error) => {
    console.error(error);
    process.exit(1);
  });
