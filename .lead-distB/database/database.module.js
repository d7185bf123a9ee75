"use strict";
var __decorate = (this && this.__decorate) || function (decorators, target, key, desc) {
    var c = arguments.length, r = c < 3 ? target : desc === null ? desc = Object.getOwnPropertyDescriptor(target, key) : desc, d;
    if (typeof Reflect === "object" && typeof Reflect.decorate === "function") r = Reflect.decorate(decorators, target, key, desc);
    else for (var i = decorators.length - 1; i >= 0; i--) if (d = decorators[i]) r = (c < 3 ? d(r) : c > 3 ? d(target, key, r) : d(target, key)) || r;
    return c > 3 && r && Object.defineProperty(target, key, r), r;
};
Object.defineProperty(exports, "__esModule", { value: true });
exports.DatabaseModule = void 0;
const common_1 = require("@nestjs/common");
const config_1 = require("@nestjs/config");
const typeorm_1 = require("@nestjs/typeorm");
const typeorm_2 = require("typeorm");
const migration_lock_1 = require("./migration-lock");
const mysql_deadlines_1 = require("./mysql-deadlines");
const typeorm_options_1 = require("./typeorm-options");
let DatabaseModule = class DatabaseModule {
};
exports.DatabaseModule = DatabaseModule;
exports.DatabaseModule = DatabaseModule = __decorate([
    (0, common_1.Module)({
        imports: [
            typeorm_1.TypeOrmModule.forRootAsync({
                inject: [config_1.ConfigService],
                useFactory: (config) => ({
                    ...(0, typeorm_options_1.buildDataSourceOptions)(config.getOrThrow('database')),
                    retryAttempts: 0,
                }),
                dataSourceFactory: async (options) => {
                    const dataSource = await new typeorm_2.DataSource(options).initialize();
                    try {
                        await (0, migration_lock_1.runMigrationsExclusively)(dataSource);
                        (0, mysql_deadlines_1.installMysqlDeadlines)(dataSource);
                    }
                    catch (error) {
                        await dataSource.destroy();
                        throw error;
                    }
                    return dataSource;
                },
            }),
        ],
    })
], DatabaseModule);
//# sourceMappingURL=database.module.js.map