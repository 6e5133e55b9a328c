// Random content for the editing sessions: strings, JSON-like values, binary and prelim shared types.
// Everything is drawn from the session's seeded PRNG, never Math.random.
import * as prng from 'lib0/prng'
import * as Y from 'yjs'

// Mostly ASCII, with a few multi-byte and astral characters so UTF-16 lengths differ from UTF-8
// and from code points (an astral character is two UTF-16 units and may be split by an edit).
const plainChars = 'abcdefghijklmnop qrstuvwxyz'
const wideChars = ['é', 'ß', '中', '文', '😀', '🎉']

export const randomString = (gen, maxLen = 6) => {
  const len = prng.int32(gen, 1, maxLen)
  let s = ''
  for (let i = 0; i < len; i++) {
    s += prng.int32(gen, 0, 19) === 0 ? prng.oneOf(gen, wideChars) : plainChars[prng.int32(gen, 0, plainChars.length - 1)]
  }
  return s
}

// Numbers that exercise each of lib0's number encodings: varInt (|n| <= 2^31-1, including -0),
// float32-exact values, float64 values, and large integers up to 2^53-1.
const randomNumber = gen => {
  switch (prng.int32(gen, 0, 7)) {
    case 0: return prng.int32(gen, -100, 100)
    case 1: return prng.int53(gen, -(2 ** 31) + 1, 2 ** 31 - 1)
    case 2: return prng.int53(gen, 2 ** 31, Number.MAX_SAFE_INTEGER)
    case 3: return -prng.int53(gen, 2 ** 31, Number.MAX_SAFE_INTEGER)
    case 4: return prng.int32(gen, -1000, 1000) / 4 // float32-exact
    case 5: return prng.real53(gen) * 1e6 - 5e5 // float64
    case 6: return prng.oneOf(gen, [-0, 2 ** 31, -(2 ** 31), 0.1, 1e300, -1.5e-300])
    default: return prng.int32(gen, 0, 9)
  }
}

// Object keys: mostly names, sometimes integer-like ("0", "12"), which JavaScript orders first.
const objectKeys = ['a', 'b', 'name', 'x', 'zeta', 'Ω', '0', '12', '']

const randomObject = (gen, depth) => {
  const obj = {}
  const n = prng.int32(gen, 0, 4)
  for (let i = 0; i < n; i++) obj[prng.oneOf(gen, objectKeys)] = randomJSON(gen, depth + 1)
  return obj
}

// randomJSON returns a value ContentAny can hold (no shared types, no binary).
export const randomJSON = (gen, depth = 0) => {
  const leafOnly = depth >= 2
  switch (prng.int32(gen, 0, leafOnly ? 5 : 7)) {
    case 0: case 1: return randomNumber(gen)
    case 2: case 3: return randomString(gen)
    case 4: return prng.bool(gen)
    case 5: return null
    case 6: return randomObject(gen, depth)
    default: {
      const arr = []
      const n = prng.int32(gen, 0, 3)
      for (let i = 0; i < n; i++) arr.push(randomJSON(gen, depth + 1))
      return arr
    }
  }
}

export const randomBinary = gen => prng.uint8Array(gen, prng.int32(gen, 0, 6))

// randomPrelimType returns a new, not yet integrated shared type with some initial content, so the
// session covers Yjs's prelim integration (content written into the type before it is inserted).
export const randomPrelimType = (gen, depth) => {
  switch (prng.int32(gen, 0, 2)) {
    case 0: return new Y.Text(prng.bool(gen) ? randomString(gen) : undefined)
    case 1: {
      const arr = new Y.Array()
      const n = prng.int32(gen, 0, 2)
      for (let i = 0; i < n; i++) arr.push([randomValue(gen, depth + 1)])
      return arr
    }
    default: {
      const map = new Y.Map()
      const n = prng.int32(gen, 0, 2)
      for (let i = 0; i < n; i++) map.set(prng.oneOf(gen, objectKeys), randomValue(gen, depth + 1))
      return map
    }
  }
}

// randomValue returns anything Y.Array and Y.Map accept: JSON values, binary (as ContentBinary, and
// inside a ContentAny value), nested types, and a bigint inside an object (Y.Array refuses a bare
// bigint; lib0 encodes it with its own tag).
export const randomValue = (gen, depth = 0) => {
  const r = prng.int32(gen, 0, 19)
  if (r < 11) return randomJSON(gen, depth)
  if (r < 13) return randomBinary(gen)
  if (r === 13) return [randomBinary(gen), randomJSON(gen, 2)]
  if (r === 14) return { big: BigInt(prng.int53(gen, -(2 ** 40), 2 ** 40)) }
  if (depth >= 2) return randomJSON(gen, depth)
  return randomPrelimType(gen, depth)
}

// Text formatting attributes: set with a value, or removed with null.
const formatKeys = ['bold', 'italic', 'link']
const formatValue = (gen, key) => {
  if (prng.int32(gen, 0, 3) === 0) return null
  if (key === 'link') return prng.oneOf(gen, ['https://a.example', 'https://b.example/x', { href: 'https://c.example' }])
  return prng.oneOf(gen, [true, true, 1, 'yes'])
}

export const randomFormat = (gen, { allowNull = true } = {}) => {
  const attrs = {}
  const n = prng.int32(gen, 1, 2)
  for (let i = 0; i < n; i++) {
    const key = prng.oneOf(gen, formatKeys)
    const value = formatValue(gen, key)
    if (value !== null || allowNull) attrs[key] = value
  }
  return attrs
}

// XML text formats render as tags in toString, so they use values that render plainly.
export const randomXmlFormat = gen => {
  const attrs = {}
  attrs[prng.oneOf(gen, ['bold', 'italic', 'em'])] = prng.int32(gen, 0, 3) === 0 ? null : true
  return attrs
}

export const randomEmbed = gen => prng.oneOf(gen, [
  { image: 'https://img.example/' + randomString(gen, 3) },
  { formula: 'e=mc^2' },
  { mention: { id: prng.int32(gen, 1, 99) } }
])

export const mapKeys = ['a', 'b', 'c', 'title', 'n', '7']
export const xmlNames = ['p', 'h1', 'div', 'li']
export const xmlAttributeKeys = ['class', 'id', 'data-x']
