// Test helpers: real `meridian serve` processes and HS256 tokens, without any dependency.
import { spawn, execFileSync } from 'node:child_process'
import { createHmac } from 'node:crypto'
import { mkdtempSync, rmSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import net from 'node:net'

export const secret = 'js-client-test-secret-0123456789abcdef'
const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')

let bin = process.env.MERIDIAN_BIN
/** The meridian binary: MERIDIAN_BIN, or built from this checkout once per test process. */
export const meridianBin = () => {
  if (bin) return bin
  const dir = mkdtempSync(join(tmpdir(), 'meridian-js-test-'))
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }))
  bin = join(dir, 'meridian')
  const go = existsSync('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : 'go'
  execFileSync(go, ['build', '-o', bin, './cmd/meridian'], { cwd: repoRoot, stdio: 'inherit' })
  return bin
}

export const freePort = () => new Promise((resolve, reject) => {
  const srv = net.createServer()
  srv.listen(0, '127.0.0.1', () => {
    const { port } = srv.address()
    srv.close(() => resolve(port))
  })
  srv.on('error', reject)
})

/** Starts `meridian serve` on a free port with a temporary data directory; restart keeps both. */
export const startServer = async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'meridian-js-data-'))
  const port = await freePort()
  const server = {
    dir,
    port,
    url: `ws://127.0.0.1:${port}/ws`,
    logs: '',
    proc: null,
    async start () {
      this.proc = spawn(meridianBin(), ['serve', '--listen', `127.0.0.1:${port}`, '--data', dir,
        '--region', 'js-region', '--node', 'js-node', '--jwt-leeway', '0s'],
      { env: { ...process.env, MERIDIAN_JWT_SECRET: secret }, stdio: ['ignore', 'pipe', 'pipe'] })
      this.proc.stdout.on('data', d => { this.logs += d })
      this.proc.stderr.on('data', d => { this.logs += d })
      const deadline = Date.now() + 20000
      while (Date.now() < deadline) {
        try {
          const res = await fetch(`http://127.0.0.1:${port}/readyz`)
          if (res.ok) return
        } catch {}
        await sleep(50)
      }
      throw new Error('meridian serve did not start:\n' + this.logs)
    },
    async signal (sig) {
      const proc = this.proc
      if (proc === null || proc.exitCode !== null) return
      this.proc = null
      const exited = new Promise(resolve => proc.once('exit', resolve))
      proc.kill(sig)
      await exited
    },
    stop () { return this.signal('SIGTERM') },
    crash () { return this.signal('SIGKILL') },
    restart () { return this.start() }
  }
  await server.start()
  t.after(async () => {
    await server.stop()
    rmSync(dir, { recursive: true, force: true })
  })
  return server
}

const b64url = (s) => Buffer.from(s).toString('base64url')

/** An HS256 token granting docs with perm ('read' or 'write') for ttl seconds. */
export const mintToken = (perm, ttlSeconds, ...docs) => {
  const now = Math.floor(Date.now() / 1000)
  const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))
  const claims = b64url(JSON.stringify({
    sub: 'js-test', iat: now, nbf: now - 1, exp: now + ttlSeconds,
    docs: docs.map(pattern => ({ pattern, perm }))
  }))
  const sig = createHmac('sha256', secret).update(`${header}.${claims}`).digest('base64url')
  return `${header}.${claims}.${sig}`
}

export const sleep = (ms) => new Promise(resolve => setTimeout(resolve, ms))

/** Polls cond until it holds; fails after timeout ms with what. */
export const waitFor = async (what, cond, timeout = 20000) => {
  const deadline = Date.now() + timeout
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error('timed out waiting for ' + what)
    await sleep(20)
  }
}

/** Runs `meridian <args>` (the Go SDK's tools) and returns its stdout. */
export const meridian = (args, env = {}, input = '') =>
  execFileSync(meridianBin(), args, { env: { ...process.env, ...env }, encoding: 'utf8', input })
