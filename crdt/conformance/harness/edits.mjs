// Random local edits on whatever shared types a replica currently holds: the four roots and every
// nested type reachable from them.
import * as prng from 'lib0/prng'
import * as Y from 'yjs'
import {
  mapKeys, randomEmbed, randomFormat, randomString, randomValue, randomXmlFormat,
  xmlAttributeKeys, xmlNames
} from './values.mjs'

// reachableTypes lists the roots and every shared type nested in them (depth-first).
export const reachableTypes = roots => {
  const found = []
  const visit = type => {
    found.push(type)
    for (const child of childTypes(type)) visit(child)
  }
  for (const root of Object.values(roots)) visit(root)
  return found
}

const childTypes = type => {
  if (type instanceof Y.XmlFragment || type instanceof Y.XmlElement) return type.toArray()
  if (type instanceof Y.Array) return type.toArray().filter(v => v instanceof Y.AbstractType)
  if (type instanceof Y.Map) return Array.from(type.values()).filter(v => v instanceof Y.AbstractType)
  return []
}

const randomRangeIn = (gen, length, snap) => {
  const index = snap(prng.int32(gen, 0, length))
  const end = snap(index + prng.int32(gen, 0, Math.min(length - index, 5)))
  return [index, end - index]
}

// textUnits returns the UTF-16 units of a text, with each embed as one placeholder unit.
const textUnits = text => text.toDelta().map(op => typeof op.insert === 'string' ? op.insert : '\ufffc').join('')

// boundarySnapper moves an index that falls inside a surrogate pair to the pair's start. Edits that
// split an astral character make Yjs replicas diverge (each side replaces the halves differently),
// and the sessions promise convergence, so they edit at character boundaries only.
const boundarySnapper = units => i => {
  const isHigh = c => c >= 0xd800 && c <= 0xdbff
  const isLow = c => c >= 0xdc00 && c <= 0xdfff
  return i > 0 && i < units.length && isHigh(units.charCodeAt(i - 1)) && isLow(units.charCodeAt(i)) ? i - 1 : i
}

// Y.Text and Y.XmlText: insert (plain, formatted, embed), delete, format.
const editText = (gen, text) => {
  const xml = text instanceof Y.XmlText
  const length = text.length
  const snap = boundarySnapper(textUnits(text))
  const range = () => randomRangeIn(gen, length, snap)
  const choice = length === 0 ? 0 : prng.int32(gen, 0, 5)
  if (choice <= 1) {
    const index = snap(prng.int32(gen, 0, length))
    const attrs = prng.int32(gen, 0, 3) === 0 ? (xml ? randomXmlFormat(gen) : randomFormat(gen, { allowNull: false })) : undefined
    text.insert(index, randomString(gen), attrs)
  } else if (choice === 2) {
    const [index, len] = range()
    text.delete(index, len)
  } else if (choice === 3 || xml) {
    // Embeds are left out of XmlText: its toString has no rendering for them.
    const [index, len] = range()
    text.format(index, len, xml ? randomXmlFormat(gen) : randomFormat(gen))
  } else if (choice === 4) {
    text.insertEmbed(snap(prng.int32(gen, 0, length)), randomEmbed(gen), prng.bool(gen) ? randomFormat(gen, { allowNull: false }) : undefined)
  } else {
    const [index, len] = range()
    text.delete(index, len)
  }
}

const randomRange = (gen, length) => randomRangeIn(gen, length, i => i)

const editArray = (gen, array) => {
  const length = array.length
  const choice = length === 0 ? 0 : prng.int32(gen, 0, 3)
  if (choice <= 1) {
    const values = []
    const n = prng.int32(gen, 1, 3)
    for (let i = 0; i < n; i++) values.push(randomValue(gen))
    array.insert(prng.int32(gen, 0, length), values)
  } else if (choice === 2) {
    array.push([randomValue(gen)])
  } else {
    const [index, len] = randomRange(gen, length)
    array.delete(index, len)
  }
}

const editMap = (gen, map) => {
  if (map.size > 0 && prng.int32(gen, 0, 3) === 0) {
    map.delete(prng.oneOf(gen, Array.from(map.keys())))
  } else {
    map.set(prng.oneOf(gen, mapKeys), randomValue(gen))
  }
}

const randomXmlNode = gen => {
  if (prng.bool(gen)) {
    const text = new Y.XmlText()
    text.insert(0, randomString(gen))
    return text
  }
  const element = new Y.XmlElement(prng.oneOf(gen, xmlNames))
  if (prng.bool(gen)) element.setAttribute(prng.oneOf(gen, xmlAttributeKeys), randomString(gen, 3))
  if (prng.bool(gen)) element.insert(0, [new Y.XmlText(randomString(gen))])
  return element
}

// Y.XmlFragment and Y.XmlElement: insert or delete children; elements also get attributes.
const editXml = (gen, node) => {
  const length = node.length
  const isElement = node instanceof Y.XmlElement
  const choice = prng.int32(gen, 0, isElement ? 4 : 2)
  if (choice <= 1 || length === 0) {
    node.insert(prng.int32(gen, 0, length), [randomXmlNode(gen)])
  } else if (choice === 2) {
    const [index, len] = randomRange(gen, length)
    node.delete(index, len)
  } else if (choice === 3) {
    node.setAttribute(prng.oneOf(gen, xmlAttributeKeys), randomString(gen, 4))
  } else {
    node.removeAttribute(prng.oneOf(gen, xmlAttributeKeys))
  }
}

// randomEdit performs one edit on a random reachable type of roots.
export const randomEdit = (gen, roots) => {
  const types = reachableTypes(roots)
  // Favour the roots so nested types do not starve them as they multiply.
  const type = prng.bool(gen) ? prng.oneOf(gen, Object.values(roots)) : prng.oneOf(gen, types)
  if (type instanceof Y.Text) editText(gen, type) // also Y.XmlText, a subclass
  else if (type instanceof Y.Array) editArray(gen, type)
  else if (type instanceof Y.Map) editMap(gen, type)
  else if (type instanceof Y.XmlFragment) editXml(gen, type) // also Y.XmlElement
  else throw new Error(`no edit for ${type.constructor.name}`)
}
