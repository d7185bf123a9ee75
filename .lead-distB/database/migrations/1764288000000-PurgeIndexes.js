"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.PurgeIndexes1764288000000 = void 0;
const typeorm_1 = require("typeorm");
class PurgeIndexes1764288000000 {
    name = 'PurgeIndexes1764288000000';
    async up(queryRunner) {
        await queryRunner.createIndex('sessions', new typeorm_1.TableIndex({ name: 'idx_sessions_expires_at', columnNames: ['expires_at'] }));
    }
    async down(queryRunner) {
        await queryRunner.dropIndex('sessions', 'idx_sessions_expires_at');
    }
}
exports.PurgeIndexes1764288000000 = PurgeIndexes1764288000000;
//# sourceMappingURL=1764288000000-PurgeIndexes.js.map