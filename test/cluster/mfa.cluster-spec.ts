import { authenticator } from 'otplib';
import {
  call,
  countBy,
  freshDatabase,
  Instance,
  PASSWORD,
  register,
  report,
  sleep,
  startCluster,
  stopAll,
} from './harness';

const STEP_MS = 30_000;

/** The code of the current 30-s step, or `steps` later (the server takes one step of skew). */
const codeNow = (secret: string, steps = 0) =>
  authenticator.clone({ epoch: Date.now() + steps * STEP_MS }).generate(secret);

/** Waits for a fresh step with at least 5 s left in it, so a round's code stays current. */
async function freshStep(): Promise<void> {
  const left = STEP_MS - (Date.now() % STEP_MS);
  await sleep(left < 5_000 ? left + 50 : 0);
}

/**
 * TOTP replay across instances: a code is spent by a conditional UPDATE of the user's last
 * used time step in the shared database, so when A and B receive the same code at the same
 * moment exactly one answers a token pair.
 */
describe('cluster: a TOTP code works once across two instances (MariaDB)', () => {
  let instances: Instance[];

  beforeAll(async () => {
    const url = await freshDatabase('mfa');
    instances = await startCluster(2, url, { MFA_RATE_LIMIT: '1000/15m' });
  });

  afterAll(async () => {
    if (instances) await stopAll(instances);
  });

  async function enrolledUser(i: number): Promise<{ email: string; secret: string }> {
    const email = `mfa-${i}-${Date.now().toString(36)}@example.com`;
    const { accessToken } = await register(instances[0], email);
    const setup = await call(instances[0], 'POST', '/api/auth/mfa/totp/setup', {
      token: accessToken,
    });
    const secret = (setup.body as { secret: string }).secret;
    await freshStep();
    const confirm = await call(instances[1], 'POST', '/api/auth/mfa/totp/confirm', {
      token: accessToken,
      body: { code: codeNow(secret) },
    });
    expect(confirm.status).toBe(200);
    return { email, secret };
  }

  const challenge = async (target: Instance, email: string) => {
    const res = await call(target, 'POST', '/api/auth/login', {
      body: { email, password: PASSWORD },
    });
    expect(res.body.mfaRequired).toBe(true);
    return res.body.mfaToken as string;
  };

  it('the same code on A and B at once: exactly one pair, every round', async () => {
    const rounds = 6;
    const outcomes: string[] = [];
    for (let round = 0; round < rounds; round++) {
      const { email, secret } = await enrolledUser(round);
      // The confirm spent the current step: the next step's code (one step of skew) is fresh.
      const [a, b] = [await challenge(instances[0], email), await challenge(instances[1], email)];
      // Half the rounds: one mfa token on both instances; half: one token each.
      const tokens = round % 2 === 0 ? [a, a] : [a, b];
      const code = codeNow(secret, 1);
      const answers = await Promise.all(
        instances.map((target, i) =>
          call(target, 'POST', '/api/auth/mfa/verify', { body: { mfaToken: tokens[i], code } }),
        ),
      );
      const statuses = answers.map((r) => r.status).sort();
      expect(statuses).toEqual([200, 401]);
      const refused = answers.find((r) => r.status === 401)!;
      expect(['mfa_code_invalid', 'mfa_token_invalid']).toContain(refused.body.code);
      outcomes.push(statuses.join('/'));
    }
    report('mfa-replay', { rounds, outcomes: countBy(outcomes) });
  }, 120_000);
});
