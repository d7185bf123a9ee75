"use strict";
var __decorate = (this && this.__decorate) || function (decorators, target, key, desc) {
    var c = arguments.length, r = c < 3 ? target : desc === null ? desc = Object.getOwnPropertyDescriptor(target, key) : desc, d;
    if (typeof Reflect === "object" && typeof Reflect.decorate === "function") r = Reflect.decorate(decorators, target, key, desc);
    else for (var i = decorators.length - 1; i >= 0; i--) if (d = decorators[i]) r = (c < 3 ? d(r) : c > 3 ? d(target, key, r) : d(target, key)) || r;
    return c > 3 && r && Object.defineProperty(target, key, r), r;
};
Object.defineProperty(exports, "__esModule", { value: true });
exports.AuditLog = void 0;
const common_1 = require("@nestjs/common");
const WARN_EVENTS = new Set(['auth.refresh.reuse_detected']);
let AuditLog = class AuditLog {
    logger = new common_1.Logger('Audit');
    listeners = [];
    record(event, fields) {
        const entry = { event, ...fields, userAgent: fields.userAgent?.slice(0, 255) ?? null };
        if (WARN_EVENTS.has(event))
            this.logger.warn(entry);
        else
            this.logger.log(entry);
        for (const listener of this.listeners)
            listener(event, fields);
    }
    subscribe(listener) {
        this.listeners.push(listener);
    }
};
exports.AuditLog = AuditLog;
exports.AuditLog = AuditLog = __decorate([
    (0, common_1.Injectable)()
], AuditLog);
//# sourceMappingURL=audit-log.service.js.map