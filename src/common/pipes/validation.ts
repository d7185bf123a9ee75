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
    return super.transform(value, metadata) as Promise<unknown>;
  }
}

export function createValidationPipe(): ValidationPipe {
  return new AppValidationPipe(VALIDATION_OPTIONS);
}
