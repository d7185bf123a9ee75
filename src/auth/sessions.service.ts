import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, MoreThan, Repository } from 'typeorm';
import { AuditLog } from '../common/audit/audit-log.service';
import { Clock } from '../common/clock';
import { AppException, ErrorCode } from '../common/errors';
import { SessionResponseDto } from './dto/session-response.dto';
import { Session } from './entities/session.entity';
import { TokenService } from './token.service';
import { AuthUser, RequestMeta } from './types/auth-user';

/** A user's view of their own sessions (the index on sessions.user_id serves both queries). */
@Injectable()
export class SessionsService {
  constructor(
    @InjectRepository(Session) private readonly sessions: Repository<Session>,
    private readonly tokens: TokenService,
    private readonly clock: Clock,
    private readonly audit: AuditLog,
  ) {}

  async findAll(caller: AuthUser): Promise<SessionResponseDto[]> {
    const active = await this.sessions.find({
      where: {
        userId: caller.id,
        revokedAt: IsNull(),
        refreshExpiresAt: MoreThan(this.clock.now()),
      },
      order: { lastUsedAt: 'DESC' },
    });
    return active.map((session) => SessionResponseDto.from(session, caller.sessionId));
  }

  /** Ends one of the caller's sessions; someone else's (or an unknown id) is a 404. */
  async remove(caller: AuthUser, id: string, meta: RequestMeta): Promise<void> {
    const session = await this.sessions.findOneBy({ id, userId: caller.id });
    if (!session) throw new AppException(ErrorCode.NotFound, 'Session not found');
    await this.tokens.endSession(id, 'deleted');
    this.audit.record('auth.session.deleted', {
      userId: caller.id,
      sessionId: id,
      callerSessionId: caller.sessionId,
      ...meta,
    });
  }

  /** Logout-all: ends every session of the caller, the calling one included. */
  async removeAll(caller: AuthUser, meta: RequestMeta): Promise<void> {
    await this.tokens.endAllSessions(caller.id, 'logout_all');
    this.audit.record('auth.logout_all', {
      userId: caller.id,
      sessionId: caller.sessionId,
      ...meta,
    });
  }
}
