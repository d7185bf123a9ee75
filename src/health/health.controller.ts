import { Controller, Get, Res, ServiceUnavailableException } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import { Public } from '../auth/decorators/public.decorator';
import { headerRefs } from '../common/swagger/response-headers';

/** A frozen database (no answer, no error) counts as down after this long. */
const PING_TIMEOUT_MS = 1_500;

/**
 * Terminus runs the checks (a `SELECT 1` ping bounded by PING_TIMEOUT_MS); the answer keeps
 * the contract's own body rather than Terminus's `{status, info, error, details}`, and says
 * nothing about why the database is down (no error text reaches a client).
 */
@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'Readiness: 200 once the database answers, 503 while it does not',
    description:
      'For load balancers and orchestrators: a `SELECT 1` ping bounded by 1.5 s. Unlike every ' +
      'other route, the 503 keeps this body rather than the error shape, and says nothing of ' +
      'why the database is down. Never cached.',
  })
  @ApiOkResponse({
    description: 'Ready',
    schema: { example: { status: 'ok', db: 'up' } },
    headers: headerRefs('Cache-Control'),
  })
  @ApiServiceUnavailableResponse({
    description: 'The database does not answer',
    schema: { example: { status: 'error', db: 'down' } },
    headers: headerRefs('Cache-Control'),
  })
  async check(@Res({ passthrough: true }) reply: FastifyReply) {
    reply.header('Cache-Control', 'no-store');
    if (await this.databaseUp()) return { status: 'ok', db: 'up' };
    reply.status(503);
    return { status: 'error', db: 'down' };
  }

  /** Terminus answers a failed check with a 503 exception: here it only means "down". */
  private async databaseUp(): Promise<boolean> {
    try {
      await this.health.check([() => this.db.pingCheck('database', { timeout: PING_TIMEOUT_MS })]);
      return true;
    } catch (error) {
      if (error instanceof ServiceUnavailableException) return false;
      throw error;
    }
  }
}
