// A reader (a read-only token) sees a writer's edits live but cannot change the text; refused and expired
// tokens are explained to the user.

import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { editorText, launchChromium, openDoc, startMeridian, typeAtEnd, waitFor } from './harness.mjs'

let server, browser

before(async () => {
  server = await startMeridian()
  browser = await launchChromium()
})

after(async () => {
  await browser?.close()
  await server?.stop()
})

test('a reader sees edits live but cannot type', async () => {
  const docId = 'handbook'
  const writerToken = await server.token({ doc: docId, perm: 'write', sub: 'writer' })
  const readerToken = await server.token({ doc: docId, perm: 'read', sub: 'reader' })
  const writerCtx = await browser.newContext()
  const readerCtx = await browser.newContext()
  const writer = await openDoc(writerCtx, server, docId, { token: writerToken })
  await typeAtEnd(writer, 'First rule. ')
  const reader = await openDoc(readerCtx, server, docId, { token: readerToken })

  await waitFor(async () => (await editorText(reader)) === 'First rule. ', 10000, () => 'reader never loaded the text')
  assert.equal(await reader.textContent('#readonly-badge'), 'Read only')
  assert.equal(await reader.getAttribute('.cm-content', 'aria-readonly'), 'true')
  assert.equal(await reader.$eval('#save-state', (el) => el.dataset.state), 'readonly')

  // Live: the writer keeps typing and the reader sees it without reloading.
  await typeAtEnd(writer, 'Second rule.')
  await waitFor(async () => (await editorText(reader)) === 'First rule. Second rule.', 10000,
    () => 'reader did not see the edit live')

  // The reader's keystrokes change nothing, locally or on the server, and the connection stays up.
  await typeAtEnd(reader, 'VANDALISM')
  await reader.keyboard.press('Backspace')
  await new Promise((resolve) => setTimeout(resolve, 500))
  assert.equal(await editorText(reader), 'First rule. Second rule.')
  assert.equal(await server.docText(docId), 'First rule. Second rule.')
  assert.equal(await reader.$eval('#connection', (el) => el.dataset.state), 'connected')
  await waitFor(async () => (await editorText(writer)) === 'First rule. Second rule.')

  // The token left the address bar (and so the history and any copied share link).
  assert.ok(!reader.url().includes('token'), reader.url())
  assert.ok(!(await reader.inputValue('#share-link')).includes('token'))

  await writerCtx.close()
  await readerCtx.close()
})

test('a refused token is explained and editing stops', async () => {
  const ctx = await browser.newContext()
  const page = await ctx.newPage()
  const forged = (await server.token({ doc: 'secret', perm: 'write' })).slice(0, -4) + 'AAAA'
  await page.goto(`${server.url}/?token=${forged}#/d/secret`)
  await page.waitForSelector('#doc-banner:not([hidden])')
  assert.match(await page.textContent('#doc-banner'), /access token was refused/)
  assert.equal(await page.$eval('#connection', (el) => el.dataset.state), 'refused')
  await ctx.close()
})

test('a token for another document says so before connecting', async () => {
  const ctx = await browser.newContext()
  const page = await ctx.newPage()
  const token = await server.token({ doc: 'team/*', perm: 'write' })
  await page.goto(`${server.url}/?token=${token}#/d/elsewhere`)
  assert.match(await page.textContent('main [role="alert"]'), /does not include this document/)
  await page.goto(`${server.url}/#/d/team/plan`)
  await page.waitForSelector('#connection[data-state="connected"]')
  await ctx.close()
})

test('an expired token is explained', async () => {
  const ctx = await browser.newContext()
  const page = await ctx.newPage()
  const token = await server.token({ doc: 'old', perm: 'write', ttl: '1s' })
  await new Promise((resolve) => setTimeout(resolve, 2100))
  await page.goto(`${server.url}/?token=${token}#/d/old`)
  await page.waitForSelector('#doc-banner:not([hidden])')
  assert.match(await page.textContent('#doc-banner'), /expired/)
  await ctx.close()
})
