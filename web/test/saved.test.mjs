// "Saved" is shown only once the server has acknowledged that it stored the edit. The server process is
// paused (SIGSTOP) so it cannot acknowledge: the editor must say "Saving…" for as long as that lasts, and
// "Saved" only after the server runs again (SIGCONT) and its acknowledgement arrives.

import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { launchChromium, openDoc, saveState, startMeridian, typeAtEnd, waitFor } from './harness.mjs'

let server, browser

before(async () => {
  server = await startMeridian({ region: 'eu-test', node: 'eu-test-1' })
  browser = await launchChromium()
})

after(async () => {
  server?.resume()
  await browser?.close()
  await server?.stop()
})

test('saved shows only after the server acknowledged the edit', async () => {
  const ctx = await browser.newContext()
  const page = await openDoc(ctx, server, 'durable')
  await page.waitForSelector('#save-state[data-state="saved"]')
  // The hello extension names where the document lives.
  assert.equal(await page.textContent('#location'), 'region eu-test · node eu-test-1')

  server.pause()
  try {
    await typeAtEnd(page, 'held')
    await page.waitForSelector('#save-state[data-state="saving"]')
    // Long enough for any premature "saved" to show; the server is stopped, so none may.
    for (let i = 0; i < 10; i++) {
      await new Promise((resolve) => setTimeout(resolve, 150))
      assert.deepEqual(await saveState(page), { state: 'saving', text: 'Saving…' })
    }
  } finally {
    server.resume()
  }
  await page.waitForSelector('#save-state[data-state="saved"]', { timeout: 10000 })
  assert.equal(await server.docText('durable'), 'held')
  await ctx.close()
})

test('edits made offline are counted as unsaved, then saved after reconnecting', async () => {
  const ctx = await browser.newContext()
  const page = await openDoc(ctx, server, 'counted')
  await page.waitForSelector('#save-state[data-state="saved"]')
  await ctx.setOffline(true)
  await page.waitForSelector('#connection[data-state="offline"]')
  await typeAtEnd(page, 'abc')
  await waitFor(async () => /^Offline: \d+ unsaved changes?$/.test((await saveState(page)).text), 5000,
    () => 'the offline status never counted the unsaved changes')
  await ctx.setOffline(false)
  await page.waitForSelector('#save-state[data-state="saved"]', { timeout: 10000 })
  assert.equal(await server.docText('counted'), 'abc')
  await ctx.close()
})
