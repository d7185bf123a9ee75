/** Types of scripts/lib/openapi.js, for the specs that import it. */
export function serializeDocument(document: unknown): string;
export function comparable(document: unknown): unknown;
export function staleness(served: unknown, committed: unknown): string[];
