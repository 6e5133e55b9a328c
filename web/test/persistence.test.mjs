// Offline edits survive a reload: text typed while offline is kept in IndexedDB (y-indexeddb through the SDK's
// `persistence` option). The page is closed, the server is down, the page is opened again: it shows the text and
// counts it as unsaved; when the server is back, the text reaches it and the editor says "Saved".
//
// "Down" is a paused server (SIGSTOP): its socket still accepts connections but nothing answers, as with a
// server that hangs or a network that drops packets. The reopened page's own files come from web/dist through
// Playwright's request routing, the way a cache or service worker would serve them.

import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { distDir } from '../build.mjs'
import { editorText, launchChromium, openDoc, saveState, startMeridian, typeAtEnd, waitFor } from './harness.mjs'

let server, browser

before(async () => {
  server = await startMeridian()
  // A page whose files Playwright served has no address space of its own, and Chromium's local network access
  // checks would then forbid its socket to 127.0.0.1; a page served by the server itself is not affected.
  browser = await launchChromium({ args: ['--disable-features=LocalNetworkAccessChecks'] })
})

after(async () => {
  server?.resume()
  await browser?.close()
  await server?.stop()
})

const staticFiles = [['/', 'index.html', 'text/html'], ['/app.js', 'app.js', 'text/javascript'], ['/app.css', 'app.css', 'text/css']]

/** Serves the editor's own files from web/dist (the server cannot: it is paused). */
async function serveEditorFromDisk (ctx, server) {
  for (const [path, file, contentType] of staticFiles) {
    await ctx.route(`${server.url}${path}`, async (route) =>
      route.fulfill({ status: 200, contentType, body: await readFile(join(distDir, file)) }))
  }
}

/** How many pending updates the page's IndexedDB holds for docId (null before any were written). */
function storedPending (page, docId) {
  return page.evaluate(async (docId) => {
    const names = (await indexedDB.databases()).map((db) => db.name).filter((n) => n.endsWith(`:${docId}`))
    if (names.length !== 1) return null
    const db = await new Promise((resolve, reject) => {
      const req = indexedDB.open(names[0])
      req.onsuccess = () => resolve(req.result)
      req.onerror = () => reject(req.error)
    })
    try {
      const value = await new Promise((resolve, reject) => {
        const req = db.transaction('custom').objectStore('custom').get('meridian-pending')
        req.onsuccess = () => resolve(req.result)
        req.onerror = () => reject(req.error)
      })
      return Array.isArray(value) ? value.length : null
    } finally {
      db.close()
    }
  }, docId)
}

test('text typed offline survives closing the page and reaches the server after reopening it', async () => {
  const docId = 'offline/reload'
  const ctx = await browser.newContext()
  const page = await openDoc(ctx, server, docId)
  await typeAtEnd(page, 'saved before. ')
  await page.waitForSelector('#save-state[data-state="saved"]')

  await ctx.setOffline(true)
  await page.waitForSelector('#connection[data-state="offline"]')
  const offlineText = 'typed offline.'
  await typeAtEnd(page, offlineText)
  await waitFor(async () => /^Offline: \d+ unsaved changes?$/.test((await saveState(page)).text), 5000,
    () => 'the offline status never counted the unsaved changes')
  const { text: unsavedStatus } = await saveState(page)
  // The page may close any time after this: every unsaved update is in IndexedDB.
  const pendingOnPage = Number(unsavedStatus.match(/\d+/)[0])
  await waitFor(async () => (await storedPending(page, docId)) === pendingOnPage, 5000,
    () => 'the pending updates never reached IndexedDB')
  await page.close()
  assert.equal(await server.docText(docId), 'saved before. ', 'the offline text must not have reached the server yet')

  server.pause()
  let reopened
  try {
    await ctx.setOffline(false)
    await serveEditorFromDisk(ctx, server)
    reopened = await ctx.newPage()
    reopened.on('pageerror', (err) => console.error(`page error: ${err.message}`))
    await reopened.goto(`${server.url}/#/d/${docId}`)
    await waitFor(async () => (await editorText(reopened)) === 'saved before. typed offline.', 5000,
      async () => `the reopened editor shows ${JSON.stringify(await editorText(reopened))}`)
    await waitFor(async () => (await saveState(reopened)).text === unsavedStatus, 5000,
      async () => `the reopened editor says ${JSON.stringify(await saveState(reopened))}, not ${unsavedStatus}`)
  } finally {
    server.resume()
  }

  await reopened.waitForSelector('#save-state[data-state="saved"]', { timeout: 20000 }).catch(async (err) => {
    const connection = await reopened.$eval('#connection', (el) => el.textContent)
    throw new Error(`${err.message}\nconnection: ${connection}, save state: ${JSON.stringify(await saveState(reopened))}` +
      `\nserver log:\n${server.log()}`)
  })
  assert.equal(await server.docText(docId), 'saved before. typed offline.')
  assert.equal(await storedPending(reopened, docId), 0)
  await ctx.close()
})
