export { AuthClient, createAuthClient } from './client.js';
export type { BroadcastChannelLike, LockManagerLike } from './coordination.js';
export { AuthError, LoginRequiredError } from './errors.js';
export { localStorageAdapter, memoryStorage } from './storage.js';
export type { TokenStorage } from './storage.js';
export type {
  AuthClientOptions,
  AuthEvents,
  AuthUser,
  FetchLike,
  LoginInput,
  RegisterInput,
  StoredTokens,
  TokenPair,
} from './types.js';
