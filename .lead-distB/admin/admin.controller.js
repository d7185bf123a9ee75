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
exports.AdminController = void 0;
const common_1 = require("@nestjs/common");
const swagger_1 = require("@nestjs/swagger");
const auth_decorator_1 = require("../auth/decorators/auth.decorator");
const client_meta_decorator_1 = require("../auth/decorators/client-meta.decorator");
const current_user_decorator_1 = require("../auth/decorators/current-user.decorator");
const page_dto_1 = require("../common/dto/page.dto");
const pagination_query_dto_1 = require("../common/dto/pagination-query.dto");
const errors_1 = require("../common/errors");
const uuid_param_1 = require("../common/pipes/uuid-param");
const api_errors_decorator_1 = require("../common/swagger/api-errors.decorator");
const role_enum_1 = require("../users/enums/role.enum");
const admin_update_user_dto_1 = require("../users/dto/admin-update-user.dto");
const admin_user_response_dto_1 = require("../users/dto/admin-user-response.dto");
const users_service_1 = require("../users/users.service");
const admin_service_1 = require("./admin.service");
let AdminController = class AdminController {
    users;
    admin;
    constructor(users, admin) {
        this.users = users;
        this.admin = admin;
    }
    async findAll(query) {
        const page = await this.users.findAll(query.page, query.limit);
        return (0, page_dto_1.mapPage)(page, (user) => admin_user_response_dto_1.AdminUserResponseDto.from(user));
    }
    async update(actor, id, dto, meta) {
        return admin_user_response_dto_1.AdminUserResponseDto.from(await this.admin.update(actor, id, dto, meta));
    }
    removeSessions(actor, id, meta) {
        return this.admin.removeSessions(actor, id, meta);
    }
};
exports.AdminController = AdminController;
__decorate([
    (0, common_1.Get)('users'),
    (0, swagger_1.ApiOperation)({ summary: 'List users, oldest first' }),
    (0, swagger_1.ApiOkResponse)({ type: admin_user_response_dto_1.AdminUserPageDto }),
    (0, api_errors_decorator_1.ApiErrors)(errors_1.ErrorCode.ValidationFailed),
    __param(0, (0, common_1.Query)()),
    __metadata("design:type", Function),
    __metadata("design:paramtypes", [pagination_query_dto_1.PaginationQueryDto]),
    __metadata("design:returntype", Promise)
], AdminController.prototype, "findAll", null);
__decorate([
    (0, common_1.Patch)('users/:id'),
    (0, swagger_1.ApiOperation)({ summary: 'Change roles or disable a user (disabling ends all their sessions)' }),
    (0, swagger_1.ApiOkResponse)({ type: admin_user_response_dto_1.AdminUserResponseDto }),
    (0, api_errors_decorator_1.ApiErrors)(errors_1.ErrorCode.ValidationFailed, errors_1.ErrorCode.NotFound),
    __param(0, (0, current_user_decorator_1.CurrentUser)()),
    __param(1, (0, uuid_param_1.UuidParam)('id')),
    __param(2, (0, common_1.Body)()),
    __param(3, (0, client_meta_decorator_1.ClientMeta)()),
    __metadata("design:type", Function),
    __metadata("design:paramtypes", [Object, String, admin_update_user_dto_1.AdminUpdateUserDto, Object]),
    __metadata("design:returntype", Promise)
], AdminController.prototype, "update", null);
__decorate([
    (0, common_1.Delete)('users/:id/sessions'),
    (0, common_1.HttpCode)(204),
    (0, swagger_1.ApiOperation)({ summary: 'End all sessions of a user' }),
    (0, swagger_1.ApiNoContentResponse)({ description: 'Sessions ended' }),
    (0, api_errors_decorator_1.ApiErrors)(errors_1.ErrorCode.ValidationFailed, errors_1.ErrorCode.NotFound),
    __param(0, (0, current_user_decorator_1.CurrentUser)()),
    __param(1, (0, uuid_param_1.UuidParam)('id')),
    __param(2, (0, client_meta_decorator_1.ClientMeta)()),
    __metadata("design:type", Function),
    __metadata("design:paramtypes", [Object, String, Object]),
    __metadata("design:returntype", Promise)
], AdminController.prototype, "removeSessions", null);
exports.AdminController = AdminController = __decorate([
    (0, swagger_1.ApiTags)('admin'),
    (0, auth_decorator_1.Auth)(role_enum_1.Role.Admin),
    (0, common_1.Controller)('admin'),
    __metadata("design:paramtypes", [users_service_1.UsersService,
        admin_service_1.AdminService])
], AdminController);
//# sourceMappingURL=admin.controller.js.map