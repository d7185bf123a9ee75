import { Injectable } from '@nestjs/common';
import { AuditLog } from '../../common/audit/audit-log.service';
import { describeRotation, KeySet } from '../../keys/key-set.service';
import { CliError } from '../cli-error';
import { OPERATOR_CLIENT, operatorActorId } from '../operator';

/**
 * `rotate-keys`: next → current, current → retired, a new next (what KEY_ROTATION_INTERVAL
 * does on a schedule). Running servers pick it up within KEY_REFRESH_INTERVAL; the promoted
 * key signs once it has been published for the pre-publication window, so no verifier meets
 * a token whose key it could not have fetched yet.
 */
@Injectable()
export class RotateKeysCommand {
  constructor(
    private readonly keySet: KeySet,
    private readonly audit: AuditLog,
  ) {}

  async run(): Promise<string> {
    if (!this.keySet.enabled) {
      throw new CliError(
        'JWT_ALG is HS256: access tokens are signed with JWT_ACCESS_SECRET, there is no key ' +
          'set to rotate (set JWT_ALG=ES256, EdDSA or RS256)',
      );
    }
    const result = await this.keySet.rotate();
    if (!result) throw new CliError('another rotation promoted the next key first; run it again');
    this.audit.record('keys.rotated', {
      actorId: operatorActorId(),
      promoted: result.promoted.id,
      activatesAt: (result.promoted.activatesAt as Date).toISOString(),
      retired: result.retired,
      next: result.next.id,
      ...OPERATOR_CLIENT,
    });
    return describeRotation(result);
  }
}
