import { Body, Controller, Get, Patch } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Auth } from '../auth/decorators/auth.decorator';
import { CurrentUser } from '../auth/decorators/current-user.decorator';
import { AuthUser } from '../auth/types/auth-user';
import { ErrorCode } from '../common/errors';
import { ApiErrors } from '../common/swagger/api-errors.decorator';
import { UpdateMeDto } from './dto/update-me.dto';
import { UserResponseDto } from './dto/user-response.dto';
import { UsersService } from './users.service';

@ApiTags('users')
@Auth()
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get('me')
  @ApiOperation({
    summary: "The caller's profile",
    description:
      'Id, email, name, roles and creation time of the account the access token ' + 'belongs to.',
  })
  @ApiOkResponse({ type: UserResponseDto })
  findMe(@CurrentUser() caller: AuthUser): UserResponseDto {
    return UserResponseDto.from(caller.account);
  }

  @Patch('me')
  @ApiOperation({
    summary: "Change the caller's name",
    description:
      'Only `name` can change here (1 to 100 characters); the email and roles cannot. ' +
      'Answers the updated profile.',
  })
  @ApiOkResponse({ type: UserResponseDto })
  @ApiErrors(ErrorCode.ValidationFailed)
  async updateMe(
    @CurrentUser() caller: AuthUser,
    @Body() dto: UpdateMeDto,
  ): Promise<UserResponseDto> {
    return UserResponseDto.from(await this.users.update(caller.id, { name: dto.name }));
  }
}
