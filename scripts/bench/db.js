// The bench's databases: a throwaway SQLite file, or a MySQL/MariaDB database the bench drops
// and recreates. Both can be seeded in bulk (server stopped) with refresh tokens that are valid
// rows for the schema of src/database/migrations: users, then their sessions, then chains of
// tokens (parent_id unique, every token but a session's last one spent, 64-hex-digit hashes).
const { execFileSync } = require('node:child_process');
const { randomBytes, randomUUID } = require('node:crypto');
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const TOKENS_PER_SESSION = 10;
const SESSIONS_PER_USER = 10;
const CHUNK_TOKENS = 5_000;
const DAY = 86_400_000;
// Not a bcrypt hash of anything: seeded users never log in.
const NO_PASSWORD = '$2b$11$' + 'x'.repeat(53);

const sqlTime = (ms) => new Date(ms).toISOString().replace('T', ' ').slice(0, 23);

/** n random (v4) UUIDs, sorted. */
const sortedUuids = (n) => Array.from({ length: n }, () => randomUUID()).sort();

/**
 * Rows for `count` more tokens, CHUNK_TOKENS at a time, as arrays in the column order of
 * COLUMNS. Sessions are live (a day old, ending in 29 days), so the purge leaves them alone.
 * The ids are random UUIDs like the app's, handed out in sorted order: each index then grows
 * at its end instead of at random pages, which on InnoDB (128 MB buffer pool by default) is the
 * difference between seconds and many minutes for a million rows. The indexes end up more
 * densely packed than after years of random inserts, with much the same depth.
 */
function* seedChunks(count) {
  const tag = randomUUID().slice(0, 8);
  const sessionCount = Math.ceil(count / TOKENS_PER_SESSION);
  const ids = {
    users: sortedUuids(Math.ceil(sessionCount / SESSIONS_PER_USER)),
    sessions: sortedUuids(sessionCount),
    tokens: sortedUuids(count),
  };
  const next = { users: 0, sessions: 0, tokens: 0 };
  const nextId = (kind) => ids[kind][next[kind]++];
  const start = Date.now() - DAY;
  // Every session has the same timeline, so its strings are made once.
  const issued = Array.from({ length: TOKENS_PER_SESSION }, (_, i) => start + i * 60_000);
  const at = issued.map(sqlTime);
  const idleEnd = issued.map((t) => sqlTime(t + 7 * DAY));
  const created = at[0];
  const absoluteEnd = sqlTime(start + 30 * DAY);
  let made = 0;
  let userIndex = 0;
  while (made < count) {
    const chunk = { users: [], sessions: [], tokens: [] };
    // Random token hashes, 32 bytes each: as good as sha256 hex of anything, and cheaper. A
    // chunk ends after the user that reaches CHUNK_TOKENS, so it may hold one user's more.
    const hashes = randomBytes(32 * (CHUNK_TOKENS + SESSIONS_PER_USER * TOKENS_PER_SESSION));
    const hex = hashes.toString('hex');
    while (made < count && chunk.tokens.length < CHUNK_TOKENS) {
      const userId = nextId('users');
      const email = `seed-${tag}-${userIndex++}@bench.invalid`;
      chunk.users.push([userId, email, NO_PASSWORD, null, 'user', 0, created, created]);
      for (let s = 0; s < SESSIONS_PER_USER && made < count; s++) {
        const sessionId = nextId('sessions');
        const tokens = Math.min(TOKENS_PER_SESSION, count - made);
        const last = tokens - 1;
        chunk.sessions.push([
          sessionId,
          userId,
          created,
          at[last],
          absoluteEnd,
          idleEnd[last],
          null,
          null,
          'bench-seed',
          '127.0.0.1',
        ]);
        let parentId = null;
        for (let i = 0; i < tokens; i++) {
          const id = nextId('tokens');
          const n = chunk.tokens.length;
          const hash = hex.slice(n * 64, n * 64 + 64);
          chunk.tokens.push([
            id,
            sessionId,
            parentId,
            hash,
            at[i],
            idleEnd[i],
            i < last ? at[i + 1] : null,
          ]);
          parentId = id;
        }
        made += tokens;
      }
    }
    yield chunk;
  }
}

const COLUMNS = {
  users: ['id', 'email', 'password_hash', 'name', 'roles', 'disabled', 'created_at', 'updated_at'],
  sessions: [
    'id',
    'user_id',
    'created_at',
    'last_used_at',
    'expires_at',
    'refresh_expires_at',
    'revoked_at',
    'revoked_reason',
    'user_agent',
    'ip',
  ],
  tokens: ['id', 'session_id', 'parent_id', 'token_hash', 'created_at', 'expires_at', 'spent_at'],
};
const TABLES = { users: 'users', sessions: 'sessions', tokens: 'refresh_tokens' };

