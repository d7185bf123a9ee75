import { AppException, ErrorCode } from '../common/errors';
import { Role } from '../users/enums/role.enum';
import { assertOwnerOrAdmin, canModify } from './ownership';

describe('ownership', () => {
  const author = { id: 'a', roles: [Role.User] };
  const other = { id: 'b', roles: [Role.User] };
  const admin = { id: 'c', roles: [Role.User, Role.Admin] };

  it('lets the owner and an admin modify', () => {
    expect(canModify('a', author)).toBe(true);
    expect(canModify('a', admin)).toBe(true);
  });

  it('refuses anyone else with 403 forbidden', () => {
    expect(canModify('a', other)).toBe(false);
    try {
      assertOwnerOrAdmin('a', other);
      fail('expected a 403');
    } catch (error) {
      expect(error).toBeInstanceOf(AppException);
      expect((error as AppException).code).toBe(ErrorCode.Forbidden);
      expect((error as AppException).getStatus()).toBe(403);
    }
  });
});
