import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { Repository } from 'typeorm';
import { Page } from '../common/dto/page.dto';
import { AppException, ErrorCode } from '../common/errors';
import { Clock } from '../common/clock';
import { SessionCache } from '../session-cache/session-cache.service';
import { isUniqueViolation } from '../database/db-errors';
import { User } from './entities/user.entity';
import { Role } from './enums/role.enum';

export interface NewUser {
  email: string;
  passwordHash: string;
  name: string | null;
  roles?: Role[];
  /** An operator's account (ADMIN_EMAIL, create-admin): its address needs no link. */
  emailVerified?: boolean;
}

/** Users: lookups by primary key or the unique email index, never scans. */
@Injectable()
export class UsersService {
  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    private readonly clock: Clock,
    private readonly sessionCache: SessionCache,
  ) {}

  findByEmail(email: string): Promise<User | null> {
    return this.users.findOneBy({ email });
  }

  async findOne(id: string): Promise<User> {
    const user = await this.users.findOneBy({ id });
    if (!user) throw new AppException(ErrorCode.NotFound, 'User not found');
    return user;
  }

  /** Creates a user; an email already taken (even by a concurrent request) answers 409. */
  async create(input: NewUser): Promise<User> {
    const now = this.clock.now();
    const user = this.users.create({
      id: randomUUID(),
      email: input.email,
      passwordHash: input.passwordHash,
      name: input.name,
      roles: input.roles ?? [Role.User],
      disabled: false,
      emailVerifiedAt: input.emailVerified ? now : null,
      createdAt: now,
      updatedAt: now,
    });
    try {
      return await this.users.save(user);
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new AppException(ErrorCode.EmailTaken, 'Email is already registered');
      }
      throw error;
    }
  }

  async update(id: string, changes: Partial<Pick<User, 'name' | 'roles' | 'disabled'>>) {
    await this.users.update({ id }, { ...changes, updatedAt: this.clock.now() });
    // The access-token check answers with the user: every instance's cached copy goes.
    this.sessionCache.usersChanged([id]);
    return this.findOne(id);
  }

  /**
   * Swaps the password hash only if it is still the one the caller verified: one conditional
   * UPDATE, so a concurrent password change (or a login's cost upgrade) can never be
   * overwritten by a request that checked the old password. True when this call won.
   */
  async replacePasswordHash(id: string, verifiedHash: string, newHash: string): Promise<boolean> {
    const result = await this.users.update(
      { id, passwordHash: verifiedHash },
      { passwordHash: newHash, updatedAt: this.clock.now() },
    );
    return result.affected === 1;
  }

  async findAll(page: number, limit: number): Promise<Page<User>> {
    const [items, total] = await this.users.findAndCount({
      order: { createdAt: 'ASC', id: 'ASC' },
      skip: (page - 1) * limit,
      take: limit,
    });
    return { items, total, page, limit };
  }
}
