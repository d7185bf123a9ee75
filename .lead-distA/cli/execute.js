"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.execute = execute;
const core_1 = require("@nestjs/core");
const errors_1 = require("../common/errors");
const config_1 = require("../config");
const cli_error_1 = require("./cli-error");
const cli_logger_1 = require("./cli-logger");
const cli_module_1 = require("./cli.module");
const create_admin_command_1 = require("./commands/create-admin.command");
const list_sessions_command_1 = require("./commands/list-sessions.command");
const migrate_command_1 = require("./commands/migrate.command");
const revoke_sessions_command_1 = require("./commands/revoke-sessions.command");
const password_input_1 = require("./password-input");
async function execute(command, env) {
    (0, config_1.validateEnvironment)();
    if (command.command === 'migrate')
        return (0, migrate_command_1.migrate)((0, config_1.loadDatabaseConfig)(env));
    const app = await core_1.NestFactory.createApplicationContext(cli_module_1.CliModule, {
        logger: new cli_logger_1.CliLogger((0, config_1.loadAppConfig)(env).logLevel),
        abortOnError: false,
    });
    try {
        switch (command.command) {
            case 'create-admin':
                return await app
                    .get(create_admin_command_1.CreateAdminCommand)
                    .run(command.email, passwordSource(command.passwordStdin, env));
            case 'list-sessions':
                return await app.get(list_sessions_command_1.ListSessionsCommand).run(command.email, command);
            case 'revoke-sessions':
                return await app.get(revoke_sessions_command_1.RevokeSessionsCommand).run(command.email);
        }
    }
    catch (error) {
        if (error instanceof errors_1.AppException)
            throw new cli_error_1.CliError(String(error.details));
        throw error;
    }
    finally {
        await app.close();
    }
}
function passwordSource(fromStdin, env) {
    if (fromStdin)
        return { name: 'stdin', read: () => (0, password_input_1.readPasswordFromStdin)() };
    const fromEnv = env.ADMIN_PASSWORD;
    if (fromEnv)
        return { name: 'ADMIN_PASSWORD', read: () => Promise.resolve(fromEnv) };
    return null;
}
//# sourceMappingURL=execute.js.map