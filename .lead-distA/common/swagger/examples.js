"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.exampleOf = exampleOf;
exports.addExamples = addExamples;
const BY_FORMAT = {
    uuid: '8f14e45f-ceea-467f-a0e6-2b1c3d4e5f60',
    'date-time': '2026-01-15T09:30:00.000Z',
    email: 'ann@example.com',
};
function exampleOf(schema, document, depth = 0) {
    if (depth > 5)
        return undefined;
    if ('$ref' in schema) {
        const target = document.components?.schemas?.[schema.$ref.split('/').pop() ?? ''];
        return target ? exampleOf(target, document, depth + 1) : undefined;
    }
    if (schema.example !== undefined)
        return schema.example;
    if (schema.allOf) {
        return Object.assign({}, ...schema.allOf.map((part) => exampleOf(part, document, depth + 1)));
    }
    const alternative = schema.oneOf?.[0] ?? schema.anyOf?.[0];
    if (alternative)
        return exampleOf(alternative, document, depth + 1);
    if (schema.enum?.length)
        return schema.enum[0];
    if (schema.properties) {
        return Object.fromEntries(Object.entries(schema.properties).map(([name, property]) => [
            name,
            exampleOf(property, document, depth + 1),
        ]));
    }
    switch (schema.type) {
        case 'array':
            return schema.items ? [exampleOf(schema.items, document, depth + 1)] : [];
        case 'boolean':
            return false;
        case 'integer':
        case 'number':
            return schema.minimum ?? 1;
        case 'string':
            return BY_FORMAT[schema.format ?? ''] ?? 'string';
        default:
            return {};
    }
}
function addExamples(document) {
    for (const item of Object.values(document.paths)) {
        for (const operation of Object.values(item)) {
            if (!operation?.responses)
                continue;
            const successes = Object.entries(operation.responses)
                .filter(([status]) => /^2\d\d$/.test(status))
                .map(([, response]) => response);
            const body = operation.requestBody;
            for (const carrier of [...successes, ...(body ? [body] : [])]) {
                if (!carrier || '$ref' in carrier)
                    continue;
                const media = carrier.content?.['application/json'];
                if (!media?.schema || media.example !== undefined || media.examples)
                    continue;
                media.example = exampleOf(media.schema, document);
            }
        }
    }
}
//# sourceMappingURL=examples.js.map