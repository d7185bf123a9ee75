import { dirname } from 'node:path';
import { mkdirSync } from 'node:fs';
import { DataSourceOptions } from 'typeorm';
import { Article } from '../articles/entities/article.entity';
import { EmailVerificationToken } from '../auth/entities/email-verification-token.entity';
import { PasswordResetToken } from '../auth/entities/password-reset-token.entity';
import { MfaChallenge, MfaRecoveryCode, UserMfa } from '../auth/mfa/mfa.entities';
import { RefreshToken } from '../auth/entities/refresh-token.entity';
import { Session } from '../auth/entities/session.entity';
import { DatabaseConfig } from '../config/database.config';
import { SigningKey } from '../keys/signing-key.entity';
import { OutboxMail } from '../mail/outbox-mail.entity';
import { User } from '../users/entities/user.entity';
import { failoverDriver } from './failover-pool';
import { InitialSchema1764201600000 } from './migrations/1764201600000-InitialSchema';
import { PurgeIndexes1764288000000 } from './migrations/1764288000000-PurgeIndexes';
import { Utf8mb4Tables1764374400000 } from './migrations/1764374400000-Utf8mb4Tables';
import { SigningKeys1765152000000 } from './migrations/1765152000000-SigningKeys';
import { MailOutbox1765238400000 } from './migrations/1765238400000-MailOutbox';
import { PasswordResetTokens1765324800000 } from './migrations/1765324800000-PasswordResetTokens';
import { EmailVerification1765411200000 } from './migrations/1765411200000-EmailVerification';
import { Mfa1765497600000 } from './migrations/1765497600000-Mfa';
import { RefreshProcedure1765584000000 } from './migrations/1765584000000-RefreshProcedure';

export const entities = [
  User,
  Session,
  RefreshToken,
  Article,
  SigningKey,
  OutboxMail,
  PasswordResetToken,
  EmailVerificationToken,
  UserMfa,
  MfaRecoveryCode,
  MfaChallenge,
];
export const migrations = [
  InitialSchema1764201600000,
  PurgeIndexes1764288000000,
  Utf8mb4Tables1764374400000,
  SigningKeys1765152000000,
  MailOutbox1765238400000,
  PasswordResetTokens1765324800000,
  EmailVerification1765411200000,
  Mfa1765497600000,
  RefreshProcedure1765584000000,
];

/** Bounded waits, so a lost database answers 503 quickly instead of hanging requests. */
const MYSQL_CONNECT_TIMEOUT_MS = 2_000;

/**
 * The one place that turns `DATABASE_URL` into TypeORM options; used by the app and by
 * `ormconfig.ts` (the migration CLI). `synchronize` is off everywhere: the schema is the
 * migrations', tests included.
 */
export function buildDataSourceOptions(config: DatabaseConfig): DataSourceOptions {
  const common = { entities, migrations, synchronize: false, migrationsRun: false, logging: false };
  if (config.type === 'sqlite') {
    const memory = config.database === ':memory:';
    if (!memory) mkdirSync(dirname(config.database), { recursive: true });
    return {
      ...common,
      type: 'better-sqlite3',
      database: config.database,
      enableWAL: !memory,
      // In WAL mode, NORMAL syncs the log at checkpoints, not at every commit: a commit
      // survives a crash of the process, and a power cut can lose only the last commits, never
      // consistency. FULL fsyncs each commit (~3-6 ms here), and better-sqlite3 runs on the
      // event loop, so every request would wait on the disk: ~150 refreshes/s instead of
      // thousands. SQLITE_SYNCHRONOUS=FULL chooses durability over that.
      prepareDatabase: (db: { pragma: (sql: string) => unknown }) => {
        db.pragma(`synchronous = ${config.synchronous ?? 'NORMAL'}`);
      },
      // Waits for a lock held by another process (e.g. the migration CLI) instead of failing.
      timeout: 5_000,
    };
  }
  return {
    ...common,
    type: 'mysql',
    // mysql2 with a pool over every host of the list, in order (failover-pool.ts).
    connectorPackage: 'mysql2',
    driver: failoverDriver(config.hosts, config.causalReads),
    host: config.host,
    port: config.port,
    username: config.username,
    password: config.password,
    database: config.database,
    charset: 'utf8mb4_unicode_ci',
    // Dates go to and come from MySQL as UTC whatever the app's or the server's time zone.
    timezone: 'Z',
    connectTimeout: MYSQL_CONNECT_TIMEOUT_MS,
    extra: {
      connectionLimit: 10,
      waitForConnections: true,
      queueLimit: 0,
      enableKeepAlive: true,
    },
  };
}
