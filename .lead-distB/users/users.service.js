"use strict";
var __decorate = (this && this.__decorate) || function (decorators, target, key, desc) {
    var c = arguments.length, r = c < 3 ? target : desc === null ? desc = Object.getOwnPropertyDescriptor(target, key) : desc, d;
    if (typeof Reflect === "object" && typeof Reflect.decorate === "function") r = Reflect.decorate(decorators, target, key, desc);
    else for (var i = decorators.length - 1; i >= 0; i--) if (d = decorators[i]) r = (c < 3 ? d(r) : c > 3 ? d(target, key, r) : d(target, key)) || r;
    return c > 3 && r && Object.defineProperty(target, key, r), r;
};
var __metadata = (this && this.__metadata) || function (k, v) {
    if (typeof Reflect === "object" && typeof Reflect.metadata === "function") return Reflect.metadata(k, v);
};
var __param = (this && this.__param) || function (paramIndex, decorator) {
    return function (target, key) { decorator(target, key, paramIndex); }
};
Object.defineProperty(exports, "__esModule", { value: true });
exports.UsersService = void 0;
const common_1 = require("@nestjs/common");
const typeorm_1 = require("@nestjs/typeorm");
const node_crypto_1 = require("node:crypto");
const typeorm_2 = require("typeorm");
const errors_1 = require("../common/errors");
const clock_1 = require("../common/clock");
const db_errors_1 = require("../database/db-errors");
const user_entity_1 = require("./entities/user.entity");
const role_enum_1 = require("./enums/role.enum");
let UsersService = class UsersService {
    users;
    clock;
    constructor(users, clock) {
        this.users = users;
        this.clock = clock;
    }
    findByEmail(email) {
        return this.users.findOneBy({ email });
    }
    async findOne(id) {
        const user = await this.users.findOneBy({ id });
        if (!user)
            throw new errors_1.AppException(errors_1.ErrorCode.NotFound, 'User not found');
        return user;
    }
    async create(input) {
        const now = this.clock.now();
        const user = this.users.create({
            id: (0, node_crypto_1.randomUUID)(),
            email: input.email,
            passwordHash: input.passwordHash,
            name: input.name,
            roles: input.roles ?? [role_enum_1.Role.User],
            disabled: false,
            createdAt: now,
            updatedAt: now,
        });
        try {
            return await this.users.save(user);
        }
        catch (error) {
            if ((0, db_errors_1.isUniqueViolation)(error)) {
                throw new errors_1.AppException(errors_1.ErrorCode.EmailTaken, 'Email is already registered');
            }
            throw error;
        }
    }
    async update(id, changes) {
        await this.users.update({ id }, { ...changes, updatedAt: this.clock.now() });
        return this.findOne(id);
    }
    async replacePasswordHash(id, verifiedHash, newHash) {
        const result = await this.users.update({ id, passwordHash: verifiedHash }, { passwordHash: newHash, updatedAt: this.clock.now() });
        return result.affected === 1;
    }
    async findAll(page, limit) {
        const [items, total] = await this.users.findAndCount({
            order: { createdAt: 'ASC', id: 'ASC' },
            skip: (page - 1) * limit,
            take: limit,
        });
        return { items, total, page, limit };
    }
};
exports.UsersService = UsersService;
exports.UsersService = UsersService = __decorate([
    (0, common_1.Injectable)(),
    __param(0, (0, typeorm_1.InjectRepository)(user_entity_1.User)),
    __metadata("design:paramtypes", [typeorm_2.Repository,
        clock_1.Clock])
], UsersService);
//# sourceMappingURL=users.service.js.map