import { AppException, ErrorCode } from '../common/errors';
import { BASIC_CHALLENGE, ClientAuthenticator } from './client-authenticator';

const SECRET = 'gateway-secret-0123456789-0123456789';
const ODD_ID = 'svc.a_b~c-d';
const ODD_SECRET = 'p@ss:w%rd+with spaces&=/é-0123456789-0123';

const basic = (id: string, secret: string, encode = true) => {
  const pair = encode
    ? `${encodeURIComponent(id)}:${encodeURIComponent(secret)}`
    : `${id}:${secret}`;
  return `Basic ${Buffer.from(pair, 'utf8').toString('base64')}`;
};

function refusal(run: () => unknown): AppException {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(AppException);
    return error as AppException;
  }
  throw new Error('expected invalid_client');
}

describe('ClientAuthenticator (HTTP Basic, RFC 6749 §2.3.1)', () => {
  const clients = new ClientAuthenticator({
    publicUrl: 'http://localhost:3000',
    introspectionClients: [
      { id: 'gateway', secret: SECRET },
      { id: ODD_ID, secret: ODD_SECRET },
    ],
  });

  it('authenticates a registered client, form-urlencoded id and secret included', () => {
    expect(clients.authenticate(basic('gateway', SECRET))).toBe('gateway');
    expect(clients.authenticate(basic(ODD_ID, ODD_SECRET))).toBe(ODD_ID);
    // Unencoded but without reserved characters: the same bytes.
    expect(clients.authenticate(basic('gateway', SECRET, false))).toBe('gateway');
    expect(clients.authenticate(`basic ${basic('gateway', SECRET).slice(6)}`)).toBe('gateway');
  });

  it.each([
    ['no header', undefined],
    ['wrong secret', basic('gateway', SECRET + 'x')],
    ['unknown client', basic('nobody', SECRET)],
    ['another client secret', basic(ODD_ID, SECRET)],
    ['empty', 'Basic '],
    ['not base64', 'Basic @@@@'],
    ['no colon', `Basic ${Buffer.from('gateway').toString('base64')}`],
    ['bad percent-encoding', `Basic ${Buffer.from('gateway:%E0%A4%A').toString('base64')}`],
    ['bearer', 'Bearer abc'],
  ])('refuses %s with invalid_client and a Basic challenge', (_name, header) => {
    const error = refusal(() => clients.authenticate(header));
    expect(error.code).toBe(ErrorCode.InvalidClient);
    expect(error.getStatus()).toBe(401);
    expect(error.challenge).toBe(BASIC_CHALLENGE);
  });

  it('revocation: no Basic header means the holder; a wrong one is still refused', () => {
    expect(clients.authenticateIfPresent(undefined)).toBeNull();
    expect(clients.authenticateIfPresent('Bearer abc')).toBeNull();
    expect(clients.authenticateIfPresent(basic('gateway', SECRET))).toBe('gateway');
    expect(refusal(() => clients.authenticateIfPresent(basic('gateway', 'x'))).code).toBe(
      ErrorCode.InvalidClient,
    );
  });
});
