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
exports.ArticlesController = void 0;
const common_1 = require("@nestjs/common");
const swagger_1 = require("@nestjs/swagger");
const auth_decorator_1 = require("../auth/decorators/auth.decorator");
const current_user_decorator_1 = require("../auth/decorators/current-user.decorator");
const public_decorator_1 = require("../auth/decorators/public.decorator");
const page_dto_1 = require("../common/dto/page.dto");
const pagination_query_dto_1 = require("../common/dto/pagination-query.dto");
const errors_1 = require("../common/errors");
const uuid_param_1 = require("../common/pipes/uuid-param");
const api_errors_decorator_1 = require("../common/swagger/api-errors.decorator");
const articles_service_1 = require("./articles.service");
const article_response_dto_1 = require("./dto/article-response.dto");
const create_article_dto_1 = require("./dto/create-article.dto");
const update_article_dto_1 = require("./dto/update-article.dto");
let ArticlesController = class ArticlesController {
    articles;
    constructor(articles) {
        this.articles = articles;
    }
    async findAll(query) {
        const page = await this.articles.findAll(query.page, query.limit);
        return (0, page_dto_1.mapPage)(page, (article) => article_response_dto_1.ArticleResponseDto.from(article));
    }
    async findOne(id) {
        return article_response_dto_1.ArticleResponseDto.from(await this.articles.findOne(id));
    }
    async create(user, dto) {
        return article_response_dto_1.ArticleResponseDto.from(await this.articles.create(user, dto));
    }
    async update(user, id, dto) {
        return article_response_dto_1.ArticleResponseDto.from(await this.articles.update(user, id, dto));
    }
    remove(user, id) {
        return this.articles.remove(user, id);
    }
};
exports.ArticlesController = ArticlesController;
__decorate([
    (0, public_decorator_1.Public)(),
    (0, common_1.Get)(),
    (0, swagger_1.ApiOperation)({ summary: 'List articles, newest first' }),
    (0, swagger_1.ApiOkResponse)({ type: article_response_dto_1.ArticlePageDto }),
    (0, api_errors_decorator_1.ApiErrors)(errors_1.ErrorCode.ValidationFailed),
    __param(0, (0, common_1.Query)()),
    __metadata("design:type", Function),
    __metadata("design:paramtypes", [pagination_query_dto_1.PaginationQueryDto]),
    __metadata("design:returntype", Promise)
], ArticlesController.prototype, "findAll", null);
__decorate([
    (0, public_decorator_1.Public)(),
    (0, common_1.Get)(':id'),
    (0, swagger_1.ApiOperation)({ summary: 'One article' }),
    (0, swagger_1.ApiOkResponse)({ type: article_response_dto_1.ArticleResponseDto }),
    (0, api_errors_decorator_1.ApiErrors)(errors_1.ErrorCode.ValidationFailed, errors_1.ErrorCode.NotFound),
    __param(0, (0, uuid_param_1.UuidParam)('id')),
    __metadata("design:type", Function),
    __metadata("design:paramtypes", [String]),
    __metadata("design:returntype", Promise)
], ArticlesController.prototype, "findOne", null);
__decorate([
    (0, common_1.Post)(),
    (0, auth_decorator_1.Auth)(),
    (0, swagger_1.ApiOperation)({ summary: 'Write an article' }),
    (0, swagger_1.ApiCreatedResponse)({ type: article_response_dto_1.ArticleResponseDto }),
    (0, api_errors_decorator_1.ApiErrors)(errors_1.ErrorCode.ValidationFailed),
    __param(0, (0, current_user_decorator_1.CurrentUser)()),
    __param(1, (0, common_1.Body)()),
    __metadata("design:type", Function),
    __metadata("design:paramtypes", [Object, create_article_dto_1.CreateArticleDto]),
    __metadata("design:returntype", Promise)
], ArticlesController.prototype, "create", null);
__decorate([
    (0, common_1.Patch)(':id'),
    (0, auth_decorator_1.Auth)(),
    (0, swagger_1.ApiOperation)({ summary: 'Edit an article (author or admin)' }),
    (0, swagger_1.ApiOkResponse)({ type: article_response_dto_1.ArticleResponseDto }),
    (0, api_errors_decorator_1.ApiErrors)(errors_1.ErrorCode.ValidationFailed, errors_1.ErrorCode.Forbidden, errors_1.ErrorCode.NotFound),
    __param(0, (0, current_user_decorator_1.CurrentUser)()),
    __param(1, (0, uuid_param_1.UuidParam)('id')),
    __param(2, (0, common_1.Body)()),
    __metadata("design:type", Function),
    __metadata("design:paramtypes", [Object, String, update_article_dto_1.UpdateArticleDto]),
    __metadata("design:returntype", Promise)
], ArticlesController.prototype, "update", null);
__decorate([
    (0, common_1.Delete)(':id'),
    (0, common_1.HttpCode)(204),
    (0, auth_decorator_1.Auth)(),
    (0, swagger_1.ApiOperation)({ summary: 'Delete an article (author or admin)' }),
    (0, swagger_1.ApiNoContentResponse)({ description: 'Deleted' }),
    (0, api_errors_decorator_1.ApiErrors)(errors_1.ErrorCode.ValidationFailed, errors_1.ErrorCode.Forbidden, errors_1.ErrorCode.NotFound),
    __param(0, (0, current_user_decorator_1.CurrentUser)()),
    __param(1, (0, uuid_param_1.UuidParam)('id')),
    __metadata("design:type", Function),
    __metadata("design:paramtypes", [Object, String]),
    __metadata("design:returntype", Promise)
], ArticlesController.prototype, "remove", null);
exports.ArticlesController = ArticlesController = __decorate([
    (0, swagger_1.ApiTags)('articles'),
    (0, common_1.Controller)('articles'),
    __metadata("design:paramtypes", [articles_service_1.ArticlesService])
], ArticlesController);
//# sourceMappingURL=articles.controller.js.map