import { ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { AuthGuard } from '@nestjs/passport';
import { JwtAuthGuard } from '../auth/guards/jwt-auth.guard';
import { AuthUser } from '../auth/types/auth-user';
import { AppException, ErrorCode } from '../common/errors';
import { appConfig } from '../config/app.config';
import { Role } from '../users/enums/role.enum';

/**
 * Who may read `/metrics`: anyone when METRICS_PUBLIC=true, otherwise an admin's access token.
 * The route is `@Public()` for the global guards (they cannot depend on configuration), so this
 * guard checks the token itself, with the global guard's answers: 401 with the contract's
 * token codes and a Bearer challenge, then 403 `forbidden` for a non-admin.
 *
 * Why admin-only by default: the metrics tell how many logins fail and which routes are slow;
 * a scraper on the private network is the intended reader, so opening them is a decision.
 */
@Injectable()
export class MetricsAccessGuard extends AuthGuard('jwt') {
  constructor(@Inject(appConfig.KEY) private readonly config: ConfigType<typeof appConfig>) {
    super();
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.config.metricsPublic) return true;
    await super.canActivate(context);
    const user = context.switchToHttp().getRequest<{ user?: AuthUser }>().user;
    if (user?.roles.includes(Role.Admin)) return true;
    throw new AppException(ErrorCode.Forbidden, 'You do not have permission for this action');
  }

  handleRequest<TUser>(err: unknown, user: TUser, info: unknown): TUser {
    return JwtAuthGuard.prototype.handleRequest.call(this, err, user, info) as TUser;
  }
}
