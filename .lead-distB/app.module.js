"use strict";
var __decorate = (this && this.__decorate) || function (decorators, target, key, desc) {
    var c = arguments.length, r = c < 3 ? target : desc === null ? desc = Object.getOwnPropertyDescriptor(target, key) : desc, d;
    if (typeof Reflect === "object" && typeof Reflect.decorate === "function") r = Reflect.decorate(decorators, target, key, desc);
    else for (var i = decorators.length - 1; i >= 0; i--) if (d = decorators[i]) r = (c < 3 ? d(r) : c > 3 ? d(target, key, r) : d(target, key)) || r;
    return c > 3 && r && Object.defineProperty(target, key, r), r;
};
Object.defineProperty(exports, "__esModule", { value: true });
exports.AppModule = void 0;
const common_1 = require("@nestjs/common");
const config_1 = require("@nestjs/config");
const core_1 = require("@nestjs/core");
const schedule_1 = require("@nestjs/schedule");
const admin_module_1 = require("./admin/admin.module");
const articles_module_1 = require("./articles/articles.module");
const auth_module_1 = require("./auth/auth.module");
const common_module_1 = require("./common/common.module");
const all_exceptions_filter_1 = require("./common/filters/all-exceptions.filter");
const validation_1 = require("./common/pipes/validation");
const config_2 = require("./config");
const database_module_1 = require("./database/database.module");
const health_module_1 = require("./health/health.module");
const metrics_module_1 = require("./metrics/metrics.module");
const rate_limit_module_1 = require("./rate-limit/rate-limit.module");
const users_module_1 = require("./users/users.module");
let AppModule = class AppModule {
};
exports.AppModule = AppModule;
exports.AppModule = AppModule = __decorate([
    (0, common_1.Module)({
        imports: [
            config_1.ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: config_2.configNamespaces }),
            schedule_1.ScheduleModule.forRoot(),
            common_module_1.CommonModule,
            metrics_module_1.MetricsModule,
            database_module_1.DatabaseModule,
            users_module_1.UsersModule,
            rate_limit_module_1.RateLimitModule,
            auth_module_1.AuthModule,
            admin_module_1.AdminModule,
            articles_module_1.ArticlesModule,
            health_module_1.HealthModule,
        ],
        providers: [
            { provide: core_1.APP_FILTER, useClass: all_exceptions_filter_1.AllExceptionsFilter },
            { provide: core_1.APP_PIPE, useFactory: validation_1.createValidationPipe },
        ],
    })
], AppModule);
//# sourceMappingURL=app.module.js.map