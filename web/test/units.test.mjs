// The app's pure modules, in Node: the status line's words, routes, token claims, close messages and the
// cluster model. (The browser tests cover the same behaviour end to end; these pin the edge cases.)

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { describeStatus } from '../src/status.js'
import { docHash, isValidDocId, newDocId, parseRoute, shareLink } from '../src/routes.js'
import { accessTo, msUntilExpiry, readClaims } from '../src/token.js'
import { closeMessage, isPermanent } from '../src/closecodes.js'
import { clusterModel, formatLag } from '../src/cluster-model.js'

const base = { connection: 'connected', online: true, synced: true, everSynced: true, pending: 0, saved: true, region: '', node: '', readOnly: false }

test('the save state is "Saved" only when nothing is pending on a synced connection', () => {
  const cases = [
    [{}, 'saved', 'Saved'],
    [{ pending: 2 }, 'saving', 'Saving…'],
    [{ pending: 2, saved: false }, 'saving', 'Saving…'],
    [{ saved: false }, 'saving', 'Saving…'],
    [{ synced: false, everSynced: false }, 'loading', 'Loading…'],
    [{ connection: 'disconnected', pending: 1 }, 'offline', 'Offline: 1 unsaved change'],
    [{ online: false, pending: 3 }, 'offline', 'Offline: 3 unsaved changes'],
    [{ online: false }, 'offline', 'Offline: all changes saved'],
    [{ connection: 'connecting', synced: false, everSynced: false }, 'loading', 'Loading…'],
    [{ connection: 'disconnected', synced: false, everSynced: false }, 'offline', 'Offline'],
    [{ connection: 'connecting', synced: false, pending: 1 }, 'offline', 'Offline: 1 unsaved change'],
    [{ readOnly: true }, 'readonly', 'Read only'],
    [{ connection: 'refused', pending: 2 }, 'refused', 'Not saved: 2 unsaved changes'],
    [{ connection: 'refused' }, 'refused', 'Not connected']
  ]
  for (const [change, state, text] of cases) {
    assert.deepEqual(describeStatus({ ...base, ...change }).save, { state, text }, JSON.stringify(change))
  }
})

test('the connection and location parts of the status line', () => {
  assert.deepEqual(describeStatus(base).connection, { text: 'Connected', state: 'connected' })
  assert.equal(describeStatus({ ...base, synced: false }).connection.text, 'Syncing…')
  assert.equal(describeStatus({ ...base, online: false }).connection.state, 'offline')
  assert.equal(describeStatus({ ...base, connection: 'refused' }).connection.state, 'refused')
  assert.equal(describeStatus({ ...base, connection: 'disconnected' }).connection.text, 'Reconnecting…')
  assert.equal(describeStatus({ ...base, region: 'eu', node: 'n1' }).location.text, 'region eu · node n1')
  assert.equal(describeStatus(base).location.text, '')
})

test('routes name the open document', () => {
  assert.deepEqual(parseRoute(''), { view: 'docs' })
  assert.deepEqual(parseRoute('#/'), { view: 'docs' })
  assert.deepEqual(parseRoute('#/cluster'), { view: 'cluster' })
  assert.deepEqual(parseRoute('#/d/team/notes'), { view: 'doc', docId: 'team/notes' })
  assert.deepEqual(parseRoute('#/d/bad id'), { view: 'missing', docId: 'bad id' })
  assert.deepEqual(parseRoute('#/d/'), { view: 'missing', docId: '' })
  assert.deepEqual(parseRoute('#/nowhere'), { view: 'missing' })
  assert.equal(docHash('a/b'), '#/d/a/b')
  assert.equal(shareLink('a/b', { origin: 'https://m.example', pathname: '/' }), 'https://m.example/#/d/a/b')
  assert.ok(isValidDocId('A-z_0.9~:/x') && !isValidDocId('') && !isValidDocId('a b') && !isValidDocId('x'.repeat(513)))
  assert.match(newDocId(new Date('2025-01-02T03:04:05Z')), /^note-2025-01-02-[a-z0-9]{5}$/)
})

function jwt (claims) {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url')
  return `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims)}.sig`
}

test('token claims shape the interface the way the server grants access', () => {
  const claims = readClaims(jwt({ sub: 'ana', exp: 2000, docs: [{ pattern: 'team/*', perm: 'read' }, { pattern: 'team/mine', perm: 'write' }, { pattern: 'wiki', perm: 'read', presence: true }] }))
  assert.equal(claims.sub, 'ana')
  assert.deepEqual(accessTo(claims, 'team/plan'), { read: true, write: false, presence: false })
  assert.deepEqual(accessTo(claims, 'team/mine'), { read: true, write: true, presence: true })
  assert.deepEqual(accessTo(claims, 'wiki'), { read: true, write: false, presence: true })
  assert.deepEqual(accessTo(claims, 'wikipedia'), { read: false, write: false, presence: false })
  assert.deepEqual(accessTo(null, 'anything'), { read: true, write: true, presence: true }, 'no token: a --dev server')
  assert.equal(msUntilExpiry(claims, 1_000_000), 1_000_000)
  assert.equal(msUntilExpiry({}, 0), Infinity)
  for (const bad of ['', 'abc', 'a.b.c', 'a.bnVsbA.c', `a.${Buffer.from('"str"').toString('base64url')}.c`]) {
    assert.equal(readClaims(bad), null, bad)
  }
})

