import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { RegisterDto } from '../../auth/dto/register.dto';
import { PasswordHasher } from '../../auth/password/password-hasher.service';
import { AuditLog } from '../../common/audit/audit-log.service';
import { User } from '../../users/entities/user.entity';
import { Role } from '../../users/enums/role.enum';
import { UsersService } from '../../users/users.service';
import { CliError } from '../cli-error';
import { OPERATOR_CLIENT, operatorActorId } from '../operator';

/** Where a new account's password comes from; read only when the account does not exist. */
export interface PasswordSource {
  /** For messages: `stdin` or `ADMIN_PASSWORD`. */
  name: string;
  read(): Promise<string>;
}

/** Registration's own rules (RegisterDto): the normalised email, or the first problem. */
function checkAsRegistration(email: string, password?: string) {
  const dto = plainToInstance(RegisterDto, { email, password });
  const problems = (property: keyof RegisterDto) =>
    validateSync(dto)
      .filter((error) => error.property === property)
      .flatMap((error) => Object.values(error.constraints ?? {}));
  return {
    email: dto.email,
    emailProblem: problems('email')[0],
    passwordProblem: problems('password')[0],
  };
}

/** `create-admin <email>`: a new admin account, or the admin role for an existing one. */
@Injectable()
export class CreateAdminCommand {
  constructor(
    private readonly users: UsersService,
    private readonly audit: AuditLog,
    private readonly moduleRef: ModuleRef,
  ) {}

  /** AuthModule's own hasher and worker pool (AuthModule does not export it). */
  private get hasher(): PasswordHasher {
    return this.moduleRef.get(PasswordHasher, { strict: false });
  }

  async run(rawEmail: string, password: PasswordSource | null): Promise<string> {
    const { email, emailProblem } = checkAsRegistration(rawEmail);
    if (emailProblem) throw new CliError(`invalid email "${rawEmail}": ${emailProblem}`);
    const existing = await this.users.findByEmail(email);
    if (existing) return this.promote(existing);
    if (!password) {
      throw new CliError(
        `no account with email ${email}; to create one, give its password with ` +
          '--password-stdin or ADMIN_PASSWORD',
      );
    }
    const secret = await password.read();
    const { passwordProblem } = checkAsRegistration(email, secret);
    if (passwordProblem) {
      throw new CliError(`password from ${password.name} refused: ${passwordProblem}`);
    }
    const user = await this.users.create({
      email,
      passwordHash: await this.hasher.hash(secret),
      name: null,
      roles: [Role.User, Role.Admin],
      emailVerified: true,
    });
    this.audit.record('admin.user.created', {
      actorId: operatorActorId(),
      userId: user.id,
      roles: user.roles,
      ...OPERATOR_CLIENT,
    });
    return `created admin ${email} (id ${user.id})`;
  }

  private async promote(existing: User): Promise<string> {
    if (existing.roles.includes(Role.Admin)) {
      return `${existing.email} is already an admin; nothing changed`;
    }
    const user = await this.users.update(existing.id, { roles: [...existing.roles, Role.Admin] });
    this.audit.record('admin.user.roles_changed', {
      actorId: operatorActorId(),
      userId: user.id,
      previousRoles: existing.roles,
      roles: user.roles,
      ...OPERATOR_CLIENT,
    });
    const disabled = user.disabled ? '; the account is disabled and stays so' : '';
    return (
      `promoted ${user.email} (id ${user.id}) to admin, roles now ${user.roles.join(', ')}; ` +
      `password unchanged${disabled}`
    );
  }
}
