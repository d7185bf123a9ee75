"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.IdleHeapTrim = void 0;
exports.exposedGc = exposedGc;
const common_1 = require("@nestjs/common");
const processCpuMs = () => {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1000;
};
class IdleHeapTrim {
    logger = new common_1.Logger('Memory');
    gc;
    cpuMs;
    idleCpuMs;
    busyCpuMs;
    lastCpuMs;
    busySinceTrimMs = 0;
    collecting = false;
    constructor(options) {
        this.gc = options.gc;
        this.cpuMs = options.cpuMs ?? processCpuMs;
        this.idleCpuMs = options.idleCpuMs ?? 100;
        this.busyCpuMs = options.busyCpuMs ?? 1000;
        this.lastCpuMs = this.cpuMs();
        this.busySinceTrimMs = this.lastCpuMs;
    }
    get enabled() {
        return this.gc !== undefined;
    }
    tick() {
        const now = this.cpuMs();
        const used = now - this.lastCpuMs;
        this.lastCpuMs = now;
        if (used >= this.idleCpuMs) {
            this.busySinceTrimMs += used;
            return false;
        }
        if (!this.gc || this.collecting || this.busySinceTrimMs < this.busyCpuMs)
            return false;
        this.busySinceTrimMs = 0;
        this.collecting = true;
        const before = process.memoryUsage().heapUsed;
        this.gc({ type: 'major', execution: 'async' })
            .then(() => {
            const mb = (bytes) => (bytes / 1048576).toFixed(1);
            this.logger.debug(`idle: heap ${mb(before)} → ${mb(process.memoryUsage().heapUsed)} MB`);
        })
            .catch((error) => this.logger.warn(`idle collection failed: ${String(error)}`))
            .finally(() => {
            this.collecting = false;
            this.lastCpuMs = this.cpuMs();
        });
        return true;
    }
    start(intervalMs = 10_000) {
        if (!this.enabled)
            return () => undefined;
        const timer = setInterval(() => this.tick(), intervalMs);
        timer.unref();
        return () => clearInterval(timer);
    }
}
exports.IdleHeapTrim = IdleHeapTrim;
function exposedGc() {
    const gc = globalThis.gc;
    return typeof gc === 'function' ? gc : undefined;
}
//# sourceMappingURL=idle-heap-trim.js.map