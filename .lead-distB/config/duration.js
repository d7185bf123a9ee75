"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.parseDuration = parseDuration;
const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86400 };
function parseDuration(raw) {
    const match = /^\s*(\d{1,9})\s*([smhd]?)\s*$/i.exec(raw);
    if (!match)
        return null;
    const value = Number(match[1]);
    const unit = match[2] ? match[2].toLowerCase() : 's';
    return value * UNIT_SECONDS[unit];
}
//# sourceMappingURL=duration.js.map