"use strict";
var __decorate = (this && this.__decorate) || function (decorators, target, key, desc) {
    var c = arguments.length, r = c < 3 ? target : desc === null ? desc = Object.getOwnPropertyDescriptor(target, key) : desc, d;
    if (typeof Reflect === "object" && typeof Reflect.decorate === "function") r = Reflect.decorate(decorators, target, key, desc);
    else for (var i = decorators.length - 1; i >= 0; i--) if (d = decorators[i]) r = (c < 3 ? d(r) : c > 3 ? d(target, key, r) : d(target, key)) || r;
    return c > 3 && r && Object.defineProperty(target, key, r), r;
};
Object.defineProperty(exports, "__esModule", { value: true });
exports.CliModule = void 0;
const common_1 = require("@nestjs/common");
const config_1 = require("@nestjs/config");
const schedule_1 = require("@nestjs/schedule");
const typeorm_1 = require("@nestjs/typeorm");
const auth_module_1 = require("../auth/auth.module");
const session_entity_1 = require("../auth/entities/session.entity");
const common_module_1 = require("../common/common.module");
const config_2 = require("../config");
const database_module_1 = require("../database/database.module");
const users_module_1 = require("../users/users.module");
const create_admin_command_1 = require("./commands/create-admin.command");
const list_sessions_command_1 = require("./commands/list-sessions.command");
const revoke_sessions_command_1 = require("./commands/revoke-sessions.command");
let CliModule = class CliModule {
};
exports.CliModule = CliModule;
exports.CliModule = CliModule = __decorate([
    (0, common_1.Module)({
        imports: [
            config_1.ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: config_2.configNamespaces }),
            schedule_1.ScheduleModule.forRoot(),
            common_module_1.CommonModule,
            database_module_1.DatabaseModule,
            users_module_1.UsersModule,
            auth_module_1.AuthModule,
            typeorm_1.TypeOrmModule.forFeature([session_entity_1.Session]),
        ],
        providers: [create_admin_command_1.CreateAdminCommand, list_sessions_command_1.ListSessionsCommand, revoke_sessions_command_1.RevokeSessionsCommand],
    })
], CliModule);
//# sourceMappingURL=cli.module.js.map