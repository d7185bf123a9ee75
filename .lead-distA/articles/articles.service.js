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
exports.ArticlesService = void 0;
const common_1 = require("@nestjs/common");
const typeorm_1 = require("@nestjs/typeorm");
const node_crypto_1 = require("node:crypto");
const typeorm_2 = require("typeorm");
const ownership_1 = require("../auth/ownership");
const clock_1 = require("../common/clock");
const errors_1 = require("../common/errors");
const article_entity_1 = require("./entities/article.entity");
let ArticlesService = class ArticlesService {
    articles;
    clock;
    constructor(articles, clock) {
        this.articles = articles;
        this.clock = clock;
    }
    async findAll(page, limit) {
        const [items, total] = await this.articles.findAndCount({
            order: { createdAt: 'DESC', id: 'ASC' },
            skip: (page - 1) * limit,
            take: limit,
        });
        return { items, total, page, limit };
    }
    async findOne(id) {
        const article = await this.articles.findOneBy({ id });
        if (!article)
            throw new errors_1.AppException(errors_1.ErrorCode.NotFound, 'Article not found');
        return article;
    }
    create(author, dto) {
        const now = this.clock.now();
        return this.articles.save(this.articles.create({
            ...dto,
            id: (0, node_crypto_1.randomUUID)(),
            authorId: author.id,
            createdAt: now,
            updatedAt: now,
        }));
    }
    async update(caller, id, dto) {
        const article = await this.findOne(id);
        (0, ownership_1.assertOwnerOrAdmin)(article.authorId, caller);
        Object.assign(article, dto, { updatedAt: this.clock.now() });
        return this.articles.save(article);
    }
    async remove(caller, id) {
        const article = await this.findOne(id);
        (0, ownership_1.assertOwnerOrAdmin)(article.authorId, caller);
        await this.articles.delete({ id });
    }
};
exports.ArticlesService = ArticlesService;
exports.ArticlesService = ArticlesService = __decorate([
    (0, common_1.Injectable)(),
    __param(0, (0, typeorm_1.InjectRepository)(article_entity_1.Article)),
    __metadata("design:paramtypes", [typeorm_2.Repository,
        clock_1.Clock])
], ArticlesService);
//# sourceMappingURL=articles.service.js.map