export { AuthClient, createAuthClient } from './client.js';
export type { BroadcastChannelLike, LockManagerLike } from './coordination.js';
export {
  AuthError,
  LoginRequiredError,
  MfaCodeInvalidError,
  MfaRequiredError,
  MfaTokenInvalidError,
  StepUpRequiredError,
} from './errors.js';
export { localStorageAdapter, memoryStorage } from './storage.js';
export type { TokenStorage } from './storage.js';
export type {
  AuthClientOptions,
  AuthEvents,
  AuthUser,
  FetchLike,
  LoginInput,
  MfaAnswer,
  MfaChallenge,
  MfaMethod,
  MfaPrompt,
  RegisterInput,
  StoredTokens,
  TokenPair,
  TotpSetup,
} from './types.js';
