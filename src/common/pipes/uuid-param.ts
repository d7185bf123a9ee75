import { Param, ParseUUIDPipe } from '@nestjs/common';
import { AppException, ErrorCode } from '../errors';

/** `@UuidParam('id')`: a malformed id answers 400 `validation_failed` before any query runs. */
export const UuidParam = (name = 'id') =>
  Param(
    name,
    new ParseUUIDPipe({
      exceptionFactory: () =>
        new AppException(ErrorCode.ValidationFailed, [`${name} must be a UUID`]),
    }),
  );
