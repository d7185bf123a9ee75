import { Body, Controller, Delete, Get, HttpCode, Patch, Query } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Auth } from '../auth/decorators/auth.decorator';
import { ClientMeta } from '../auth/decorators/client-meta.decorator';
import { CurrentUser } from '../auth/decorators/current-user.decorator';
import { AuthUser, RequestMeta } from '../auth/types/auth-user';
import { mapPage } from '../common/dto/page.dto';
import { PaginationQueryDto } from '../common/dto/pagination-query.dto';
import { ErrorCode } from '../common/errors';
import { UuidParam } from '../common/pipes/uuid-param';
import { ApiErrors } from '../common/swagger/api-errors.decorator';
import { Role } from '../users/enums/role.enum';
import { AdminUpdateUserDto } from '../users/dto/admin-update-user.dto';
import { AdminUserPageDto, AdminUserResponseDto } from '../users/dto/admin-user-response.dto';
import { UsersService } from '../users/users.service';
import { AdminService } from './admin.service';

@ApiTags('admin')
// An admin with TOTP enrolled acts only from a session proven with it.
@Auth(Role.Admin, { mfa: true })
@Controller('admin')
export class AdminController {
  constructor(
    private readonly users: UsersService,
    private readonly admin: AdminService,
  ) {}

  @Get('users')
  @ApiOperation({
    summary: 'List users, oldest first',
    description:
      'Every account with its roles and disabled flag, paginated by `page` and ' +
      '`limit` (at most 100).',
  })
  @ApiOkResponse({ type: AdminUserPageDto })
  @ApiErrors(ErrorCode.ValidationFailed)
  async findAll(@Query() query: PaginationQueryDto): Promise<AdminUserPageDto> {
    const page = await this.users.findAll(query.page, query.limit);
    return mapPage(page, (user) => AdminUserResponseDto.from(user));
  }

  @Patch('users/:id')
  @ApiOperation({
    summary: 'Change roles, disable a user or mark the email verified',
    description:
      'Sets `roles`, `disabled` and/or `emailVerified`. Disabling ends every session of the ' +
      'user: their tokens stop working at once. `emailVerified` voids the outstanding ' +
      "verification links. Recorded in the audit log with the admin's id.",
  })
  @ApiOkResponse({ type: AdminUserResponseDto })
  @ApiErrors(ErrorCode.ValidationFailed, ErrorCode.NotFound)
  async update(
    @CurrentUser() actor: AuthUser,
    @UuidParam('id') id: string,
    @Body() dto: AdminUpdateUserDto,
    @ClientMeta() meta: RequestMeta,
  ): Promise<AdminUserResponseDto> {
    return AdminUserResponseDto.from(await this.admin.update(actor, id, dto, meta));
  }

  @Delete('users/:id/sessions')
  @HttpCode(204)
  @ApiOperation({
    summary: 'End all sessions of a user',
    description:
      'Ends every session of the user (their access tokens answer `token_revoked`) ' +
      'without disabling the account; they can log in again. Recorded in the audit ' +
      'log.',
  })
  @ApiNoContentResponse({ description: 'Sessions ended' })
  @ApiErrors(ErrorCode.ValidationFailed, ErrorCode.NotFound)
  removeSessions(
    @CurrentUser() actor: AuthUser,
    @UuidParam('id') id: string,
    @ClientMeta() meta: RequestMeta,
  ): Promise<void> {
    return this.admin.removeSessions(actor, id, meta);
  }

  @Delete('users/:id/mfa')
  @HttpCode(204)
  @ApiOperation({
    summary: "Remove a user's second factor (lost device)",
    description:
      'Deletes the TOTP factor, its recovery codes and open mfa tokens: the user logs in with ' +
      'the password alone again and may enrol anew. Audited (`admin.user.mfa_reset`); ' +
      'idempotent.',
  })
  @ApiNoContentResponse({ description: 'No second factor any more' })
  @ApiErrors(ErrorCode.ValidationFailed, ErrorCode.NotFound)
  resetMfa(
    @CurrentUser() actor: AuthUser,
    @UuidParam('id') id: string,
    @ClientMeta() meta: RequestMeta,
  ): Promise<void> {
    return this.admin.resetMfa(actor, id, meta);
  }
}
