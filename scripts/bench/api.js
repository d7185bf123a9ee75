// The few HTTP calls the bench makes itself (setup, not measurement).

const PASSWORD = 'bench-password-123';

async function call(base, method, path, { body, token } = {}) {
  const res = await fetch(base + path, {
    method,
    headers: {
      ...(body !== undefined && { 'content-type': 'application/json' }),
      ...(token && { authorization: `Bearer ${token}` }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) {
    const error = new Error(`${method} ${path}: ${res.status} ${text.slice(0, 200)}`);
    error.status = res.status;
    throw error;
  }
  return text ? JSON.parse(text) : null;
}

const register = (base, email) =>
  call(base, 'POST', '/api/auth/register', { body: { email, password: PASSWORD } });

const login = (base, email) =>
  call(base, 'POST', '/api/auth/login', { body: { email, password: PASSWORD } });

/**
 * `count` logins (each starts a session), `parallel` at a time so the bcrypt queue never
 * overflows; a 503 (queue full) is retried after a pause. Returns the token pairs.
 */
async function loginMany(base, email, count, parallel) {
  const pairs = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      for (let attempt = 0; ; attempt++) {
        try {
          pairs.push(await login(base, email));
          break;
        } catch (error) {
          if (error.status !== 503 || attempt === 20) throw error;
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, count) }, worker));
  return pairs;
}

/** Short articles: the public GET /api/articles/:id answers about as many bytes as /users/me. */
async function createArticles(base, token, count) {
  const articles = [];
  for (let i = 0; i < count; i++) {
    const body = { title: `Bench article ${i}`, body: 'Lorem ipsum dolor sit amet. '.repeat(4) };
    articles.push(await call(base, 'POST', '/api/articles', { body, token }));
  }
  return articles;
}

module.exports = { PASSWORD, call, register, login, loginMany, createArticles };
