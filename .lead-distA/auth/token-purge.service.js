"use strict";
var __decorate = (this && this.__decorate) || function (decorators, target, key, desc) {
    var c = arguments.length, r = c < 3 ? target : desc === null ? desc = Object.getOwnPropertyDescriptor(target, key) : desc, d;
    if (typeof Reflect === "object" && typeof Reflect.decorate === "function") r = Reflect.decorate(decorators, target, key, desc);
    else for (var i = decorators.length - 1; i >= 0; i--) if (d = decorators[i]) r = (c < 3 ? d(r) : c > 3 ? d(target, key, r) : d(target, key)) || r;
    return c > 3 && r && Object.defineProperty(target, key, r), r;
};
var __metadata = (this && this.__metadata) || function (k, v) {
    if (typeof Reflect === "object" && typeof Reflect.metadata === "function") return Reflect.metadata(k, v);
};
var __param = (this && this.__param) || function (paramIndex, decorator) {
    return function (target, key) { decorator(target, key, paramIndex); }
};
var TokenPurgeService_1;
Object.defineProperty(exports, "__esModule", { value: true });
exports.TokenPurgeService = exports.TOKEN_PURGE_INTERVAL_NAME = void 0;
const common_1 = require("@nestjs/common");
const schedule_1 = require("@nestjs/schedule");
const typeorm_1 = require("@nestjs/typeorm");
const promises_1 = require("node:timers/promises");
const typeorm_2 = require("typeorm");
const clock_1 = require("../common/clock");
const time_1 = require("../common/time");
const auth_config_1 = require("../config/auth.config");
const refresh_token_entity_1 = require("./entities/refresh-token.entity");
const session_entity_1 = require("./entities/session.entity");
exports.TOKEN_PURGE_INTERVAL_NAME = 'token-purge';
const CLOCK_SKEW_MARGIN_SECONDS = 3600;
const MAX_BATCHES_PER_RUN = 100;
const DEADLOCK_RETRIES = 2;
let TokenPurgeService = TokenPurgeService_1 = class TokenPurgeService {
    config;
    sessions;
    tokens;
    clock;
    scheduler;
    logger = new common_1.Logger(TokenPurgeService_1.name);
    running = null;
    stopping = false;
    constructor(config, sessions, tokens, clock, scheduler) {
        this.config = config;
        this.sessions = sessions;
        this.tokens = tokens;
        this.clock = clock;
        this.scheduler = scheduler;
    }
    onApplicationBootstrap() {
        const seconds = this.config.tokenPurgeInterval;
        if (seconds === 0)
            return;
        const timer = setInterval(() => this.tick(), seconds * 1000);
        timer.unref();
        this.scheduler.addInterval(exports.TOKEN_PURGE_INTERVAL_NAME, timer);
    }
    async beforeApplicationShutdown() {
        this.stopping = true;
        if (this.scheduler.doesExist('interval', exports.TOKEN_PURGE_INTERVAL_NAME)) {
            this.scheduler.deleteInterval(exports.TOKEN_PURGE_INTERVAL_NAME);
        }
        await this.running;
    }
    async purgeOnce() {
        const cutoff = (0, time_1.addSeconds)(this.clock.now(), -CLOCK_SKEW_MARGIN_SECONDS);
        const tokens = await this.inBatches((limit) => this.tokens
            .createQueryBuilder('t')
            .select('t.id', 'id')
            .innerJoin('t.session', 's')
            .where('s.expiresAt < :cutoff', { cutoff })
            .limit(limit)
            .getRawMany(), (ids) => this.tokens.delete({ id: (0, typeorm_2.In)(ids) }));
        const sessions = await this.inBatches((limit) => this.sessions
            .createQueryBuilder('s')
            .select('s.id', 'id')
            .where('s.expiresAt < :cutoff', { cutoff })
            .andWhere('NOT EXISTS (SELECT 1 FROM refresh_tokens t WHERE t.session_id = s.id)')
            .limit(limit)
            .getRawMany(), (ids) => this.sessions.delete({ id: (0, typeorm_2.In)(ids) }));
        return {
            tokens: tokens.deleted,
            sessions: sessions.deleted,
            batches: tokens.batches + sessions.batches,
        };
    }
    tick() {
        if (this.running || this.stopping)
            return;
        this.running = this.purgeOnce()
            .then(({ tokens, sessions, batches }) => {
            if (tokens + sessions > 0) {
                this.logger.log(`purged ${tokens} refresh tokens, ${sessions} sessions (${batches} batches)`);
            }
        })
            .catch((error) => {
            this.logger.error(`token purge failed: ${String(error)}`, error?.stack);
        })
            .finally(() => {
            this.running = null;
        });
    }
    async inBatches(select, remove) {
        const batch = this.config.tokenPurgeBatch;
        let deleted = 0;
        let batches = 0;
        while (batches < MAX_BATCHES_PER_RUN && !this.stopping) {
            const ids = (await select(batch)).map((row) => row.id).sort();
            if (ids.length === 0)
                break;
            batches++;
            deleted += (await this.retryDeadlock(() => remove(ids))).affected ?? 0;
            if (ids.length < batch)
                break;
            await (0, promises_1.setImmediate)();
        }
        return { deleted, batches };
    }
    async retryDeadlock(work) {
        for (let attempt = 0;; attempt++) {
            try {
                return await work();
            }
            catch (error) {
                const code = error.driverError?.code;
                if (code !== 'ER_LOCK_DEADLOCK' || attempt >= DEADLOCK_RETRIES)
                    throw error;
            }
        }
    }
};
exports.TokenPurgeService = TokenPurgeService;
exports.TokenPurgeService = TokenPurgeService = TokenPurgeService_1 = __decorate([
    (0, common_1.Injectable)(),
    __param(0, (0, common_1.Inject)(auth_config_1.authConfig.KEY)),
    __param(1, (0, typeorm_1.InjectRepository)(session_entity_1.Session)),
    __param(2, (0, typeorm_1.InjectRepository)(refresh_token_entity_1.RefreshToken)),
    __metadata("design:paramtypes", [void 0, typeorm_2.Repository,
        typeorm_2.Repository,
        clock_1.Clock,
        schedule_1.SchedulerRegistry])
], TokenPurgeService);
//# sourceMappingURL=token-purge.service.js.map