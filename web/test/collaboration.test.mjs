// Two people edit one document in real Chromium against a real `meridian serve`: concurrent typing converges,
// an offline editor keeps working and catches up, and a screenshot shows both editors side by side.

import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import {
  editorText, isSubsequence, launchChromium, openDoc, saveArtifact, startMeridian, typeAtEnd, waitFor
} from './harness.mjs'

let server, browser

before(async () => {
  server = await startMeridian()
  browser = await launchChromium()
})

after(async () => {
  await browser?.close()
  await server?.stop()
})

/** Waits until both pages and the server hold the same text, and returns it. */
async function converged (pageA, pageB, docId) {
  let last = []
  return waitFor(async () => {
    last = [await editorText(pageA), await editorText(pageB), await server.docText(docId)]
    return last[0] === last[1] && last[1] === last[2] && last[0]
  }, 15000, () => `texts differ: ${JSON.stringify(last)}`)
}

test('two browsers typing at once into one document converge', async () => {
  const docId = 'collab/concurrent'
  const ada = await browser.newContext({ viewport: { width: 700, height: 520 } })
  const grace = await browser.newContext({ viewport: { width: 700, height: 520 } })
  const pageA = await openDoc(ada, server, docId, { name: 'Ada' })
  const pageB = await openDoc(grace, server, docId, { name: 'Grace' })

  const heading = '# Shared notes\n'
  await typeAtEnd(pageA, heading)
  await converged(pageA, pageB, docId)

  const fromA = 'Ada: the engine is pure. '
  const fromB = 'Grace: regions converge. '
  await Promise.all([typeAtEnd(pageA, fromA), typeAtEnd(pageB, fromB)])

  const text = await converged(pageA, pageB, docId)
  assert.ok(text.startsWith(heading), JSON.stringify(text))
  assert.equal(text.length, heading.length + fromA.length + fromB.length, `nothing lost, nothing doubled: ${JSON.stringify(text)}`)
  assert.ok(isSubsequence(fromA, text) && isSubsequence(fromB, text), `both users' keystrokes, in order: ${JSON.stringify(text)}`)

  // Each sees the other's labelled cursor (awareness) and the markdown heading is highlighted.
  await pageA.waitForSelector('.cm-ySelectionInfo >> text=Grace')
  await pageB.waitForSelector('.cm-ySelectionInfo >> text=Ada')
  const headingIsBold = await pageA.$$eval('.cm-content .cm-line:first-child span', (spans) =>
    spans.some((el) => el.textContent.includes('Shared notes') && Number(getComputedStyle(el).fontWeight) >= 600))
  assert.ok(headingIsBold, 'the markdown heading is highlighted (bold)')

  const shotA = await pageA.screenshot()
  const shotB = await pageB.screenshot()
  const sideBySide = await ada.newPage()
  await sideBySide.setViewportSize({ width: 1400, height: 520 })
  await sideBySide.setContent(`<body style="margin:0;display:flex">
    <img alt="Ada's editor" src="data:image/png;base64,${shotA.toString('base64')}">
    <img alt="Grace's editor" src="data:image/png;base64,${shotB.toString('base64')}"></body>`)
  const path = await saveArtifact('two-editors.png', await sideBySide.screenshot())
  console.log(`screenshot of both editors: ${path}`)

  await ada.close()
  await grace.close()
})

test('an editor that goes offline keeps typing and converges when it comes back', async () => {
  const docId = 'collab/offline'
  const online = await browser.newContext()
  const traveller = await browser.newContext()
  const pageA = await openDoc(online, server, docId, { name: 'Online' })
  const pageB = await openDoc(traveller, server, docId, { name: 'Traveller' })
  await typeAtEnd(pageA, 'start. ')
  await converged(pageA, pageB, docId)

  await traveller.setOffline(true)
  await pageB.waitForSelector('#connection[data-state="offline"]')
  const offlineText = 'written on a plane. '
  const onlineText = 'written at the office. '
  await Promise.all([typeAtEnd(pageA, onlineText), typeAtEnd(pageB, offlineText)])

  // While offline, nothing crosses: the office does not see the plane's words, and the traveller is told
  // how many changes wait.
  await waitFor(async () => (await server.docText(docId)).includes(onlineText), 10000, () => 'online edit not stored')
  assert.ok(!(await editorText(pageA)).includes('plane'), 'offline edits must not reach others while offline')
  assert.ok(!(await editorText(pageB)).includes('office'), 'an offline editor must not receive edits')
  const offlineStatus = await pageB.$eval('#save-state', (el) => el.textContent)
  assert.match(offlineStatus, /^Offline: \d+ unsaved changes?$/)
  assert.ok(isSubsequence(offlineText, await editorText(pageB)), 'typing keeps working offline')

  await traveller.setOffline(false)
  const text = await converged(pageA, pageB, docId)
  assert.ok(text.startsWith('start. '), text)
  assert.ok(isSubsequence(offlineText, text) && isSubsequence(onlineText, text), text)
  assert.equal(text.length, 'start. '.length + offlineText.length + onlineText.length, text)
  await pageB.waitForSelector('#save-state[data-state="saved"]')

  await online.close()
  await traveller.close()
})
