import { ConfigError } from '../../src/config/config-error';

/** The ConfigError that `load` throws (fails the test if it throws anything else, or nothing). */
export function configError(load: () => unknown): ConfigError {
  let caught: unknown;
  try {
    load();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ConfigError);
  return caught as ConfigError;
}

/** The start-stopping message: one line, beginning with the variable's name. */
export function expectConfigError(load: () => unknown, variable: string): ConfigError {
  const error = configError(load);
  expect(error.variable).toBe(variable);
  expect(error.message.startsWith(`${variable}:`)).toBe(true);
  expect(error.message).not.toMatch(/[\r\n]/);
  return error;
}
