/* global sessionStorage, fetch, URLSearchParams */
// Talking to the APIs: insights on this origin, intake on its own (from /dashboard/config.json).
// The API key lives in sessionStorage only: gone when the browser tab closes, never in a cookie or localStorage.

const KEY = 'smp-vigil.api-key';

export const session = {
  key: () => sessionStorage.getItem(KEY),
  signIn: (key) => sessionStorage.setItem(KEY, key),
  signOut: () => sessionStorage.removeItem(KEY),
};

/** An RFC 9457 problem-details answer (or a network failure) as an error with its fields. */
export class ApiError extends Error {
  constructor(status, problem, fallback) {
    super(problem?.detail ?? problem?.title ?? fallback);
    this.status = status;
    this.problem = problem ?? null;
    this.errors = Array.isArray(problem?.errors) ? problem.errors : [];
  }
}

let config;
export async function dashboardConfig() {
  config ??= fetch('/dashboard/config.json').then((response) => response.json());
  return config;
}

async function request(url, { method = 'GET', body, key = session.key(), headers = {} } = {}) {
  let response;
  try {
    response = await fetch(url, {
      method,
      headers: {
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(key ? { authorization: `Bearer ${key}` } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, null, 'The service could not be reached. Check your connection and try again.');
  }
  const text = await response.text();
  let parsed;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!response.ok) {
    const error = new ApiError(response.status, parsed, `The request failed (HTTP ${response.status}).`);
    error.retryAfter = response.headers.get('retry-after');
    throw error;
  }
  return parsed;
}

function query(params) {
  const entries = Object.entries(params).filter(([, value]) => value !== undefined && value !== null && value !== '');
  return entries.length ? `?${new URLSearchParams(entries)}` : '';
}

/** GET from insights (same origin). */
export function insights(path, params = {}, options = {}) {
  return request(`${path}${query(params)}`, options);
}

/**
 * GET every page of a paged insights answer (one with `rows` and `nextCursor`), the largest pages allowed: the
 * first page's answer with the rows of all of them.
 */
export async function insightsAll(path, params = {}, options = {}) {
  const first = await insights(path, { ...params, limit: 1000 }, options);
  const rows = [...(first.rows ?? [])];
  for (let cursor = first.nextCursor; cursor;) {
    const page = await insights(path, { ...params, limit: 1000, cursor }, options);
    rows.push(...(page.rows ?? []));
    cursor = page.nextCursor;
  }
  return { ...first, rows, nextCursor: null };
}

/** POST to intake. */
export async function intake(path, body, options = {}) {
  const { intakeUrl } = await dashboardConfig();
  return request(`${intakeUrl}${path}`, { method: 'POST', body, ...options });
}

export async function whoAmI(key) {
  return request('/v1/me', { key });
}
