"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.earliest = exports.addSeconds = exports.epochSeconds = void 0;
const epochSeconds = (date) => Math.floor(date.getTime() / 1000);
exports.epochSeconds = epochSeconds;
const addSeconds = (date, seconds) => new Date(date.getTime() + seconds * 1000);
exports.addSeconds = addSeconds;
const earliest = (a, b) => (a.getTime() <= b.getTime() ? a : b);
exports.earliest = earliest;
//# sourceMappingURL=time.js.map