import { call, connect, freshDatabase, Instance, register, rows, startInstance } from './harness';

/**
 * A database created with a legacy default character set (latin1): the migrations still
 * leave every table in utf8mb4, so emoji are stored and returned verbatim, never a 500.
 */
describe('cluster: a latin1 database still keeps emoji', () => {
  let instance: Instance;
  let url: string;

  beforeAll(async () => {
    url = await freshDatabase('latin1');
    const db = await connect(url);
    try {
      const name = new URL(url).pathname.slice(1);
      await db.query(`ALTER DATABASE \`${name}\` CHARACTER SET latin1 COLLATE latin1_swedish_ci`);
    } finally {
      await db.end();
    }
    instance = await startInstance('latin1', url);
  });

  afterAll(async () => {
    await instance?.stop();
  });

  it('converts the tables to utf8mb4 and keeps the email collation binary', async () => {
    const db = await connect(url);
    try {
      const [schema] = await rows<{ charset: string }>(
        db,
        'SELECT DEFAULT_CHARACTER_SET_NAME AS charset FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = DATABASE()',
      );
      expect(schema.charset).toBe('latin1');
      const columns = await rows<{
        tableName: string;
        name: string;
        charset: string;
        collation: string;
      }>(
        db,
        `SELECT TABLE_NAME AS tableName, COLUMN_NAME AS name, CHARACTER_SET_NAME AS charset,
                COLLATION_NAME AS collation
           FROM information_schema.COLUMNS
          WHERE TABLE_SCHEMA = DATABASE() AND CHARACTER_SET_NAME IS NOT NULL
            AND TABLE_NAME IN ('users', 'sessions', 'refresh_tokens', 'articles',
                               'mail_outbox', 'password_reset_tokens',
                               'email_verification_tokens', 'user_mfa',
                               'mfa_recovery_codes', 'mfa_challenges')`,
      );
      expect(columns.length).toBeGreaterThan(10);
      for (const column of columns) {
        expect({ column: `${column.tableName}.${column.name}`, charset: column.charset }).toEqual({
          column: `${column.tableName}.${column.name}`,
          charset: 'utf8mb4',
        });
      }
      const email = columns.find((c) => c.tableName === 'users' && c.name === 'email');
      expect(email?.collation).toBe('utf8mb4_bin');
      // The tables made after the conversion are utf8mb4 too (mail subjects and bodies).
      expect(new Set(columns.map((c) => c.tableName))).toEqual(
        new Set([
          'users',
          'sessions',
          'refresh_tokens',
          'articles',
          'mail_outbox',
          'password_reset_tokens',
          'email_verification_tokens',
          'user_mfa',
          'mfa_recovery_codes',
          'mfa_challenges',
        ]),
      );
      // The foreign keys dropped for the conversion are back, with their cascades.
      const keys = await rows<{ tableName: string; rule: string }>(
        db,
        `SELECT TABLE_NAME AS tableName, DELETE_RULE AS rule
           FROM information_schema.REFERENTIAL_CONSTRAINTS
          WHERE CONSTRAINT_SCHEMA = DATABASE() ORDER BY TABLE_NAME`,
      );
      expect(keys).toEqual([
        { tableName: 'articles', rule: 'CASCADE' },
        { tableName: 'email_verification_tokens', rule: 'CASCADE' },
        { tableName: 'mfa_challenges', rule: 'CASCADE' },
        { tableName: 'mfa_recovery_codes', rule: 'CASCADE' },
        { tableName: 'password_reset_tokens', rule: 'CASCADE' },
        { tableName: 'refresh_tokens', rule: 'CASCADE' },
        { tableName: 'sessions', rule: 'CASCADE' },
        { tableName: 'user_mfa', rule: 'CASCADE' },
      ]);
    } finally {
      await db.end();
    }
  });

  it('stores and returns a 4-byte emoji name and article verbatim', async () => {
    const name = 'Zoë 😀 👩‍💻';
    const res = await call(instance, 'POST', '/api/auth/register', {
      body: { email: 'emoji@example.com', password: 'correct horse battery', name },
    });
    expect(res.status).toBe(201);
    expect(res.body.user.name).toBe(name);
    const me = await call(instance, 'GET', '/api/users/me', { token: res.body.accessToken });
    expect(me.body.name).toBe(name);
    const article = await call(instance, 'POST', '/api/articles', {
      token: res.body.accessToken,
      body: { title: '🚀 launch', body: 'body 🧪' },
    });
    expect(article.status).toBe(201);
    const read = await call(instance, 'GET', `/api/articles/${article.body.id}`);
    expect(read.body.title).toBe('🚀 launch');
    // Emails stay case- and accent-exact (binary): josé@ and jose@ are two accounts.
    await register(instance, 'jose@example.com');
    await register(instance, 'josé@example.com');
  });
});
