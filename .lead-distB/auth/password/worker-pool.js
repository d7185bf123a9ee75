"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.WorkerPool = void 0;
exports.unavailable = unavailable;
const common_1 = require("@nestjs/common");
const node_worker_threads_1 = require("node:worker_threads");
const errors_1 = require("../../common/errors");
const BUSY_WARNING_INTERVAL_MS = 10_000;
function unavailable(message = 'Server is busy; retry shortly') {
    return new errors_1.AppException(errors_1.ErrorCode.ServiceUnavailable, message, 503).withRetryAfter(1);
}
class WorkerPool {
    options;
    logger;
    slots = [];
    queue = [];
    seq = 0;
    rejected = 0;
    crashed = 0;
    refusedSinceWarning = 0;
    lastWarningAt = -Infinity;
    closing;
    drained;
    constructor(options) {
        this.options = options;
        this.logger = new common_1.Logger(options.name);
    }
    run(job) {
        if (this.closing)
            return Promise.reject(unavailable('Server is shutting down'));
        if (this.queue.length >= this.options.queueLimit && !this.canStartNow()) {
            this.refused();
            return Promise.reject(unavailable());
        }
        return new Promise((resolve, reject) => {
            this.queue.push({ job, resolve: resolve, reject });
            this.dispatch();
        });
    }
    stats() {
        return {
            size: this.options.size,
            workers: this.slots.filter((slot) => !slot.stopping).length,
            running: this.slots.filter((slot) => slot.task).length,
            queued: this.queue.length,
            queueLimit: this.options.queueLimit,
            rejected: this.rejected,
            crashed: this.crashed,
        };
    }
    close() {
        this.closing ??= this.shutDown();
        return this.closing;
    }
    async shutDown() {
        for (const task of this.queue.splice(0))
            task.reject(unavailable('Server is shutting down'));
        if (this.slots.some((slot) => slot.task)) {
            await new Promise((resolve) => (this.drained = resolve));
        }
        await Promise.all(this.slots.map((slot) => {
            clearTimeout(slot.idleTimer);
            slot.stopping = true;
            return slot.worker.terminate();
        }));
    }
    canStartNow() {
        return (this.slots.length < this.options.size ||
            this.slots.some((slot) => !slot.task && !slot.stopping));
    }
    dispatch() {
        while (this.queue.length > 0) {
            const slot = this.slots.find((candidate) => !candidate.task && !candidate.stopping) ?? this.spawn();
            if (!slot)
                return;
            clearTimeout(slot.idleTimer);
            const task = this.queue.shift();
            const id = ++this.seq;
            slot.task = { ...task, id };
            slot.worker.ref();
            slot.worker.postMessage({ id, job: task.job });
        }
    }
    spawn() {
        if (this.slots.length >= this.options.size)
            return undefined;
        let worker;
        try {
            worker = new node_worker_threads_1.Worker(this.options.source, {
                eval: true,
                workerData: this.options.workerData,
            });
        }
        catch (error) {
            this.logger.error(`cannot start a worker: ${error.message}`);
            if (this.slots.length === 0) {
                for (const task of this.queue.splice(0))
                    task.reject(unavailable());
            }
            return undefined;
        }
        worker.unref();
        const slot = { worker };
        worker.on('message', (reply) => this.answered(slot, reply));
        worker.on('error', (error) => (slot.error = error));
        worker.on('exit', (code) => this.exited(slot, code));
        this.slots.push(slot);
        return slot;
    }
    answered(slot, { id, result, error }) {
        const task = slot.task;
        if (!task || task.id !== id)
            return;
        slot.task = undefined;
        slot.worker.unref();
        if (error !== undefined)
            task.reject(new Error(error));
        else
            task.resolve(result);
        this.settled();
        if (!slot.task)
            this.retireWhenIdle(slot);
    }
    retireWhenIdle(slot) {
        const idleMs = this.options.idleTimeoutMs ?? 0;
        if (idleMs <= 0 || this.closing)
            return;
        clearTimeout(slot.idleTimer);
        slot.idleTimer = setTimeout(() => {
            if (slot.task || slot.stopping || this.closing)
                return;
            slot.stopping = true;
            void slot.worker.terminate();
        }, idleMs);
        slot.idleTimer.unref();
    }
    exited(slot, code) {
        clearTimeout(slot.idleTimer);
        this.slots.splice(this.slots.indexOf(slot), 1);
        const task = slot.task;
        slot.task = undefined;
        if (!slot.stopping) {
            this.crashed++;
            const reason = slot.error ? `: ${slot.error.message}` : '';
            this.logger.error(`worker exited unexpectedly (code ${code})${reason}; replacing it`);
        }
        task?.reject(unavailable());
        this.settled();
    }
    settled() {
        this.dispatch();
        if (this.drained && !this.slots.some((slot) => slot.task))
            this.drained();
    }
    refused() {
        this.rejected++;
        this.refusedSinceWarning++;
        const now = Date.now();
        if (now - this.lastWarningAt < BUSY_WARNING_INTERVAL_MS)
            return;
        this.logger.warn(`queue full (${this.options.queueLimit} waiting, ${this.options.size} running): ` +
            `${this.refusedSinceWarning} job(s) refused with 503 since the last warning`);
        this.lastWarningAt = now;
        this.refusedSinceWarning = 0;
    }
}
exports.WorkerPool = WorkerPool;
//# sourceMappingURL=worker-pool.js.map