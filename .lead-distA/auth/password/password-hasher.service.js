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
exports.PasswordHasher = exports.BCRYPT_WORKER_NICE = void 0;
const common_1 = require("@nestjs/common");
const bcryptjs_1 = require("bcryptjs");
const auth_config_1 = require("../../config/auth.config");
const worker_pool_1 = require("./worker-pool");
exports.BCRYPT_WORKER_NICE = 10;
const BCRYPT_WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const bcrypt = require(workerData.bcryptPath);
if (process.platform === 'linux') {
  try { require('node:os').setPriority(0, workerData.nice); } catch { /* not permitted: keep 0 */ }
}
parentPort.on('message', ({ id, job }) => {
  try {
    const result = job.op === 'hash'
      ? bcrypt.hashSync(job.password, job.cost)
      : bcrypt.compareSync(job.password, job.hash);
    parentPort.postMessage({ id, result });
  } catch (error) {
    parentPort.postMessage({ id, error: String((error && error.message) || error) });
  }
});`;
const BCRYPT_WORKER_IDLE_MS = 30_000;
const DUMMY_PASSWORD = 'dummy-password-for-timing';
let PasswordHasher = class PasswordHasher {
    config;
    pool;
    dummyHash;
    constructor(config) {
        this.config = config;
        this.pool = new worker_pool_1.WorkerPool({
            name: 'PasswordHasher',
            source: BCRYPT_WORKER_SOURCE,
            workerData: { bcryptPath: require.resolve('bcryptjs'), nice: exports.BCRYPT_WORKER_NICE },
            size: config.bcryptWorkers,
            queueLimit: config.bcryptQueueLimit,
            idleTimeoutMs: BCRYPT_WORKER_IDLE_MS,
        });
    }
    hash(password) {
        return this.run({ op: 'hash', password, cost: this.config.bcryptCost });
    }
    compare(password, hash) {
        return this.run({ op: 'compare', password, hash });
    }
    onModuleInit() {
        void this.dummy().catch(() => undefined);
    }
    async compareWithDummy(password) {
        await this.compare(password, await this.dummy());
        return false;
    }
    needsRehash(hash) {
        return (0, bcryptjs_1.getRounds)(hash) < this.config.bcryptCost;
    }
    stats() {
        return this.pool.stats();
    }
    onModuleDestroy() {
        return this.pool.close();
    }
    run(job) {
        return this.pool.run(job);
    }
    dummy() {
        if (!this.dummyHash) {
            const made = this.hash(DUMMY_PASSWORD);
            made.catch(() => {
                if (this.dummyHash === made)
                    this.dummyHash = undefined;
            });
            this.dummyHash = made;
        }
        return this.dummyHash;
    }
};
exports.PasswordHasher = PasswordHasher;
exports.PasswordHasher = PasswordHasher = __decorate([
    (0, common_1.Injectable)(),
    __param(0, (0, common_1.Inject)(auth_config_1.authConfig.KEY)),
    __metadata("design:paramtypes", [void 0])
], PasswordHasher);
//# sourceMappingURL=password-hasher.service.js.map