test('close codes become sentences, and 44xx stop the editor', () => {
  assert.ok(isPermanent(4401) && isPermanent(4403) && !isPermanent(4500) && !isPermanent(1001))
  assert.match(closeMessage(4401, 'token expired'), /expired/)
  assert.match(closeMessage(4401, 'invalid signature'), /refused/)
  assert.match(closeMessage(4410, ''), /deleted/)
  assert.equal(closeMessage(4999, 'strange'), 'The server closed the connection: strange')
  assert.equal(closeMessage(4999, ''), 'The server closed the connection (code 4999).')
})

test('the cluster model flags a cut-off or lagging region', () => {
  const model = clusterModel({
    regions: ['eu', 'us', 'ap'],
    members: [
      { node: 'eu-1', region: 'eu', ready: true, self: true, replicationLagSeconds: 0.2, peers: [{ id: 'us-1', live: false, queueDepth: 12 }] },
      { node: 'eu-2', region: 'eu', ready: true, lagSeconds: 7 },
      { node: 'us-1', region: 'us', ready: true, status: 'failed' },
      { node: 'us-2', region: 'us', ready: false, live: false },
      { node: 'ap-1', region: 'ap', ready: true, stats: { repairsApplied: 4 } }
    ]
  })
  const byName = Object.fromEntries(model.regions.map((r) => [r.name, r]))
  assert.equal(byName.eu.health, 'degraded')
  assert.match(byName.eu.summary, /7\.0? s behind|7 s behind/)
  assert.equal(byName.us.health, 'cut-off')
  assert.equal(byName.us.summary, 'no node reachable')
  assert.equal(byName.ap.health, 'healthy')
  assert.equal(byName.ap.nodes[0].repairs, 4)
  assert.deepEqual(byName.eu.nodes[0].peers, [{ id: 'us-1', live: false, synced: undefined, queueDepth: 12, lagSeconds: null }])
  assert.equal(model.nodeCount, 5)
  assert.equal(model.readyCount, 3)
  assert.equal(clusterModel({ members: [{ node: 'x', region: 'r', ready: true, replicationLagSeconds: 90 }] }).regions[0].health, 'cut-off')
  assert.deepEqual(clusterModel(null), { regions: [], nodeCount: 0, readyCount: 0 })
  assert.equal(formatLag(0.25), '0.3 s')
  assert.equal(formatLag(42), '42 s')
  assert.equal(formatLag(600), '10 min')
  assert.equal(formatLag(null), '–')
})

test('the cluster model reads the server\'s answer: a cut-off region from its members\' liveness and lag', () => {
  // The shape of GET /v1/cluster on eu/n1 while ap is cut off (server/cluster_status.go).
  const answer = {
    node: 'eu/n1', region: 'eu', ready: true, regions: ['ap', 'eu', 'us'],
    members: [
      { node: 'eu/n1', region: 'eu', self: true, ready: true, live: true, lag_ms: 0, repairs_applied: 3 },
      { node: 'us/n1', region: 'us', ready: true, live: true, lag_ms: 0, repairs_applied: 0 },
      { node: 'ap/n1', region: 'ap', ready: true, live: false, lag_ms: 75000, repairs_applied: 0 }
    ],
    peers: [{ id: 'us/n1', region: 'us', live: true, synced: true, queue_depth: 0, lag_ms: 0 },
      { id: 'ap/n1', region: 'ap', live: false, synced: false, queue_depth: 40, lag_ms: 75000 }]
  }
  const byName = Object.fromEntries(clusterModel(answer).regions.map((r) => [r.name, r]))
  assert.equal(byName.eu.health, 'healthy')
  assert.equal(byName.us.health, 'healthy')
  assert.equal(byName.ap.health, 'cut-off')
  assert.equal(byName.ap.summary, 'no node reachable')
  assert.equal(byName.eu.nodes[0].repairs, 3)
  assert.deepEqual(byName.eu.nodes[0].peers[1], { id: 'ap/n1', live: false, synced: false, queueDepth: 40, lagSeconds: 75 })
  // Reachable again but still catching up: degraded, with how far behind.
  answer.members[2] = { ...answer.members[2], live: true, lag_ms: 8000 }
  const healing = Object.fromEntries(clusterModel(answer).regions.map((r) => [r.name, r]))
  assert.equal(healing.ap.health, 'degraded')
  assert.match(healing.ap.summary, /8\.0? s behind|8 s behind/)
})
