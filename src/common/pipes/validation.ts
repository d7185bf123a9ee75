import { ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { AppException, ErrorCode } from '../errors';

/** Constraint name of the password byte limit, reported as `password_too_long`. */
export const PASSWORD_TOO_LONG = 'passwordTooLong';

function flatten(
  errors: ValidationError[],
  prefix = '',
): { constraint: string; message: string }[] {
  return errors.flatMap((error) => {
    const path = prefix ? `${prefix}.${error.property}` : error.property;
    const own = Object.entries(error.constraints ?? {}).map(([constraint, message]) => ({
      constraint,
      message:
        constraint === 'unknownValue'
          ? 'body must be a JSON object'
          : message.startsWith(error.property)
            ? path + message.slice(error.property.length)
            : message,
    }));
    return [...own, ...flatten(error.children ?? [], path)];
  });
}

/**
 * Turns class-validator errors into the contract's 400: `password_too_long` when that is the
 * only problem (bcrypt would silently truncate), else `validation_failed` with one message per
 * field problem.
 */
export function validationException(errors: ValidationError[]): AppException {
  const problems = flatten(errors);
  if (problems.length > 0 && problems.every((p) => p.constraint === PASSWORD_TOO_LONG)) {
    return new AppException(ErrorCode.PasswordTooLong, problems[0].message);
  }
  return new AppException(
    ErrorCode.ValidationFailed,
    problems.map((p) => p.message),
  );
}

/**
 * Keys no DTO has, which the pipeline would otherwise drop without a word: Nest's
 * ValidationPipe deletes `__proto__`, `constructor` and `prototype` before validating, and
 * class-transformer skips keys the instance already has (`toString`, `hasOwnProperty`, …).
 * The whitelist never sees them, so they are refused here like any other unknown field.
 */
const RESERVED_KEYS = new Set([...Object.getOwnPropertyNames(Object.prototype), 'prototype']);

/** No DTO nests deeper than 2; a JSON body within the 100 KiB limit can nest ~20,000 deep. */
export const MAX_BODY_DEPTH = 32;

/**
 * Whether `value` nests deeper than `max` (counted without recursion). class-transformer and
 * Nest's ValidationPipe walk a body recursively, and a few thousand levels overflowed the stack
 * (RangeError, a 500): such a body is refused before they see it.
 */
function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth >= max) return true;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return false;
}

/**
 * A 400 for a body or query object the validation pipeline cannot be trusted with: a reserved
 * key at the top level (named, like any unknown field) or nesting beyond MAX_BODY_DEPTH.
 * Null when it is fine.
 */
export function structureException(value: object): AppException | null {
  if (nestsDeeperThan(value, MAX_BODY_DEPTH)) {
    return new AppException(ErrorCode.ValidationFailed, [
      `body must not nest more than ${MAX_BODY_DEPTH} levels deep`,
    ]);
  }
  const reserved = Object.keys(value).filter((key) => RESERVED_KEYS.has(key));
  if (reserved.length === 0) return null;
  return new AppException(
    ErrorCode.ValidationFailed,
    reserved.map((key) => `property ${key} should not exist`),
  );
}

export const VALIDATION_OPTIONS = {
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  // Message per field, and no echo of the rejected value (it may be a password).
  validationError: { target: false, value: false },
  exceptionFactory: validationException,
};

/** The global pipe; a body DTO also refuses JSON that is not an object (`[]`, `"x"`, `1`). */
class AppValidationPipe extends ValidationPipe {
  transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const notAnObject =
      value !== undefined && (value === null || typeof value !== 'object' || Array.isArray(value));
    if (metadata.type === 'body' && metadata.metatype && notAnObject) {
      throw new AppException(ErrorCode.ValidationFailed, ['body must be a JSON object']);
    }
    const input = metadata.type === 'body' || metadata.type === 'query';
    if (input && metadata.metatype && value !== null && typeof value === 'object') {
      const refused = structureException(value);
      if (refused) throw refused;
    }
    return super.transform(value, metadata) as Promise<unknown>;
  }
}

export function createValidationPipe(): ValidationPipe {
  return new AppValidationPipe(VALIDATION_OPTIONS);
}
