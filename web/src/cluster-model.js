// Turns a GET /v1/cluster answer into regions of nodes with a health verdict, so the cluster page can show a
// cut-off region at a glance. A pure function, tested in Node.
//
// The server answers in one shape on a lone node and in a cluster (server/cluster_status.go):
//   {"regions": ["eu", "us"], "members": [{"node","region","self","ready","live","lag_ms","repairs_applied"}],
//    "peers": [{"id","live","synced","queue_depth","lag_ms"}]}
// where members are the answering node (self) and every peer it knows, and peers are the answering node's links
// (shown under its own row). Older field spellings (lagSeconds,
// replicationLagSeconds, queueDepth, a serf `status`) are still read.

/** Lag beyond which a region is shown as lagging, and beyond which it is shown as cut off. */
export const lagWarnSeconds = 5
export const lagCutOffSeconds = 60

const downStatuses = new Set(['failed', 'left', 'leaving', 'dead', 'down'])

/** @returns {{regions: Array<{name, health, summary, nodes}>, nodeCount: number, readyCount: number}} */
export function clusterModel (answer) {
  const links = Array.isArray(answer?.peers) ? answer.peers : []
  const members = Array.isArray(answer?.members)
    ? answer.members.map(m => normalizeMember(m.self && !Array.isArray(m.peers) ? { ...m, peers: links } : m))
    : []
  const names = new Set([...(Array.isArray(answer?.regions) ? answer.regions.map(String) : []), ...members.map(m => m.region)])
  const regions = [...names].sort().map(name => regionModel(name, members.filter(m => m.region === name)))
  return { regions, nodeCount: members.length, readyCount: members.filter(m => m.up && m.ready).length }
}

function normalizeMember (m) {
  const status = String(m.status ?? m.Status ?? '').toLowerCase()
  const live = pick(m, 'live', 'Live')
  return {
    node: String(pick(m, 'node', 'id', 'ID', 'name') ?? '?'),
    region: String(pick(m, 'region', 'Region') ?? 'unknown'),
    self: Boolean(m.self),
    status: status || (live === false ? 'unreachable' : 'alive'),
    up: live !== false && !downStatuses.has(status),
    ready: Boolean(pick(m, 'ready', 'Ready')),
    lagSeconds: lagOf(m),
    repairs: numberOrNull(pick(m, 'repairs_applied', 'repairs') ?? m.stats?.repairsApplied ?? m.stats?.RepairsApplied),
    peers: (Array.isArray(m.peers) ? m.peers : []).map(normalizePeer)
  }
}

function normalizePeer (p) {
  return {
    id: String(pick(p, 'id', 'ID', 'node') ?? '?'),
    live: pick(p, 'live', 'Live') !== false,
    synced: pick(p, 'synced', 'Synced'),
    queueDepth: numberOrNull(pick(p, 'queue_depth', 'queueDepth', 'QueueDepth')),
    lagSeconds: lagOf(p)
  }
}

/** Seconds behind: lag_ms (the server's field) or a seconds field. */
function lagOf (o) {
  const ms = numberOrNull(pick(o, 'lag_ms'))
  if (ms !== null) return ms / 1000
  return numberOrNull(pick(o, 'lagSeconds', 'replicationLagSeconds'))
}

function regionModel (name, nodes) {
  const up = nodes.filter(n => n.up)
  const ready = up.filter(n => n.ready)
  const worstLag = Math.max(0, ...nodes.map(n => n.lagSeconds ?? 0))
  let health = 'healthy'
  let summary = `${ready.length} of ${nodes.length} nodes ready`
  if (nodes.length === 0 || up.length === 0 || worstLag >= lagCutOffSeconds) {
    health = 'cut-off'
    summary = nodes.length === 0 ? 'no nodes seen' : up.length === 0 ? 'no node reachable' : `${summary}, ${formatLag(worstLag)} behind`
  } else if (ready.length < nodes.length || worstLag >= lagWarnSeconds) {
    health = 'degraded'
    if (worstLag >= lagWarnSeconds) summary += `, ${formatLag(worstLag)} behind`
  }
  return { name, health, summary, nodes }
}

/** "0.4 s", "12 s", "3 min". */
export function formatLag (seconds) {
  if (seconds === null || seconds === undefined) return '–'
  if (seconds < 10) return `${Math.round(seconds * 10) / 10} s`
  if (seconds < 120) return `${Math.round(seconds)} s`
  return `${Math.round(seconds / 60)} min`
}

function pick (obj, ...keys) {
  for (const k of keys) if (obj && obj[k] !== undefined) return obj[k]
  return undefined
}

function numberOrNull (v) {
  return typeof v === 'number' && Number.isFinite(v) ? v : null
}
