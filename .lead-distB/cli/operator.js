"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.OPERATOR_CLIENT = void 0;
exports.operatorActorId = operatorActorId;
exports.findUserByEmail = findUserByEmail;
const node_os_1 = require("node:os");
const email_transform_1 = require("../auth/dto/email.transform");
const cli_error_1 = require("./cli-error");
exports.OPERATOR_CLIENT = { ip: null, userAgent: null };
function operatorActorId() {
    try {
        return `cli:${(0, node_os_1.userInfo)().username}`;
    }
    catch {
        return 'cli';
    }
}
async function findUserByEmail(users, email) {
    const normalized = (0, email_transform_1.normalizeEmail)(email);
    const user = await users.findByEmail(normalized);
    if (!user)
        throw new cli_error_1.CliError(`no account with email ${normalized}`);
    return user;
}
//# sourceMappingURL=operator.js.map