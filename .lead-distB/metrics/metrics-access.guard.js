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
exports.MetricsAccessGuard = void 0;
const common_1 = require("@nestjs/common");
const passport_1 = require("@nestjs/passport");
const jwt_auth_guard_1 = require("../auth/guards/jwt-auth.guard");
const errors_1 = require("../common/errors");
const app_config_1 = require("../config/app.config");
const role_enum_1 = require("../users/enums/role.enum");
let MetricsAccessGuard = class MetricsAccessGuard extends (0, passport_1.AuthGuard)('jwt') {
    config;
    constructor(config) {
        super();
        this.config = config;
    }
    async canActivate(context) {
        if (this.config.metricsPublic)
            return true;
        await super.canActivate(context);
        const user = context.switchToHttp().getRequest().user;
        if (user?.roles.includes(role_enum_1.Role.Admin))
            return true;
        throw new errors_1.AppException(errors_1.ErrorCode.Forbidden, 'You do not have permission for this action');
    }
    handleRequest(err, user, info) {
        return jwt_auth_guard_1.JwtAuthGuard.prototype.handleRequest.call(this, err, user, info);
    }
};
exports.MetricsAccessGuard = MetricsAccessGuard;
exports.MetricsAccessGuard = MetricsAccessGuard = __decorate([
    (0, common_1.Injectable)(),
    __param(0, (0, common_1.Inject)(app_config_1.appConfig.KEY)),
    __metadata("design:paramtypes", [void 0])
], MetricsAccessGuard);
//# sourceMappingURL=metrics-access.guard.js.map