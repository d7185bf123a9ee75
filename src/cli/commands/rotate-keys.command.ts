import { Injectable } from '@nestjs/common';
import { describeRotation, KeySet } from '../../keys/key-set.service';
import { CliError } from '../cli-error';
import { operatorActorId } from '../operator';

/**
 * `rotate-keys`: next → current, current → retired, a new next (what KEY_ROTATION_INTERVAL
 * does on a schedule). Running servers pick it up within KEY_REFRESH_INTERVAL; the promoted
 * key signs once it has been published for the pre-publication window, so no verifier meets
 * a token whose key it could not have fetched yet.
 */
@Injectable()
export class RotateKeysCommand {
  constructor(private readonly keySet: KeySet) {}

  async run(): Promise<string> {
    if (!this.keySet.enabled) {
      throw new CliError(
        'JWT_ALG is HS256: access tokens are signed with JWT_ACCESS_SECRET, there is no key ' +
          'set to rotate (set JWT_ALG=ES256, EdDSA or RS256)',
      );
    }
    const result = await this.keySet.rotate(operatorActorId());
    if (!result) throw new CliError('another rotation promoted the next key first; run it again');
    return describeRotation(result);
  }
}
