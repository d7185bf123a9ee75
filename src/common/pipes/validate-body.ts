import { ClassConstructor, plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import type { FastifyRequest } from 'fastify';
import { AppException, ErrorCode } from '../errors';
import { structureException, validationException, VALIDATION_OPTIONS } from './validation';

/**
 * Validates and replaces `request.body` with the same rules as the global ValidationPipe.
 * For guards: they run before pipes, so a guard that reads the body must check it itself.
 */
export async function validateBody<T extends object>(
  request: FastifyRequest,
  dtoClass: ClassConstructor<T>,
): Promise<T> {
  const body = request.body === undefined ? {} : request.body;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new AppException(ErrorCode.ValidationFailed, ['body must be a JSON object']);
  }
  const refused = structureException(body);
  if (refused) throw refused;
  const dto = plainToInstance(dtoClass, body);
  const errors = await validate(dto, VALIDATION_OPTIONS);
  if (errors.length > 0) throw validationException(errors);
  request.body = dto;
  return dto;
}
