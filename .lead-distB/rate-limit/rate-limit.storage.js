"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.RedisRateLimitStorage = exports.REDIS_RETRY_AFTER_MS = exports.REDIS_COMMAND_TIMEOUT_MS = void 0;
const common_1 = require("@nestjs/common");
const throttler_1 = require("@nestjs/throttler");
const throttler_storage_redis_1 = require("@nest-lab/throttler-storage-redis");
exports.REDIS_COMMAND_TIMEOUT_MS = 500;
exports.REDIS_RETRY_AFTER_MS = 5_000;
const REDIS_FIRST_CONNECT_MS = 2_000;
const WARNING_INTERVAL_MS = 30_000;
class RedisRateLimitStorage {
    redis;
    where;
    logger = new common_1.Logger('RateLimit');
    memory = new throttler_1.ThrottlerStorageService();
    redisDownUntil = 0;
    lastWarningAt = 0;
    constructor(redis, where) {
        this.redis = redis;
        this.where = where;
        redis.redis.on('error', (error) => this.warn(`Redis ${where}: ${error.message}`));
        redis.redis.on('ready', () => {
            if (this.lastWarningAt === 0)
                return;
            this.logger.log(`Redis ${where} is reachable again; counts are shared again`);
            this.lastWarningAt = 0;
        });
    }
    static async connect(url) {
        const redis = new throttler_storage_redis_1.ThrottlerStorageRedisService(url, {
            commandTimeout: exports.REDIS_COMMAND_TIMEOUT_MS,
            enableOfflineQueue: false,
            maxRetriesPerRequest: 1,
            connectTimeout: REDIS_FIRST_CONNECT_MS,
        });
        const parsed = new URL(url);
        const storage = new RedisRateLimitStorage(redis, `${parsed.hostname}:${parsed.port || 6379}`);
        await new Promise((settle) => {
            const timer = setTimeout(settle, REDIS_FIRST_CONNECT_MS);
            timer.unref();
            const done = () => {
                clearTimeout(timer);
                settle();
            };
            redis.redis.once('ready', done);
            redis.redis.once('error', done);
        });
        return storage;
    }
    async increment(key, ttl, limit, blockDuration, throttlerName) {
        if (Date.now() >= this.redisDownUntil) {
            try {
                return await this.redis.increment(key, ttl, limit, blockDuration, throttlerName);
            }
            catch (error) {
                this.redisDownUntil = Date.now() + exports.REDIS_RETRY_AFTER_MS;
                this.warn(`Redis ${this.where} failed: ${error.message}`);
            }
        }
        return this.memory.increment(key, ttl, limit, blockDuration, throttlerName);
    }
    onModuleDestroy() {
        this.redis.onModuleDestroy();
    }
    onApplicationShutdown() {
        this.memory.onApplicationShutdown();
    }
    warn(problem) {
        const now = Date.now();
        if (now - this.lastWarningAt < WARNING_INTERVAL_MS)
            return;
        this.lastWarningAt = now;
        this.logger.warn(`${problem}; rate limits count per instance until it is back`);
    }
}
exports.RedisRateLimitStorage = RedisRateLimitStorage;
//# sourceMappingURL=rate-limit.storage.js.map