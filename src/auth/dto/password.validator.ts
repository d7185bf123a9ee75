import { applyDecorators } from '@nestjs/common';
import { IsString, ValidateBy } from 'class-validator';
import { PASSWORD_TOO_LONG } from '../../common/pipes/validation';

/** bcrypt reads only the first 72 bytes; longer passwords are refused, never truncated. */
export const PASSWORD_MAX_BYTES = 72;
export const PASSWORD_MIN_BYTES = 8;

const bytes = (value: unknown) =>
  typeof value === 'string' ? Buffer.byteLength(value, 'utf8') : 0;

const MaxPasswordBytes = () =>
  ValidateBy({
    name: PASSWORD_TOO_LONG,
    validator: {
      validate: (value) => typeof value !== 'string' || bytes(value) <= PASSWORD_MAX_BYTES,
      defaultMessage: (args) =>
        `${args?.property} must be at most ${PASSWORD_MAX_BYTES} UTF-8 bytes`,
    },
  });

const MinPasswordBytes = () =>
  ValidateBy({
    name: 'minPasswordBytes',
    validator: {
      validate: (value) => typeof value !== 'string' || bytes(value) >= PASSWORD_MIN_BYTES,
      defaultMessage: (args) =>
        `${args?.property} must be at least ${PASSWORD_MIN_BYTES} UTF-8 bytes`,
    },
  });

/** A new password: a string of 8 to 72 UTF-8 bytes. */
export const IsNewPassword = () =>
  applyDecorators(IsString(), MinPasswordBytes(), MaxPasswordBytes());

/** A password to check (login, current password): a string of at most 72 UTF-8 bytes. */
export const IsPresentedPassword = () => applyDecorators(IsString(), MaxPasswordBytes());
