import { Param, ParseUUIDPipe, PipeTransform } from '@nestjs/common';
import { AppException, ErrorCode } from '../errors';

/** Ids are stored lower-case; SQLite compares case-sensitively, MySQL does not. */
class LowerCasePipe implements PipeTransform<string, string> {
  transform(value: string): string {
    return value.toLowerCase();
  }
}

/** `@UuidParam('id')`: a malformed id answers 400 `validation_failed` before any query runs. */
export const UuidParam = (name = 'id') =>
  Param(
    name,
    new ParseUUIDPipe({
      exceptionFactory: () =>
        new AppException(ErrorCode.ValidationFailed, [`${name} must be a UUID`]),
    }),
    LowerCasePipe,
  );
