// The CodeMirror 6 editor bound to a shared Y.Text through y-codemirror.next: local edits become Yjs updates,
// remote updates become editor changes, and awareness draws the other users' cursors and selections with
// their names and colours.

import { basicSetup } from 'codemirror'
import { EditorView } from '@codemirror/view'
import { Compartment, EditorState } from '@codemirror/state'
import { markdown } from '@codemirror/lang-markdown'
import { yCollab } from 'y-codemirror.next'
import * as Y from 'yjs'

/** The name of the root Y.Text holding a document's text. Other clients must use the same name. */
export const textName = 'text'

/**
 * Mounts an editor in parent. `readOnly` keeps the text selectable and focusable (keyboard users can still
 * read and copy it) but refuses every change. Returns { view, setReadOnly, destroy }.
 */
export function createEditor (parent, { ydoc, awareness, readOnly, label }) {
  const ytext = ydoc.getText(textName)
  const access = new Compartment()
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: ytext.toString(),
      extensions: [
        basicSetup,
        markdown(),
        EditorView.lineWrapping,
        EditorView.contentAttributes.of({ 'aria-label': label, 'aria-multiline': 'true' }),
        // Undo only what this user typed, never a collaborator's edits.
        yCollab(ytext, awareness, { undoManager: new Y.UndoManager(ytext) }),
        access.of(accessExtensions(readOnly))
      ]
    })
  })
  return {
    view,
    setReadOnly (next) {
      view.dispatch({ effects: access.reconfigure(accessExtensions(next)) })
    },
    destroy () {
      view.destroy()
    }
  }
}

function accessExtensions (readOnly) {
  return readOnly
    ? [EditorState.readOnly.of(true), EditorView.contentAttributes.of({ 'aria-readonly': 'true' })]
    : []
}
