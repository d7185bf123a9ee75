"use strict";
var __createBinding = (this && this.__createBinding) || (Object.create ? (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    var desc = Object.getOwnPropertyDescriptor(m, k);
    if (!desc || ("get" in desc ? !m.__esModule : desc.writable || desc.configurable)) {
      desc = { enumerable: true, get: function() { return m[k]; } };
    }
    Object.defineProperty(o, k2, desc);
}) : (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    o[k2] = m[k];
}));
var __setModuleDefault = (this && this.__setModuleDefault) || (Object.create ? (function(o, v) {
    Object.defineProperty(o, "default", { enumerable: true, value: v });
}) : function(o, v) {
    o["default"] = v;
});
var __importStar = (this && this.__importStar) || (function () {
    var ownKeys = function(o) {
        ownKeys = Object.getOwnPropertyNames || function (o) {
            var ar = [];
            for (var k in o) if (Object.prototype.hasOwnProperty.call(o, k)) ar[ar.length] = k;
            return ar;
        };
        return ownKeys(o);
    };
    return function (mod) {
        if (mod && mod.__esModule) return mod;
        var result = {};
        if (mod != null) for (var k = ownKeys(mod), i = 0; i < k.length; i++) if (k[i] !== "default") __createBinding(result, mod, k[i]);
        __setModuleDefault(result, mod);
        return result;
    };
})();
Object.defineProperty(exports, "__esModule", { value: true });
require("reflect-metadata");
const config_error_1 = require("../config/config-error");
const db_errors_1 = require("../database/db-errors");
const args_1 = require("./args");
const cli_error_1 = require("./cli-error");
const EXIT_GRACE_MS = 5_000;
async function main(argv) {
    const parsed = (0, args_1.parseCommandLine)(argv);
    if (parsed.command === 'help') {
        process.stdout.write((0, args_1.usage)(parsed.topic));
        return 0;
    }
    const { execute } = await Promise.resolve().then(() => __importStar(require('./execute')));
    const result = await execute(parsed, process.env);
    process.stdout.write(result.endsWith('\n') ? result : `${result}\n`);
    return 0;
}
function report(error) {
    const message = (error instanceof Error ? error.message : String(error)).split('\n')[0];
    if (error instanceof cli_error_1.UsageError) {
        process.stderr.write(`error: ${message} (see --help)\n`);
    }
    else if (error instanceof config_error_1.ConfigError) {
        process.stderr.write(`configuration error: ${message}\n`);
    }
    else if ((0, db_errors_1.isDatabaseUnavailable)(error)) {
        process.stderr.write(`error: cannot reach the database (${message})\n`);
    }
    else {
        process.stderr.write(`error: ${message}\n`);
    }
    return error instanceof cli_error_1.CliError ? error.exitCode : 1;
}
void main(process.argv.slice(2))
    .catch(report)
    .then((code) => {
    process.exitCode = code;
    setTimeout(() => process.exit(code), EXIT_GRACE_MS).unref();
});
//# sourceMappingURL=main.js.map