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
exports.CreateArticleDto = void 0;
const swagger_1 = require("@nestjs/swagger");
const class_validator_1 = require("class-validator");
const text_length_decorator_1 = require("../../common/dto/text-length.decorator");
class CreateArticleDto {
    title;
    body;
}
exports.CreateArticleDto = CreateArticleDto;
__decorate([
    (0, swagger_1.ApiProperty)({ minLength: 1, maxLength: 200, example: 'Hello' }),
    (0, class_validator_1.IsString)(),
    (0, text_length_decorator_1.TextLength)(1, 200),
    __metadata("design:type", String)
], CreateArticleDto.prototype, "title", void 0);
__decorate([
    (0, swagger_1.ApiProperty)({ minLength: 1, maxLength: 20000, example: 'First post.' }),
    (0, class_validator_1.IsString)(),
    (0, text_length_decorator_1.TextLength)(1, 20000),
    __metadata("design:type", String)
], CreateArticleDto.prototype, "body", void 0);
//# sourceMappingURL=create-article.dto.js.map