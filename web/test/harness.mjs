// Test harness: a real `meridian serve` (built from this checkout, release build so it serves the embedded
// editor) on a random port with a temporary data directory, and Debian's Chromium driven by playwright-core.

import { spawn, execFile } from 'node:child_process'
import { mkdtemp, rm, mkdir, writeFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { chromium } from 'playwright-core'
import { build } from '../build.mjs'

const run = promisify(execFile)
export const webDir = join(dirname(fileURLToPath(import.meta.url)), '..')
export const artifactsDir = join(webDir, 'test-artifacts')
export const secret = 'meridian-web-test-secret-0123456789abcdef'

/** The repository root: the nearest directory above web/ holding go.mod. */
export function repoRoot () {
  let dir = webDir
  while (!existsSync(join(dir, 'go.mod'))) {
    const up = dirname(dir)
    if (up === dir) throw new Error('go.mod not found above web/')
    dir = up
  }
  return dir
}

/**
 * Bundles the editor, builds a release binary (which embeds it), and starts `meridian serve --dev` with a JWT
 * secret too, so anonymous users may write while minted tokens (read-only ones) are honoured.
 */
export async function startMeridian ({ region = 'test-region', node = 'test-node' } = {}) {
  await build()
  const tmp = await mkdtemp(join(tmpdir(), 'meridian-web-test-'))
  const root = repoRoot()
  // MERIDIAN_BIN runs a binary built beforehand; note a release binary serves the bundle it embedded then.
  // Otherwise build one now, which embeds the bundle just built.
  const bin = process.env.MERIDIAN_BIN || join(tmp, 'meridian')
  if (!process.env.MERIDIAN_BIN) {
    await run('go', ['build', '-tags', 'release', '-o', bin, './cmd/meridian'], {
      cwd: root, env: { ...process.env, PATH: `/usr/local/go/bin:${process.env.PATH}` }, maxBuffer: 1 << 24
    }).catch(async (err) => {
      await rm(tmp, { recursive: true, force: true })
      throw new Error(`go build -tags release ./cmd/meridian failed:\n${err.stderr || err.message}`)
    })
  }
  const port = await freePort()
  const proc = spawn(bin, ['serve', '--dev', '--listen', `127.0.0.1:${port}`, '--data', join(tmp, 'data'),
    '--region', region, '--node', node], {
    cwd: root, // a non-release binary reads web/dist from here; a release binary serves its embedded copy
    env: { ...process.env, MERIDIAN_JWT_SECRET: secret },
    stdio: ['ignore', 'ignore', 'pipe']
  })
  let log = ''
  proc.stderr.on('data', (chunk) => { log = (log + chunk).slice(-20000) })
  const url = `http://127.0.0.1:${port}`
  let exited = false
  proc.once('exit', () => { exited = true })
  const stop = async () => {
    proc.kill('SIGCONT')
    proc.kill('SIGTERM')
    await new Promise((resolve) => exited ? resolve() : proc.once('exit', resolve))
    await rm(tmp, { recursive: true, force: true })
  }
  try {
    await waitFor(async () => {
      if (exited) throw new Error(`meridian exited:\n${log}`)
      return (await fetch(`${url}/readyz`)).ok
    }, 20000, () => `meridian did not become ready:\n${log}`, { rethrow: () => exited })
    await expectServesEditor(url)
  } catch (err) {
    await stop() // a failed start must not leave a server (and this test process) running
    throw err
  }
  return {
    url,
    log: () => log,
    token: (args) => mintToken(bin, args),
    pause: () => proc.kill('SIGSTOP'),
    resume: () => proc.kill('SIGCONT'),
    async docText (docId, name = 'text') {
      const res = await fetch(`${url}/v1/docs/${docId}`)
      if (!res.ok) throw new Error(`GET /v1/docs/${docId}: ${res.status}`)
      return (await res.json())[name] ?? ''
    },
    stop
  }
}

async function expectServesEditor (url) {
  const res = await fetch(`${url}/`)
  const html = await res.text()
  if (!res.ok || !html.includes('app.js')) {
    throw new Error(`meridian serve does not serve the editor at / (GET / = ${res.status}). ` +
      'Mount web.Handler() at "/" (see web/doc.go).')
  }
}

async function mintToken (bin, { doc, perm = 'write', presence = false, ttl = '1h', sub = '' }) {
  const args = ['token', '--doc', doc, '--perm', perm, '--ttl', ttl]
  if (presence) args.push('--presence')
  if (sub) args.push('--sub', sub)
  const { stdout } = await run(bin, args, { env: { ...process.env, MERIDIAN_JWT_SECRET: secret } })
  return stdout.trim()
}

function freePort () {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.unref()
    srv.on('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address()
      srv.close(() => resolve(port))
    })
  })
}

/** Polls check() until it returns truthy; fails with describe() after timeoutMs. */
export async function waitFor (check, timeoutMs = 10000, describe = () => 'condition not met', { rethrow = () => false } = {}) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      const value = await check()
      if (value) return value
    } catch (err) {
      if (rethrow()) throw err // a failure that waiting cannot fix
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${describe()}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** Debian's Chromium, headless, with nothing talking to the network but the page; `args` adds flags. */
export function launchChromium ({ args = [] } = {}) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', ...args]
  })
}

/** Opens the editor on docId in a fresh page of context; resolves once the document is loaded. */
export async function openDoc (context, server, docId, { token = '', name = '' } = {}) {
  const page = await context.newPage()
  page.on('pageerror', (err) => console.error(`page error: ${err.message}`))
  const query = token ? `?token=${encodeURIComponent(token)}` : ''
  await page.goto(`${server.url}/${query}#/d/${docId}`)
  if (name) {
    await page.fill('#user-name', name)
    await page.dispatchEvent('#user-name', 'change')
  }
  await page.waitForSelector('#connection[data-state="connected"]')
  return page
}

/** The editor's text as the user sees it (remote cursor labels left out). */
export function editorText (page) {
  return page.evaluate(() => [...document.querySelectorAll('.cm-content .cm-line')].map((line) => {
    const copy = line.cloneNode(true)
    for (const widget of copy.querySelectorAll('.cm-ySelectionCaret, .cm-widgetBuffer')) widget.remove()
    return copy.textContent
  }).join('\n'))
}

/** Types text at the end of the document, like a person would (one key at a time). */
export async function typeAtEnd (page, text, delay = 15) {
  await page.click('.cm-content')
  await page.keyboard.press('Control+End')
  await page.keyboard.type(text, { delay })
}

/** The status line's save part: { state, text }. */
export function saveState (page) {
  return page.$eval('#save-state', (el) => ({ state: el.dataset.state, text: el.textContent }))
}

/** Writes a PNG under web/test-artifacts/ and returns its path. */
export async function saveArtifact (name, png) {
  await mkdir(artifactsDir, { recursive: true })
  const path = join(artifactsDir, name)
  await writeFile(path, png)
  return path
}

/** Checks that every character of part appears in whole, in order (concurrent typing may interleave runs). */
export function isSubsequence (part, whole) {
  let i = 0
  for (const ch of whole) if (i < part.length && ch === part[i]) i++
  return i === part.length
}
