import { ApiProperty } from '@nestjs/swagger';
import { User } from '../entities/user.entity';
import { Role } from '../enums/role.enum';

export class UserResponseDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'ann@example.com' })
  email: string;

  @ApiProperty({ type: String, nullable: true, example: 'Ann' })
  name: string | null;

  @ApiProperty({ enum: Role, isArray: true, example: [Role.User] })
  roles: Role[];

  @ApiProperty({ description: 'Whether the owner has proven the address (a link, or an admin)' })
  emailVerified: boolean;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt: string;

  static from(user: User): UserResponseDto {
    return {
      id: user.id,
      email: user.email,
      name: user.name,
      roles: user.roles,
      emailVerified: user.emailVerifiedAt !== null,
      createdAt: user.createdAt.toISOString(),
    };
  }
}
