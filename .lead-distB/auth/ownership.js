"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.canModify = canModify;
exports.assertOwnerOrAdmin = assertOwnerOrAdmin;
const errors_1 = require("../common/errors");
const role_enum_1 = require("../users/enums/role.enum");
function canModify(ownerId, user) {
    return ownerId === user.id || user.roles.includes(role_enum_1.Role.Admin);
}
function assertOwnerOrAdmin(ownerId, user) {
    if (!canModify(ownerId, user)) {
        throw new errors_1.AppException(errors_1.ErrorCode.Forbidden, 'Only the author or an admin may do this');
    }
}
//# sourceMappingURL=ownership.js.map