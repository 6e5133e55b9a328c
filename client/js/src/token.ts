/** A token, or a function fetching one (called before every connection and before the current one expires). */
export type TokenOption = string | (() => string | Promise<string>)

const decodeBase64Url = (s: string): string => {
  const b64 = s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - s.length % 4) % 4)
  return atob(b64)
}

/**
 * The exp claim of a JWT in milliseconds, read without verification (only the server verifies): it only
 * schedules the refresh. Undefined for a token that is not a JWT or has no exp.
 */
export const tokenExpiry = (token: string): number | undefined => {
  const parts = token.split('.')
  if (parts.length !== 3) return undefined
  try {
    const claims = JSON.parse(decodeBase64Url(parts[1]))
    return typeof claims.exp === 'number' ? claims.exp * 1000 : undefined
  } catch {
    return undefined
  }
}

/** Milliseconds until a refresh: `lead` before expiry, or half the remaining lifetime when that is shorter. */
export const refreshDelay = (now: number, exp: number, lead: number): number => {
  const left = exp - now
  return Math.max(0, left - Math.min(lead, left / 2))
}

/** Capped exponential backoff with jitter: attempt n waits uniformly in [min/2, min·2ⁿ⁻¹], at most max. */
export const backoffDelay = (attempt: number, min: number, max: number, random: () => number = Math.random): number => {
  const ceiling = Math.min(max, min * 2 ** Math.max(0, attempt - 1))
  const floor = Math.min(min / 2, ceiling)
  return floor + random() * (ceiling - floor)
}
