import { Module } from '@nestjs/common';
import { SessionCache } from './session-cache.service';

/** The session-state cache and its invalidation hook, for auth, users and admin. */
@Module({ providers: [SessionCache], exports: [SessionCache] })
export class SessionCacheModule {}
