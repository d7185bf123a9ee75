import { ValidateIf } from 'class-validator';

/**
 * Like `@IsOptional()`, but only an absent field is skipped: an explicit `null` is validated
 * (and refused) instead of reaching a NOT NULL column as a 500.
 */
export const IsOmittable = () => ValidateIf((_object, value) => value !== undefined);
