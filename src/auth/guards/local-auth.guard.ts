import { ExecutionContext, Injectable } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { AppException, ErrorCode } from '../../common/errors';
import { validateBody } from '../../common/pipes/validate-body';
import { LoginDto } from '../dto/login.dto';

/**
 * Guards run before pipes, so the login body is validated here (types, lengths, unknown
 * fields) before Passport sees it: a non-string password must be a 400, never a 500.
 */
@Injectable()
export class LocalAuthGuard extends AuthGuard('local') {
  async canActivate(context: ExecutionContext): Promise<boolean> {
    await validateBody(context.switchToHttp().getRequest<FastifyRequest>(), LoginDto);
    return (await super.canActivate(context)) as boolean;
  }

  handleRequest<TUser>(err: unknown, user: TUser): TUser {
    if (err) throw err as Error;
    if (!user) throw new AppException(ErrorCode.InvalidCredentials, 'Invalid email or password');
    return user;
  }
}
