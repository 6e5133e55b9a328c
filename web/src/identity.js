// Who the user appears as to others: a name and a colour, published in awareness under `user` (the field
// y-codemirror.next reads to label remote cursors). The name is kept in localStorage so it survives reloads;
// the colour follows from the name, so a person keeps their colour across tabs and devices.

const nameKey = 'meridian.name'

// Colours readable as cursor labels with white text, and distinct from one another.
export const palette = ['#c2410c', '#15803d', '#1d4ed8', '#7e22ce', '#be123c', '#0f766e', '#a16207', '#4338ca']

/** The user's identity; `subject` (the token's sub) names a user who has not chosen a name. */
export function loadIdentity (subject) {
  const name = localStorage.getItem(nameKey) || subject || `Guest ${Math.floor(100 + Math.random() * 900)}`
  return identityFor(name)
}

/** { name, color, colorLight } for a name. */
export function identityFor (name) {
  const color = colorFor(name)
  return { name, color, colorLight: `${color}33` }
}

/** Saves a name the user typed and returns the identity to publish (unchanged when the name is blank). */
export function saveName (identity, typed) {
  const name = typed.trim().slice(0, 40)
  if (!name) return identity
  localStorage.setItem(nameKey, name)
  return Object.assign(identity, identityFor(name))
}

function colorFor (name) {
  let hash = 0
  for (const ch of name) hash = (hash * 31 + ch.codePointAt(0)) >>> 0
  return palette[hash % palette.length]
}
