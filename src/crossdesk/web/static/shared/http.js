// fetch wrapper: JSON in and out, and problem+json failures turned into ApiError so callers
// can show the server's own explanation.

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `Request failed (${status})`);
    this.status = status;
    this.problem = problem;
  }
}

/**
 * @param {string} url
 * @param {object} [options]
 * @param {string} [options.method]
 * @param {object|FormData} [options.body]  objects are sent as JSON
 * @param {object} [options.headers]
 * @param {RequestCredentials} [options.credentials]
 * @param {"json" | "blob"} [options.as]
 */
export async function request(url, { method = 'GET', body, headers = {}, credentials = 'same-origin', as = 'json' } = {}) {
  const init = { method, headers: { Accept: 'application/json', ...headers }, credentials };
  if (body instanceof FormData) init.body = body; // the browser sets the multipart boundary
  else if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers['Content-Type'] = 'application/json';
  }
  let response;
  try {
    response = await fetch(url, init);
  } catch {
    throw new ApiError(0, { detail: 'Network error: check your connection and try again.' });
  }
  if (!response.ok) {
    let problem = null;
    try {
      problem = await response.json();
    } catch { /* not JSON */ }
    throw new ApiError(response.status, problem);
  }
  if (response.status === 204) return null;
  return as === 'blob' ? response.blob() : response.json();
}

export const ACCEPTED_IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'];
export const MAX_UPLOAD_BYTES = 5 * 1024 * 1024;

/** Client-side precheck mirroring the server's rules, for an immediate, friendly error. */
export function uploadProblem(file) {
  if (!ACCEPTED_IMAGE_TYPES.includes(file.type)) return 'Only PNG, JPEG, GIF or WebP images can be sent.';
  if (file.size > MAX_UPLOAD_BYTES) return 'Images can be at most 5 MB.';
  return null;
}
