import { ApiProperty } from '@nestjs/swagger';
import { Session } from '../entities/session.entity';

export class SessionResponseDto {
  @ApiProperty({ format: 'uuid', description: "The sid claim of this session's access tokens" })
  id: string;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt: string;

  @ApiProperty({ type: String, format: 'date-time', description: 'Login or last refresh' })
  lastUsedAt: string;

  @ApiProperty({
    type: String,
    format: 'date-time',
    description: "When the session ends unless refreshed: its live refresh token's expiry",
  })
  expiresAt: string;

  @ApiProperty({ type: String, nullable: true, example: 'Mozilla/5.0 (X11; Linux x86_64)' })
  userAgent: string | null;

  @ApiProperty({ type: String, nullable: true, example: '203.0.113.7' })
  ip: string | null;

  @ApiProperty({ description: 'True for the session of the access token making the call' })
  current: boolean;

  static from(session: Session, currentSid: string): SessionResponseDto {
    return {
      id: session.id,
      createdAt: session.createdAt.toISOString(),
      lastUsedAt: session.lastUsedAt.toISOString(),
      expiresAt: session.refreshExpiresAt.toISOString(),
      userAgent: session.userAgent,
      ip: session.ip,
      current: session.id === currentSid,
    };
  }
}
