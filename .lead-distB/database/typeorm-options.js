"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.migrations = exports.entities = void 0;
exports.buildDataSourceOptions = buildDataSourceOptions;
const node_path_1 = require("node:path");
const node_fs_1 = require("node:fs");
const article_entity_1 = require("../articles/entities/article.entity");
const refresh_token_entity_1 = require("../auth/entities/refresh-token.entity");
const session_entity_1 = require("../auth/entities/session.entity");
const user_entity_1 = require("../users/entities/user.entity");
const _1764201600000_InitialSchema_1 = require("./migrations/1764201600000-InitialSchema");
const _1764288000000_PurgeIndexes_1 = require("./migrations/1764288000000-PurgeIndexes");
const _1764374400000_Utf8mb4Tables_1 = require("./migrations/1764374400000-Utf8mb4Tables");
exports.entities = [user_entity_1.User, session_entity_1.Session, refresh_token_entity_1.RefreshToken, article_entity_1.Article];
exports.migrations = [
    _1764201600000_InitialSchema_1.InitialSchema1764201600000,
    _1764288000000_PurgeIndexes_1.PurgeIndexes1764288000000,
    _1764374400000_Utf8mb4Tables_1.Utf8mb4Tables1764374400000,
];
const MYSQL_CONNECT_TIMEOUT_MS = 2_000;
function buildDataSourceOptions(config) {
    const common = { entities: exports.entities, migrations: exports.migrations, synchronize: false, migrationsRun: false, logging: false };
    if (config.type === 'sqlite') {
        const memory = config.database === ':memory:';
        if (!memory)
            (0, node_fs_1.mkdirSync)((0, node_path_1.dirname)(config.database), { recursive: true });
        return {
            ...common,
            type: 'better-sqlite3',
            database: config.database,
            enableWAL: !memory,
            prepareDatabase: (db) => {
                db.pragma(`synchronous = ${config.synchronous ?? 'NORMAL'}`);
            },
            timeout: 5_000,
        };
    }
    return {
        ...common,
        type: 'mysql',
        host: config.host,
        port: config.port,
        username: config.username,
        password: config.password,
        database: config.database,
        charset: 'utf8mb4_unicode_ci',
        timezone: 'Z',
        connectTimeout: MYSQL_CONNECT_TIMEOUT_MS,
        extra: {
            connectionLimit: 10,
            waitForConnections: true,
            queueLimit: 0,
            enableKeepAlive: true,
        },
    };
}
//# sourceMappingURL=typeorm-options.js.map