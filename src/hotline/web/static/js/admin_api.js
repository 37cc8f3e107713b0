// The administration pages' one way of calling the REST API: JSON in and out, a refusal as a
// `Refusal` carrying the server's `detail` (text, or pydantic's list of {loc, msg}), and a
// lapsed session sending the browser to the login page.

export class Refusal extends Error {
  constructor(status, detail) {
    super(typeof detail === "string" ? detail : `${status}`);
    this.status = status;
    this.detail = detail;
  }
}

// A `call(method, url, body)` whose "signed out" refusal reads `signedOut()` (in the page's
// language at the time).
export function caller(signedOut) {
  return async function call(method, url, body) {
    const options = { method, headers: {} };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    const response = await fetch(url, options);
    if (response.status === 401) {
      location.assign(`/login?next=${encodeURIComponent(location.pathname)}`);
      throw new Refusal(401, signedOut());
    }
    if (response.status === 204) return null;
    let payload = null;
    try {
      payload = await response.json();
    } catch {
      // not JSON: the status line says enough
    }
    if (!response.ok) {
      throw new Refusal(response.status, payload && payload.detail !== undefined
        ? payload.detail : `${response.status} ${response.statusText}`);
    }
    return payload;
  };
}
