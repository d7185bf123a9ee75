import { bearer, registerUser } from './utils/auth';
import { createTestApp, TestApp } from './utils/create-app';

describe('smoke', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('registers and reads /users/me', async () => {
    const { pair, email } = await registerUser(t.http);
    const res = await t.http().get('/api/users/me').set(bearer(pair.accessToken)).expect(200);
    expect(res.body.email).toBe(email);
  });
});
