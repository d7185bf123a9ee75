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
Object.defineProperty(exports, "__esModule", { value: true });
exports.Metrics = void 0;
const common_1 = require("@nestjs/common");
const core_1 = require("@nestjs/core");
const prom_client_1 = require("prom-client");
const password_hasher_service_1 = require("../auth/password/password-hasher.service");
const audit_log_service_1 = require("../common/audit/audit-log.service");
const errors_1 = require("../common/errors");
const LOGIN_ROUTE = '/api/auth/login';
const REFRESH_ROUTE = '/api/auth/refresh';
const FAILURE_OUTCOMES = {
    [errors_1.ErrorCode.InvalidCredentials]: 'invalid_credentials',
    [errors_1.ErrorCode.UserDisabled]: 'user_disabled',
    [errors_1.ErrorCode.RefreshTokenMissing]: 'missing',
    [errors_1.ErrorCode.RefreshTokenInvalid]: 'invalid',
    [errors_1.ErrorCode.RefreshTokenExpired]: 'expired',
    [errors_1.ErrorCode.RefreshTokenRevoked]: 'revoked',
    [errors_1.ErrorCode.RefreshTokenReused]: 'reused',
    [errors_1.ErrorCode.Forbidden]: 'forbidden',
    [errors_1.ErrorCode.TooManyRequests]: 'rate_limited',
    [errors_1.ErrorCode.ValidationFailed]: 'invalid_request',
    [errors_1.ErrorCode.PasswordTooLong]: 'invalid_request',
    [errors_1.ErrorCode.PayloadTooLarge]: 'invalid_request',
    [errors_1.ErrorCode.UnsupportedMediaType]: 'invalid_request',
};
const LOGIN_OUTCOMES = [
    'success',
    'invalid_credentials',
    'user_disabled',
    'rate_limited',
    'invalid_request',
    'error',
];
const REFRESH_OUTCOMES = [
    'success',
    'grace',
    'reused',
    'expired',
    'revoked',
    'invalid',
    'missing',
    'user_disabled',
    'forbidden',
    'rate_limited',
    'invalid_request',
    'error',
];
const UNAUTHORIZED_CODES = Object.values(errors_1.ErrorCode).filter((code) => errors_1.ERROR_STATUS[code] === 401);
const UNMATCHED_ROUTE = 'unmatched';
let Metrics = class Metrics {
    moduleRef;
    registry = new prom_client_1.Registry();
    logins = new prom_client_1.Counter({
        name: 'auth_logins_total',
        help: 'Login attempts by outcome',
        labelNames: ['outcome'],
        registers: [this.registry],
    });
    refreshes = new prom_client_1.Counter({
        name: 'auth_refreshes_total',
        help: 'Refresh attempts by outcome (grace: the just-rotated token answered again)',
        labelNames: ['outcome'],
        registers: [this.registry],
    });
    reuseDetected = new prom_client_1.Counter({
        name: 'auth_refresh_reuse_detected_total',
        help: 'Rotated refresh tokens presented after the grace window (their sessions were revoked)',
        registers: [this.registry],
    });
    unauthorized = new prom_client_1.Counter({
        name: 'http_unauthorized_total',
        help: '401 answers by error code',
        labelNames: ['code'],
        registers: [this.registry],
    });
    duration = new prom_client_1.Histogram({
        name: 'http_request_duration_seconds',
        help: 'Time from request received to response sent, by route pattern',
        labelNames: ['method', 'route', 'status_code'],
        buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
        registers: [this.registry],
    });
    durationChildren = new Map();
    constructor(audit, moduleRef) {
        this.moduleRef = moduleRef;
        (0, prom_client_1.collectDefaultMetrics)({ register: this.registry });
        this.registerBcryptPool();
        for (const outcome of LOGIN_OUTCOMES)
            this.logins.inc({ outcome }, 0);
        for (const outcome of REFRESH_OUTCOMES)
            this.refreshes.inc({ outcome }, 0);
        for (const code of UNAUTHORIZED_CODES)
            this.unauthorized.inc({ code }, 0);
        this.reuseDetected.inc(0);
        audit.subscribe((event, fields) => this.countAuditEvent(event, fields));
    }
    async scrape() {
        return { contentType: this.registry.contentType, body: await this.registry.metrics() };
    }
    countError(route, status, code) {
        if (status === 401)
            this.unauthorized.inc({ code });
        if (route === LOGIN_ROUTE)
            this.logins.inc({ outcome: FAILURE_OUTCOMES[code] ?? 'error' });
        else if (route === REFRESH_ROUTE) {
            this.refreshes.inc({ outcome: FAILURE_OUTCOMES[code] ?? 'error' });
        }
    }
    observeRequest(method, route, status, seconds) {
        const key = `${method} ${route} ${status}`;
        let child = this.durationChildren.get(key);
        if (!child) {
            child = this.duration.labels(method, route ?? UNMATCHED_ROUTE, String(status));
            this.durationChildren.set(key, child);
        }
        child.observe(seconds);
    }
    registerBcryptPool() {
        const stats = () => this.passwordHasher()?.stats();
        const gauge = (name, help, read) => new prom_client_1.Gauge({
            name,
            help,
            registers: [this.registry],
            collect() {
                const current = stats();
                if (current)
                    this.set(read(current));
            },
        });
        gauge('bcrypt_pool_workers', 'bcrypt worker threads alive', (s) => s.workers);
        gauge('bcrypt_pool_running_jobs', 'bcrypt jobs being hashed now', (s) => s.running);
        gauge('bcrypt_pool_queued_jobs', 'bcrypt jobs waiting for a worker', (s) => s.queued);
        gauge('bcrypt_pool_queue_limit', 'bcrypt jobs that may wait (BCRYPT_QUEUE_LIMIT)', (s) => {
            return s.queueLimit;
        });
        const counter = (name, help, read) => {
            let seen = 0;
            return new prom_client_1.Counter({
                name,
                help,
                registers: [this.registry],
                collect() {
                    const current = stats();
                    if (current && read(current) > seen)
                        this.inc(read(current) - seen);
                    if (current)
                        seen = read(current);
                },
            });
        };
        counter('bcrypt_pool_rejected_total', 'bcrypt jobs refused, queue full (503)', (s) => {
            return s.rejected;
        });
        counter('bcrypt_pool_crashed_total', 'bcrypt workers that died and were replaced', (s) => {
            return s.crashed;
        });
    }
    passwordHasher() {
        try {
            return this.moduleRef?.get(password_hasher_service_1.PasswordHasher, { strict: false });
        }
        catch {
            return undefined;
        }
    }
    countAuditEvent(event, fields) {
        switch (event) {
            case 'auth.login.succeeded':
                this.logins.inc({ outcome: 'success' });
                break;
            case 'auth.refresh':
                this.refreshes.inc({
                    outcome: fields.grace ? 'grace' : 'success',
                });
                break;
            case 'auth.refresh.reuse_detected':
                this.reuseDetected.inc();
                break;
        }
    }
};
exports.Metrics = Metrics;
exports.Metrics = Metrics = __decorate([
    (0, common_1.Injectable)(),
    __param(1, (0, common_1.Optional)()),
    __metadata("design:paramtypes", [audit_log_service_1.AuditLog,
        core_1.ModuleRef])
], Metrics);
//# sourceMappingURL=metrics.service.js.map