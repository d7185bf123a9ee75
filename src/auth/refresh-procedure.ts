import type { QueryRunner } from 'typeorm';
import { codesOf } from '../database/db-errors';

/**
 * A refresh's spend on MySQL/MariaDB as one stored procedure: one round trip (`CALL`) instead
 * of four (`START TRANSACTION`, the conditional multi-table UPDATE, the successor's INSERT,
 * `COMMIT`). The statements, their order and the transaction are TokenStore's own: the UPDATE
 * spends the parent and touches its session only while `spent_at IS NULL`, its row count
 * decides, the INSERT of the (deterministic) successor takes a duplicate key as "already
 * there", and any other error rolls both back and reaches the caller unchanged (RESIGNAL: a
 * deadlock or a Galera certification conflict keeps its code, so the retry still runs).
 *
 * Chosen over a multi-statement batch: that needs `multipleStatements` on the pool, which
 * would let any injected string stack statements on every query the app makes; a procedure's
 * CALL is one statement with bound parameters. The name is versioned: a change to the
 * statements is a new procedure in a new migration, so instances of two releases never run
 * each other's.
 *
 * Creating it needs `CREATE ROUTINE` (and `EXECUTE` to call it). Where the migration's user
 * lacks it, the migration logs a warning and goes on, and TokenStore keeps sending the four
 * statements (it also falls back when a CALL answers that the procedure is missing or not
 * allowed). A DBA can install it later with `npm run cli -- refresh-procedure`.
 */
export const REFRESH_PROCEDURE = 'auth_spend_refresh_v1';

/** Errors that mean "the procedure cannot be created here" (privileges, binlog rules). */
const NOT_ALLOWED = new Set([
  'ER_DBACCESS_DENIED_ERROR',
  'ER_SPECIFIC_ACCESS_DENIED_ERROR',
  'ER_PROCACCESS_DENIED_ERROR',
  'ER_TABLEACCESS_DENIED_ERROR',
  'ER_BINLOG_CREATE_ROUTINE_NEED_SUPER',
  'ER_BINLOG_UNSAFE_ROUTINE',
]);

/** Errors of a CALL that mean "use the statements instead" (dropped, or EXECUTE not granted). */
export const CALL_UNAVAILABLE = new Set([
  'ER_SP_DOES_NOT_EXIST',
  'ER_PROCACCESS_DENIED_ERROR',
  'ER_SP_WRONG_NO_OF_ARGS',
]);

/**
 * `CHARACTER SET … COLLATE …` of a column, for the procedure's parameters: a parameter has
 * the same coercibility as a column, so one in the database's default collation compared
 * with a column in another would be "Illegal mix of collations".
 */
async function columnCharset(
  queryRunner: QueryRunner,
  table: string,
  column: string,
): Promise<string> {
  const [row] = (await queryRunner.query(
    'SELECT CHARACTER_SET_NAME AS charset, COLLATION_NAME AS collation ' +
      'FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() ' +
      'AND TABLE_NAME = ? AND COLUMN_NAME = ?',
    [table, column],
  )) as { charset: string; collation: string }[];
  if (!row || !/^\w+$/.test(row.charset) || !/^\w+$/.test(row.collation)) {
    throw new Error(`unexpected character set of ${table}.${column}: ${JSON.stringify(row)}`);
  }
  return `CHARACTER SET ${row.charset} COLLATE ${row.collation}`;
}

/** The CREATE PROCEDURE statement for the schema as it is now. */
export async function refreshProcedureSql(queryRunner: QueryRunner): Promise<string> {
  const id = `varchar(36) ${await columnCharset(queryRunner, 'refresh_tokens', 'id')}`;
  const hash = `varchar(64) ${await columnCharset(queryRunner, 'refresh_tokens', 'token_hash')}`;
  return `CREATE PROCEDURE \`${REFRESH_PROCEDURE}\`(
  IN p_parent_id ${id}, IN p_now datetime(3), IN p_refresh_expires_at datetime(3),
  IN p_id ${id}, IN p_session_id ${id}, IN p_token_parent_id ${id}, IN p_token_hash ${hash},
  IN p_created_at datetime(3), IN p_expires_at datetime(3), IN p_spent_at datetime(3))
  MODIFIES SQL DATA
  SQL SECURITY INVOKER
  COMMENT 'nest-auth: spend a refresh token and store its successor (TokenStore)'
BEGIN
  DECLARE EXIT HANDLER FOR SQLEXCEPTION
  BEGIN
    ROLLBACK;
    RESIGNAL;
  END;
  START TRANSACTION;
  UPDATE \`refresh_tokens\` t INNER JOIN \`sessions\` s ON s.\`id\` = t.\`session_id\`
     SET t.\`spent_at\` = p_now, s.\`last_used_at\` = p_now, s.\`refresh_expires_at\` = p_refresh_expires_at
   WHERE t.\`id\` = p_parent_id AND t.\`spent_at\` IS NULL;
  IF ROW_COUNT() = 0 THEN
    ROLLBACK;
    SELECT 0 AS spent;
  ELSE
    BEGIN
      -- Already there: a grace replay stored the same (deterministic) successor.
      DECLARE CONTINUE HANDLER FOR 1062 BEGIN END;
      INSERT INTO \`refresh_tokens\`
        (\`id\`, \`session_id\`, \`parent_id\`, \`token_hash\`, \`created_at\`, \`expires_at\`, \`spent_at\`)
        VALUES (p_id, p_session_id, p_token_parent_id, p_token_hash, p_created_at, p_expires_at, p_spent_at);
    END;
    COMMIT;
    SELECT 1 AS spent;
  END IF;
END`;
}

/**
 * Creates (or re-creates) the procedure. Resolves to false, with `warn` told why, where this
 * user may not create routines; other errors are thrown.
 */
export async function installRefreshProcedure(
  queryRunner: QueryRunner,
  warn: (message: string) => void,
): Promise<boolean> {
  const sql = await refreshProcedureSql(queryRunner);
  try {
    await queryRunner.query(`DROP PROCEDURE IF EXISTS \`${REFRESH_PROCEDURE}\``);
    await queryRunner.query(sql);
    return true;
  } catch (error) {
    const code = codesOf(error).find((c) => NOT_ALLOWED.has(c));
    if (!code) throw error;
    warn(
      `refresh: stored procedure ${REFRESH_PROCEDURE} not created (${code}: ${(error as Error).message}); ` +
        'refresh sends its four statements instead (one round trip each). Grant CREATE ROUTINE ' +
        'and run `npm run cli -- refresh-procedure` to install it.',
    );
    return false;
  }
}
