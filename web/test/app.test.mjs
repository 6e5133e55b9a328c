// The rest of the app in the browser: the document list, creating a document, the share link, the cluster
// page, and use from the keyboard on a narrow screen.

import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { launchChromium, openDoc, startMeridian, typeAtEnd, waitFor } from './harness.mjs'

let server, browser

before(async () => {
  server = await startMeridian({ region: 'ap-test', node: 'ap-test-7' })
  browser = await launchChromium()
})

after(async () => {
  await browser?.close()
  await server?.stop()
})

test('the document list links to stored documents, and a new document opens in the editor', async () => {
  const ctx = await browser.newContext()
  const first = await openDoc(ctx, server, 'listed/one')
  await typeAtEnd(first, 'hello')
  await first.waitForSelector('#save-state[data-state="saved"]')

  const page = await ctx.newPage()
  await page.goto(`${server.url}/`)
  await page.waitForSelector('.doc-list a >> text=listed/one')
  await page.click('.doc-list a >> text=listed/one')
  await page.waitForURL(/#\/d\/listed\/one$/)
  await waitFor(async () => (await page.textContent('.cm-content')).includes('hello'))

  await page.goto(`${server.url}/#/`)
  await page.fill('#new-doc-input', 'bad id!')
  await page.click('#new-doc-input ~ button')
  assert.equal(await page.getAttribute('#new-doc-input', 'aria-invalid'), 'true')
  await page.fill('#new-doc-input', 'brand/new')
  await page.press('#new-doc-input', 'Enter')
  await page.waitForURL(/#\/d\/brand\/new$/)
  await page.waitForSelector('#connection[data-state="connected"]')
  assert.equal(await page.inputValue('#share-link'), `${server.url}/#/d/brand/new`)
  await ctx.close()
})

test('the cluster page shows the region and node, refreshed live', async () => {
  const ctx = await browser.newContext()
  const page = await ctx.newPage()
  await page.goto(`${server.url}/#/cluster`)
  await page.waitForSelector('section[data-region="ap-test"] >> text=Healthy')
  assert.match(await page.textContent('section[data-region="ap-test"] tbody'), /ap-test-7 \(this node\)/)
  const stamp = await page.textContent('#cluster-state')
  await waitFor(async () => (await page.textContent('#cluster-state')) !== stamp, 5000, () => 'the page never refreshed')

  // Without an admin token the page says what it needs instead of failing silently.
  const reader = await browser.newContext()
  const readerPage = await reader.newPage()
  const token = await server.token({ doc: 'x', perm: 'read' })
  await readerPage.goto(`${server.url}/?token=${token}#/cluster`)
  await readerPage.waitForSelector('#cluster-state >> text=needs an admin token')
  await reader.close()
  await ctx.close()
})

test('works from the keyboard on a narrow screen', async () => {
  const ctx = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true })
  const page = await ctx.newPage()
  await page.goto(`${server.url}/#/`)
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
  assert.ok(overflow <= 0, `no horizontal scrolling at 360px (overflow ${overflow}px)`)

  // Tab from the top: skip link first, then the navigation; the new-document form submits with Enter.
  await page.keyboard.press('Tab')
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Skip to content')
  await page.focus('#new-doc-input')
  await page.keyboard.type('narrow/doc')
  await page.keyboard.press('Enter')
  await page.waitForSelector('#connection[data-state="connected"]')
  // Tabbing forward from the top reaches the editor.
  await page.focus('#user-name')
  let reached = false
  for (let i = 0; i < 15 && !reached; i++) {
    await page.keyboard.press('Tab')
    reached = await page.evaluate(() => document.activeElement.classList.contains('cm-content'))
  }
  assert.ok(reached, 'the editor is reachable with Tab')
  await page.keyboard.type('typed on a phone')
  await waitFor(async () => (await server.docText('narrow/doc')) === 'typed on a phone')
  const docOverflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
  assert.ok(docOverflow <= 0, `the editor fits a 360px screen (overflow ${docOverflow}px)`)
  await ctx.close()
})
