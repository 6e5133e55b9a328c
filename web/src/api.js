// Errors from the HTTP API (JSON `{"error": "..."}` bodies) as exceptions that carry the status.

/** Builds an Error from a failed response: its message is the server's explanation when it gave one. */
export async function apiError (res, what) {
  let detail = ''
  try {
    detail = (await res.json()).error ?? ''
  } catch {
    // not JSON: the status line will do
  }
  const err = new Error(`Could not ${what}: ${detail || `${res.status} ${res.statusText}`}`)
  err.status = res.status
  return err
}
