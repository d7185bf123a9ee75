"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
require("reflect-metadata");
const config_1 = require("@nestjs/config");
const core_1 = require("@nestjs/core");
const app_setup_1 = require("./app.setup");
const app_module_1 = require("./app.module");
const pino_logger_1 = require("./common/logger/pino-logger");
const config_2 = require("./config");
const security_posture_1 = require("./config/security-posture");
const db_errors_1 = require("./database/db-errors");
const idle_heap_trim_1 = require("./common/memory/idle-heap-trim");
async function bootstrap() {
    try {
        (0, config_2.validateEnvironment)();
    }
    catch (error) {
        if (error instanceof config_2.ConfigError) {
            console.error(`Configuration error: ${error.message}`);
            process.exit(1);
        }
        throw error;
    }
    const config = (0, config_2.loadAppConfig)(process.env);
    const logger = pino_logger_1.PinoLogger.create(config.logLevel);
    let app;
    try {
        app = await core_1.NestFactory.create(app_module_1.AppModule, (0, app_setup_1.createFastifyAdapter)(config), {
            ...app_setup_1.NEST_APP_OPTIONS,
            logger,
            abortOnError: false,
        });
        await (0, app_setup_1.configureApp)(app);
    }
    catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        const what = (0, db_errors_1.isDatabaseUnavailable)(error) ? 'cannot reach the database' : 'error';
        console.error(`Start failed: ${what} (${reason})`);
        process.exit(1);
    }
    let stopping = false;
    let stopIdleTrim = () => undefined;
    const shutdown = () => {
        if (stopping)
            return;
        stopping = true;
        stopIdleTrim();
        setTimeout(() => process.exit(1), config.shutdownTimeoutMs).unref();
        Promise.resolve(app.getHttpAdapter().close())
            .then(() => app.close())
            .then(() => process.exit(0), (error) => {
            logger.error(`shutdown failed: ${error instanceof Error ? error.message : String(error)}`, error instanceof Error ? error.stack : undefined, 'Bootstrap');
            process.exit(1);
        });
    };
    process.on('SIGTERM', shutdown);
    process.on('SIGINT', shutdown);
    await app.listen(config.port, '0.0.0.0');
    logger.log(`listening on http://localhost:${config.port} (Swagger UI at /docs)`, 'Bootstrap');
    stopIdleTrim = new idle_heap_trim_1.IdleHeapTrim({ gc: (0, idle_heap_trim_1.exposedGc)() }).start();
    logSecurityPosture(app, config, logger);
}
function logSecurityPosture(app, config, logger) {
    const settings = app.get(config_1.ConfigService);
    const { lines, warnings } = (0, security_posture_1.securityPosture)({
        app: config,
        auth: settings.getOrThrow('auth'),
        database: settings.getOrThrow('database'),
        rateLimit: settings.get('rateLimit'),
    });
    const summary = warnings.length ? `${warnings.length} warning(s) follow` : 'no warnings';
    logger.log(['security posture:', ...lines, summary].join('\n  '), 'SecurityPosture');
    for (const warning of warnings)
        logger.warn(`security warning: ${warning}`, 'SecurityPosture');
}
void bootstrap();
//# sourceMappingURL=main.js.map