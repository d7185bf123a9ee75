"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.runWithRequestId = runWithRequestId;
exports.currentRequestId = currentRequestId;
const node_async_hooks_1 = require("node:async_hooks");
const requestIds = new node_async_hooks_1.AsyncLocalStorage();
function runWithRequestId(id, next) {
    requestIds.run(id, next);
}
function currentRequestId() {
    return requestIds.getStore();
}
//# sourceMappingURL=request-context.js.map