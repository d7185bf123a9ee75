// The committed docs/openapi.json and the rule that keeps it in step with the code: the same
// document as /docs-json, compared without `servers` and with PUBLIC_URL (which `servers`
// names, different on every run; the contact's URL too) written as $PUBLIC_URL. Written with
// 2-space indentation and a final newline.

/** The document as docs/openapi.json holds it. */
function serializeDocument(document) {
  return `${JSON.stringify(document, null, 2)}\n`;
}

/** What must match between the code and the committed file: no `servers`, no PUBLIC_URL. */
function comparable(document) {
  const { servers, ...rest } = document;
  const publicUrl = servers?.[0]?.url;
  const text = JSON.stringify(rest);
  if (!publicUrl) return rest;
  return JSON.parse(text.split(JSON.stringify(publicUrl).slice(1, -1)).join('$PUBLIC_URL'));
}

/** Paths (JSON pointers) where two documents differ, at most `limit` of them. */
function differences(a, b, limit = 10, pointer = '') {
  if (a === b) return [];
  const bothObjects = a && b && typeof a === 'object' && typeof b === 'object';
  if (!bothObjects || Array.isArray(a) !== Array.isArray(b)) return [pointer || '/'];
  const found = [];
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const escaped = key.replace(/~/g, '~0').replace(/\//g, '~1');
    found.push(...differences(a[key], b[key], limit - found.length, `${pointer}/${escaped}`));
    if (found.length >= limit) break;
  }
  return found;
}

/** Where the committed document is stale against the served one (empty: in step). */
function staleness(served, committed) {
  return differences(comparable(served), comparable(committed));
}

module.exports = { comparable, serializeDocument, staleness };
