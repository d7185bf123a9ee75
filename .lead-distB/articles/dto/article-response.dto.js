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
exports.ArticlePageDto = exports.ArticleResponseDto = void 0;
const swagger_1 = require("@nestjs/swagger");
const page_dto_1 = require("../../common/dto/page.dto");
class ArticleResponseDto {
    id;
    title;
    body;
    authorId;
    createdAt;
    updatedAt;
    static from(article) {
        return {
            id: article.id,
            title: article.title,
            body: article.body,
            authorId: article.authorId,
            createdAt: article.createdAt.toISOString(),
            updatedAt: article.updatedAt.toISOString(),
        };
    }
}
exports.ArticleResponseDto = ArticleResponseDto;
__decorate([
    (0, swagger_1.ApiProperty)({ format: 'uuid' }),
    __metadata("design:type", String)
], ArticleResponseDto.prototype, "id", void 0);
__decorate([
    (0, swagger_1.ApiProperty)({ example: 'Hello' }),
    __metadata("design:type", String)
], ArticleResponseDto.prototype, "title", void 0);
__decorate([
    (0, swagger_1.ApiProperty)({ example: 'First post.' }),
    __metadata("design:type", String)
], ArticleResponseDto.prototype, "body", void 0);
__decorate([
    (0, swagger_1.ApiProperty)({ format: 'uuid' }),
    __metadata("design:type", String)
], ArticleResponseDto.prototype, "authorId", void 0);
__decorate([
    (0, swagger_1.ApiProperty)({ type: String, format: 'date-time' }),
    __metadata("design:type", String)
], ArticleResponseDto.prototype, "createdAt", void 0);
__decorate([
    (0, swagger_1.ApiProperty)({ type: String, format: 'date-time' }),
    __metadata("design:type", String)
], ArticleResponseDto.prototype, "updatedAt", void 0);
class ArticlePageDto extends (0, page_dto_1.PageDtoOf)(ArticleResponseDto) {
}
exports.ArticlePageDto = ArticlePageDto;
//# sourceMappingURL=article-response.dto.js.map