/** A parsed Set-Cookie header: its name, value and attributes (names lower-cased). */
export interface SetCookie {
  name: string;
  value: string;
  attributes: Record<string, string | true>;
}

export function parseSetCookie(header: string): SetCookie {
  const [pair, ...parts] = header.split(';').map((part) => part.trim());
  const eq = pair.indexOf('=');
  const attributes: Record<string, string | true> = {};
  for (const part of parts) {
    const at = part.indexOf('=');
    if (at === -1) attributes[part.toLowerCase()] = true;
    else attributes[part.slice(0, at).toLowerCase()] = part.slice(at + 1);
  }
  return { name: pair.slice(0, eq), value: pair.slice(eq + 1), attributes };
}

/** The refresh_token Set-Cookie of a response, parsed, if there is one. */
export function refreshSetCookie(headers: Record<string, unknown>): SetCookie | undefined {
  const raw = headers['set-cookie'] as string | string[] | undefined;
  const cookies = Array.isArray(raw) ? raw : raw ? [raw] : [];
  return cookies.map(parseSetCookie).find((cookie) => cookie.name === 'refresh_token');
}

/** Whether a Set-Cookie tells the browser to drop the cookie now (Max-Age=0 or Expires past). */
export function isClearing(cookie: SetCookie): boolean {
  const { 'max-age': maxAge, expires } = cookie.attributes;
  return (
    cookie.value === '' &&
    (maxAge === '0' || (typeof expires === 'string' && Date.parse(expires) <= Date.now()))
  );
}