/** A SQLite file in a temp dir; `fresh()` starts over with an empty file. */
function sqliteTarget() {
  const Database = require('better-sqlite3');
  let dir;
  let file;
  const open = () => new Database(file);
  return {
    kind: 'sqlite',
    describe: () => `SQLite (better-sqlite3 ${require('better-sqlite3/package.json').version})`,
    fresh() {
      if (dir) rmSync(dir, { recursive: true, force: true });
      dir = mkdtempSync(join(tmpdir(), 'auth-bench-'));
      file = join(dir, 'bench.sqlite');
      return `sqlite:${file}`;
    },
    async countTokens() {
      const db = open();
      try {
        return db.prepare('SELECT COUNT(*) AS n FROM refresh_tokens').get().n;
      } finally {
        db.close();
      }
    },
    /** One transaction, one prepared statement per table. */
    async seed(count) {
      const db = open();
      try {
        // Random UUID keys touch pages all over the indexes: with SQLite's default 2 MB page
        // cache most of them would be spilled and read back. This connection only.
        db.pragma('cache_size = -1000000');
        const insert = {};
        for (const [key, table] of Object.entries(TABLES)) {
          const columns = COLUMNS[key];
          insert[key] = db.prepare(
            `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
          );
        }
        db.transaction(() => {
          for (const chunk of seedChunks(count)) {
            for (const key of ['users', 'sessions', 'tokens']) {
              for (const row of chunk[key]) insert[key].run(row);
            }
          }
        })();
        db.pragma('wal_checkpoint(TRUNCATE)');
      } finally {
        db.close();
      }
    },
    async close() {
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * MySQL/MariaDB. With DATABASE_URL=mysql://… in the environment, that database (its name must
 * contain "bench": the bench drops it). Otherwise the repo's test server (scripts/mariadb-test.sh,
 * started if it is not running and then stopped at the end) with database `<its db>_bench`, which
 * its user may create and use.
 */
async function mysqlTarget({ log }) {
  const mysql = require('mysql2/promise');
  let url;
  let startedServer = false;
  const fromEnv = process.env.DATABASE_URL;
  if (fromEnv) {
    if (!/^(mysql|mariadb):\/\//.test(fromEnv)) {
      throw Object.assign(new Error('--db mysql: DATABASE_URL is set but is not a mysql:// URL'), {
        usage: true,
      });
    }
    url = new URL(fromEnv.replace(/^mariadb:/, 'mysql:'));
    if (!url.pathname.includes('bench')) {
      const got = url.pathname.slice(1) || 'none';
      throw Object.assign(
        new Error(
          `--db mysql drops and recreates the database of DATABASE_URL: name one with "bench" in it (got ${got})`,
        ),
        { usage: true },
      );
    }
  } else {
    const script = join(__dirname, '..', 'mariadb-test.sh');
    let line;
    try {
      execFileSync(script, ['status'], { stdio: 'ignore' });
      line = execFileSync(script, ['url'], { encoding: 'utf8' });
    } catch {
      log('starting the test MariaDB (scripts/mariadb-test.sh start)…');
      line = execFileSync(script, ['start'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      startedServer = true;
    }
    url = new URL(
      line
        .trim()
        .split('\n')
        .pop()
        .replace(/^DATABASE_URL=/, ''),
    );
    url.pathname = `${url.pathname}_bench`;
  }
  const name = decodeURIComponent(url.pathname.slice(1));
  const connect = (database) =>
    mysql.createConnection({
      host: url.hostname,
      port: Number(url.port || 3306),
      user: decodeURIComponent(url.username),
      password: decodeURIComponent(url.password),
      database,
      timezone: 'Z',
    });
  const admin = await connect(undefined);
  const [[{ version }]] = await admin.query('SELECT VERSION() AS version');
  return {
    kind: 'mysql',
    describe: () => `${/mariadb/i.test(version) ? 'MariaDB' : 'MySQL'} ${version}`,
    async fresh() {
      await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await admin.query(
        `CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
      );
      return url.toString();
    },
    async countTokens() {
      const [[{ n }]] = await admin.query(`SELECT COUNT(*) AS n FROM \`${name}\`.refresh_tokens`);
      return Number(n);
    },
    /** Multi-row INSERTs of CHUNK_TOKENS tokens (and their sessions and users) each. */
    async seed(count) {
      const db = await connect(name);
      try {
        await db.query('SET SESSION foreign_key_checks = 0, unique_checks = 0');
        for (const chunk of seedChunks(count)) {
          await db.beginTransaction();
          for (const key of ['users', 'sessions', 'tokens']) {
            await db.query(`INSERT INTO ${TABLES[key]} (${COLUMNS[key].join(', ')}) VALUES ?`, [
              chunk[key],
            ]);
          }
          await db.commit();
        }
      } finally {
        await db.end();
      }
    },
    async close() {
      await admin.query(`DROP DATABASE IF EXISTS \`${name}\``).catch(() => undefined);
      await admin.end();
      if (startedServer) {
        log('stopping the test MariaDB this run started');
        execFileSync(join(__dirname, '..', 'mariadb-test.sh'), ['stop'], { stdio: 'ignore' });
      }
    },
  };
}

module.exports = { sqliteTarget, mysqlTarget };
