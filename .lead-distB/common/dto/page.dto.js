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
exports.PageDtoOf = PageDtoOf;
exports.mapPage = mapPage;
const swagger_1 = require("@nestjs/swagger");
function PageDtoOf(itemType) {
    class PageDto {
        items;
        total;
        page;
        limit;
    }
    __decorate([
        (0, swagger_1.ApiProperty)({ type: [itemType] }),
        __metadata("design:type", Array)
    ], PageDto.prototype, "items", void 0);
    __decorate([
        (0, swagger_1.ApiProperty)({ example: 42 }),
        __metadata("design:type", Number)
    ], PageDto.prototype, "total", void 0);
    __decorate([
        (0, swagger_1.ApiProperty)({ example: 1 }),
        __metadata("design:type", Number)
    ], PageDto.prototype, "page", void 0);
    __decorate([
        (0, swagger_1.ApiProperty)({ example: 20 }),
        __metadata("design:type", Number)
    ], PageDto.prototype, "limit", void 0);
    return PageDto;
}
function mapPage(page, map) {
    return { ...page, items: page.items.map(map) };
}
//# sourceMappingURL=page.dto.js.map