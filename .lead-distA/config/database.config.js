"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.databaseConfig = exports.DEFAULT_DATABASE_URL = void 0;
exports.parseDatabaseUrl = parseDatabaseUrl;
exports.loadDatabaseConfig = loadDatabaseConfig;
const config_1 = require("@nestjs/config");
const config_error_1 = require("./config-error");
const env_1 = require("./env");
exports.DEFAULT_DATABASE_URL = 'sqlite:data/auth.sqlite';
function parseDatabaseUrl(raw) {
    const fail = (problem) => new config_error_1.ConfigError('DATABASE_URL', problem);
    if (raw.startsWith('sqlite:')) {
        const file = raw.slice('sqlite:'.length);
        if (!file)
            throw fail('"sqlite:" needs a file, e.g. sqlite:data/auth.sqlite or sqlite::memory:');
        return { type: 'sqlite', database: file };
    }
    if (raw.startsWith('mysql://') || raw.startsWith('mariadb://')) {
        let url;
        try {
            url = new URL(raw);
        }
        catch {
            throw fail('is not a valid URL (mysql://user:pass@host:3306/db)');
        }
        const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
        if (!url.hostname)
            throw fail('has no host (mysql://user:pass@host:3306/db)');
        if (!database || database.includes('/'))
            throw fail('names no database (mysql://user:pass@host:3306/db)');
        return {
            type: 'mysql',
            host: url.hostname,
            port: url.port ? Number(url.port) : 3306,
            username: decodeURIComponent(url.username),
            password: decodeURIComponent(url.password),
            database,
        };
    }
    throw fail(`unsupported scheme in "${raw.split(':')[0]}:" (use sqlite: or mysql://)`);
}
function loadDatabaseConfig(env) {
    const config = parseDatabaseUrl((0, env_1.readOptional)(env, 'DATABASE_URL') ?? exports.DEFAULT_DATABASE_URL);
    if (config.type !== 'sqlite')
        return config;
    const synchronous = (0, env_1.readEnum)(env, 'SQLITE_SYNCHRONOUS', 'NORMAL', [
        'NORMAL',
        'FULL',
    ]);
    return { ...config, synchronous };
}
exports.databaseConfig = (0, config_1.registerAs)('database', () => loadDatabaseConfig(process.env));
//# sourceMappingURL=database.config.js.map