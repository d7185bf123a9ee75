import { registerAs } from '@nestjs/config';
import { ConfigError } from './config-error';
import {
  isProduction,
  RawEnv,
  readBoolean,
  readDuration,
  readEnum,
  readInt,
  readOptional,
  readTrustProxy,
} from './env';
import { readWebConcurrency } from './web-concurrency';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface AppConfig {
  /** NODE_ENV as set (for the start-up report); `production` is what the code branches on. */
  nodeEnv?: string;
  production: boolean;
  port: number;
  logLevel: LogLevel;
  trustProxy: number | string[] | false;
  corsOrigins: string[];
  /** Largest accepted request body, in bytes (contract: 100 KiB). */
  bodyLimit: number;
  /** How long SIGTERM waits for in-flight requests, in milliseconds (SHUTDOWN_TIMEOUT). */
  shutdownTimeoutMs: number;
  /** `GET /metrics` answers without a token (METRICS_PUBLIC); otherwise admins only. */
  metricsPublic: boolean;
  /** Processes serving the port (WEB_CONCURRENCY); more than 1: a cluster primary forks them. */
  webConcurrency: number;
}

export function loadAppConfig(env: RawEnv): AppConfig {
  const corsOrigins = (readOptional(env, 'CORS_ORIGINS') ?? '')
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
  for (const origin of corsOrigins) {
    if (!/^https?:\/\/[^/\s]+$/.test(origin)) {
      throw new ConfigError(
        'CORS_ORIGINS',
        `"${origin}" is not an origin like https://app.example.com`,
      );
    }
  }
  return {
    nodeEnv: env.NODE_ENV,
    production: isProduction(env),
    port: readInt(env, 'PORT', 3000, 0, 65535),
    logLevel: readEnum(env, 'LOG_LEVEL', 'info', LOG_LEVELS),
    trustProxy: readTrustProxy(env),
    corsOrigins,
    bodyLimit: 102_400,
    // Up to 5 min: past that an orchestrator's own kill timeout is the better bound.
    shutdownTimeoutMs: readDuration(env, 'SHUTDOWN_TIMEOUT', '10s', { max: 300 }) * 1000,
    metricsPublic: readBoolean(env, 'METRICS_PUBLIC', false),
    webConcurrency: readWebConcurrency(env),
  };
}

export const appConfig = registerAs('app', () => loadAppConfig(process.env));
