// RFC 6238 TOTP (HMAC-SHA1, 6 digits, 30 s steps) from node:crypto, so the tests compute the
// codes an authenticator app would show from the secret of POST /api/auth/mfa/totp/setup.
import { createHmac } from 'node:crypto';
import { sleep } from './harness.mjs';

const STEP_MS = 30_000;
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 (upper case, padding and spaces ignored) to bytes. */
export function base32Decode(text) {
  let bits = 0;
  let value = 0;
  const bytes = [];
  for (const char of text.toUpperCase().replace(/[=\s]/g, '')) {
    const index = BASE32.indexOf(char);
    if (index < 0) throw new Error(`not base32: ${char}`);
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      bytes.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(bytes);
}

/** The code of time step `step` (RFC 4226 HOTP of the step counter). */
export function totp(secret, step = currentStep()) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', base32Decode(secret)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const number = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(number % 1_000_000).padStart(6, '0');
}

export const currentStep = (now = Date.now()) => Math.floor(now / STEP_MS);

/**
 * An authenticator for one secret. The server accepts each time step once (and ±1 step), so
 * `next()` gives the code of a step after the last one it gave — the current step, or the next
 * one (accepted as +1), waiting for the clock when both are used up.
 */
export function authenticator(secret) {
  let last = -Infinity;
  return {
    secret,
    async next() {
      for (;;) {
        const step = Math.max(currentStep(), last + 1);
        if (step <= currentStep() + 1) {
          last = step;
          return totp(secret, step);
        }
        await sleep(STEP_MS - (Date.now() % STEP_MS) + 50);
      }
    },
    /** A 6-digit code no step from 2 back to 2 ahead has: wrong whenever the server checks it. */
    wrong() {
      const near = new Set([-2, -1, 0, 1, 2].map((d) => totp(secret, currentStep() + d)));
      for (let n = 0; ; n++) {
        const code = String((Number(totp(secret)) + 1 + n) % 1_000_000).padStart(6, '0');
        if (!near.has(code)) return code;
      }
    },
  };
}
