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
Object.defineProperty(exports, "__esModule", { value: true });
exports.CreateAdminCommand = void 0;
const common_1 = require("@nestjs/common");
const core_1 = require("@nestjs/core");
const class_transformer_1 = require("class-transformer");
const class_validator_1 = require("class-validator");
const register_dto_1 = require("../../auth/dto/register.dto");
const password_hasher_service_1 = require("../../auth/password/password-hasher.service");
const audit_log_service_1 = require("../../common/audit/audit-log.service");
const role_enum_1 = require("../../users/enums/role.enum");
const users_service_1 = require("../../users/users.service");
const cli_error_1 = require("../cli-error");
const operator_1 = require("../operator");
function checkAsRegistration(email, password) {
    const dto = (0, class_transformer_1.plainToInstance)(register_dto_1.RegisterDto, { email, password });
    const problems = (property) => (0, class_validator_1.validateSync)(dto)
        .filter((error) => error.property === property)
        .flatMap((error) => Object.values(error.constraints ?? {}));
    return {
        email: dto.email,
        emailProblem: problems('email')[0],
        passwordProblem: problems('password')[0],
    };
}
let CreateAdminCommand = class CreateAdminCommand {
    users;
    audit;
    moduleRef;
    constructor(users, audit, moduleRef) {
        this.users = users;
        this.audit = audit;
        this.moduleRef = moduleRef;
    }
    get hasher() {
        return this.moduleRef.get(password_hasher_service_1.PasswordHasher, { strict: false });
    }
    async run(rawEmail, password) {
        const { email, emailProblem } = checkAsRegistration(rawEmail);
        if (emailProblem)
            throw new cli_error_1.CliError(`invalid email "${rawEmail}": ${emailProblem}`);
        const existing = await this.users.findByEmail(email);
        if (existing)
            return this.promote(existing);
        if (!password) {
            throw new cli_error_1.CliError(`no account with email ${email}; to create one, give its password with ` +
                '--password-stdin or ADMIN_PASSWORD');
        }
        const secret = await password.read();
        const { passwordProblem } = checkAsRegistration(email, secret);
        if (passwordProblem) {
            throw new cli_error_1.CliError(`password from ${password.name} refused: ${passwordProblem}`);
        }
        const user = await this.users.create({
            email,
            passwordHash: await this.hasher.hash(secret),
            name: null,
            roles: [role_enum_1.Role.User, role_enum_1.Role.Admin],
        });
        this.audit.record('admin.user.created', {
            actorId: (0, operator_1.operatorActorId)(),
            userId: user.id,
            roles: user.roles,
            ...operator_1.OPERATOR_CLIENT,
        });
        return `created admin ${email} (id ${user.id})`;
    }
    async promote(existing) {
        if (existing.roles.includes(role_enum_1.Role.Admin)) {
            return `${existing.email} is already an admin; nothing changed`;
        }
        const user = await this.users.update(existing.id, { roles: [...existing.roles, role_enum_1.Role.Admin] });
        this.audit.record('admin.user.roles_changed', {
            actorId: (0, operator_1.operatorActorId)(),
            userId: user.id,
            previousRoles: existing.roles,
            roles: user.roles,
            ...operator_1.OPERATOR_CLIENT,
        });
        const disabled = user.disabled ? '; the account is disabled and stays so' : '';
        return (`promoted ${user.email} (id ${user.id}) to admin, roles now ${user.roles.join(', ')}; ` +
            `password unchanged${disabled}`);
    }
};
exports.CreateAdminCommand = CreateAdminCommand;
exports.CreateAdminCommand = CreateAdminCommand = __decorate([
    (0, common_1.Injectable)(),
    __metadata("design:paramtypes", [users_service_1.UsersService,
        audit_log_service_1.AuditLog,
        core_1.ModuleRef])
], CreateAdminCommand);
//# sourceMappingURL=create-admin.command.js.map