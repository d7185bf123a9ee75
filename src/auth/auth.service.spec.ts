import { Logger } from '@nestjs/common';
import { AppException, ErrorCode } from '../common/errors';
import { AuthService } from './auth.service';

const ADMIN = 'admin@example.com';
const conflict = () =>
  Object.assign(new Error('Deadlock found when trying to get lock'), { code: 'ER_LOCK_DEADLOCK' });

/** An AuthService whose users.create fails with `failure`; afterwards findByEmail finds the
 * account only when `foundAfterFailure` (the other instance's insert is visible). */
function seeding(failure: Error, foundAfterFailure: boolean) {
  let created = false;
  const users = {
    findByEmail: jest.fn(() =>
      Promise.resolve(created && foundAfterFailure ? { id: 'u1', email: ADMIN } : null),
    ),
    create: jest.fn(() => {
      created = true;
      return Promise.reject(failure);
    }),
  };
  const hasher = { hash: () => Promise.resolve('hash') };
  const config = { adminEmail: ADMIN, adminPassword: 'admin password 123' };
  const service = new AuthService(
    config as never,
    {} as never,
    users as never,
    hasher as never,
    {} as never,
    {} as never,
    {} as never,
    {} as never,
    {} as never,
  );
  return { service, users };
}

describe('AuthService: the admin account at start', () => {
  beforeEach(() => jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined));
  afterEach(() => jest.restoreAllMocks());

  it('accepts losing the insert to another instance: a duplicate email', async () => {
    const { service } = seeding(new AppException(ErrorCode.EmailTaken, 'taken'), false);
    await expect(service.onApplicationBootstrap()).resolves.toBeUndefined();
  });

  it('accepts losing it to another Galera node (a conflict at COMMIT) once the account is there', async () => {
    const { service, users } = seeding(conflict(), true);
    await expect(service.onApplicationBootstrap()).resolves.toBeUndefined();
    expect(users.findByEmail).toHaveBeenCalledTimes(2);
  });

  it('fails the start on a conflict that left no account, and on any other error', async () => {
    await expect(seeding(conflict(), false).service.onApplicationBootstrap()).rejects.toThrow(
      'Deadlock',
    );
    const lost = Object.assign(new Error('gone'), { code: 'PROTOCOL_CONNECTION_LOST' });
    await expect(seeding(lost, true).service.onApplicationBootstrap()).rejects.toThrow('gone');
  });
});
