import { Controller, Get, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ACCESS_TOKEN_ERRORS } from '../auth/decorators/auth.decorator';
import { Public } from '../auth/decorators/public.decorator';
import { ErrorCode } from '../common/errors';
import { ApiErrors } from '../common/swagger/api-errors.decorator';
import { headerRefs } from '../common/swagger/response-headers';
import { MetricsAccessGuard } from './metrics-access.guard';
import { Metrics } from './metrics.service';

/** `GET /metrics`, outside the `/api` prefix where Prometheus looks by default. */
@ApiTags('metrics')
@Public()
@UseGuards(MetricsAccessGuard)
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: Metrics) {}

  @Get()
  @ApiOperation({
    summary: 'Prometheus metrics (text format); admin only unless METRICS_PUBLIC=true',
    description:
      'Request counts and latencies by route and status, errors by code, refresh outcomes, ' +
      'the bcrypt pool and the process. Requires an admin access token unless the server runs ' +
      'with METRICS_PUBLIC=true (then behind a network boundary). Never cached.',
  })
  @ApiBearerAuth()
  @ApiProduces('text/plain')
  @ApiOkResponse({
    description: 'Prometheus text exposition format 0.0.4',
    headers: headerRefs('Cache-Control'),
    content: { 'text/plain': { schema: { type: 'string' } } },
  })
  @ApiErrors(...ACCESS_TOKEN_ERRORS, ErrorCode.Forbidden)
  async scrape(@Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const { contentType, body } = await this.metrics.scrape();
    void reply.header('Content-Type', contentType).header('Cache-Control', 'no-store');
    return body;
  }
}
