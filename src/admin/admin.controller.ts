import { Body, Controller, Delete, Get, HttpCode, Patch, Query } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Auth } from '../auth/decorators/auth.decorator';
import { TokenService } from '../auth/token.service';
import { mapPage } from '../common/dto/page.dto';
import { PaginationQueryDto } from '../common/dto/pagination-query.dto';
import { ErrorCode } from '../common/errors';
import { UuidParam } from '../common/pipes/uuid-param';
import { ApiErrors } from '../common/swagger/api-errors.decorator';
import { Role } from '../users/enums/role.enum';
import { AdminUpdateUserDto } from '../users/dto/admin-update-user.dto';
import { AdminUserPageDto, AdminUserResponseDto } from '../users/dto/admin-user-response.dto';
import { UsersService } from '../users/users.service';

@ApiTags('admin')
@Auth(Role.Admin)
@Controller('admin')
export class AdminController {
  constructor(
    private readonly users: UsersService,
    private readonly tokens: TokenService,
  ) {}

  @Get('users')
  @ApiOperation({ summary: 'List users, oldest first' })
  @ApiOkResponse({ type: AdminUserPageDto })
  @ApiErrors(ErrorCode.ValidationFailed)
  async findAll(@Query() query: PaginationQueryDto): Promise<AdminUserPageDto> {
    const page = await this.users.findAll(query.page, query.limit);
    return mapPage(page, (user) => AdminUserResponseDto.from(user));
  }

  @Patch('users/:id')
  @ApiOperation({ summary: 'Change roles or disable a user (disabling ends all their sessions)' })
  @ApiOkResponse({ type: AdminUserResponseDto })
  @ApiErrors(ErrorCode.ValidationFailed, ErrorCode.NotFound)
  async update(@UuidParam('id') id: string, @Body() dto: AdminUpdateUserDto) {
    await this.users.findOne(id);
    const user = await this.users.update(id, dto);
    if (dto.disabled) await this.tokens.endAllSessions(id, 'user_disabled');
    return AdminUserResponseDto.from(user);
  }

  @Delete('users/:id/sessions')
  @HttpCode(204)
  @ApiOperation({ summary: 'End all sessions of a user' })
  @ApiNoContentResponse({ description: 'Sessions ended' })
  @ApiErrors(ErrorCode.ValidationFailed, ErrorCode.NotFound)
  async removeSessions(@UuidParam('id') id: string): Promise<void> {
    await this.users.findOne(id);
    await this.tokens.endAllSessions(id, 'admin');
  }
}
