import { INestApplication } from '@nestjs/common';
import { PATH_METADATA } from '@nestjs/common/constants';
import { MetadataScanner, ModulesContainer, Reflector } from '@nestjs/core';
import type {
  OpenAPIObject,
  OperationObject,
} from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';

/** One operation of the document and a reader of its handler's metadata. */
export interface OperationWithMetadata {
  operation: OperationObject;
  /** The value set on the handler, else on its controller (as the guards resolve it). */
  metadata: <T>(key: string) => T | undefined;
}

/**
 * Pairs each operation with the route handler it documents, through the operationId
 * @nestjs/swagger gives it by default (`Controller_handler`), so the document can follow
 * metadata that only the guards and interceptors read (`@Public()`, …).
 */
export function operationsWithMetadata(
  app: INestApplication,
  document: OpenAPIObject,
): OperationWithMetadata[] {
  const byId = new Map<string, OperationObject>();
  for (const item of Object.values(document.paths)) {
    for (const operation of Object.values(item) as OperationObject[]) {
      if (operation?.operationId) byId.set(operation.operationId, operation);
    }
  }
  const reflector = new Reflector();
  const scanner = new MetadataScanner();
  const found: OperationWithMetadata[] = [];
  const seen = new Set<unknown>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as (new (...args: unknown[]) => unknown) | null;
      if (!controller || seen.has(controller)) continue;
      seen.add(controller);
      const prototype = controller.prototype as Record<string, unknown>;
      for (const name of scanner.getAllMethodNames(prototype)) {
        const handler = prototype[name] as (...args: unknown[]) => unknown;
        if (Reflect.getMetadata(PATH_METADATA, handler) === undefined) continue;
        const operation = byId.get(`${controller.name}_${name}`);
        if (!operation) continue;
        found.push({
          operation,
          metadata: <T>(key: string) => reflector.getAllAndOverride<T>(key, [handler, controller]),
        });
      }
    }
  }
  return found;
}
