"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.DEV_SECRETS_FILE = void 0;
exports.loadOrCreateDevSecrets = loadOrCreateDevSecrets;
const node_crypto_1 = require("node:crypto");
const node_fs_1 = require("node:fs");
const node_path_1 = require("node:path");
const config_error_1 = require("./config-error");
exports.DEV_SECRETS_FILE = 'data/jwt-secrets.json';
function loadOrCreateDevSecrets(file = exports.DEV_SECRETS_FILE) {
    if ((0, node_fs_1.existsSync)(file)) {
        let stored;
        try {
            stored = JSON.parse((0, node_fs_1.readFileSync)(file, 'utf8'));
        }
        catch {
            throw new config_error_1.ConfigError(file, 'is not valid JSON; delete it to generate new secrets');
        }
        if (typeof stored?.accessSecret === 'string' && typeof stored.refreshSecret === 'string') {
            return { accessSecret: stored.accessSecret, refreshSecret: stored.refreshSecret };
        }
    }
    const secrets = {
        accessSecret: (0, node_crypto_1.randomBytes)(48).toString('base64url'),
        refreshSecret: (0, node_crypto_1.randomBytes)(48).toString('base64url'),
    };
    (0, node_fs_1.mkdirSync)((0, node_path_1.dirname)(file), { recursive: true });
    (0, node_fs_1.writeFileSync)(file, JSON.stringify(secrets, null, 2) + '\n', { mode: 0o600 });
    return secrets;
}
//# sourceMappingURL=dev-secrets.js.map