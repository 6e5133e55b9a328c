// Bundles the editor from src/ into dist/: app.js (ES module, every dependency included), app.css and
// index.html. Run by `make web` as `npm run build -w @meridian-sync/web`; `node build.mjs --watch` rebuilds on
// change. Tests import { build } to bundle before they start the server.
//
// The Meridian SDK is bundled from its TypeScript sources (client/js/src), so the editor does not depend on
// the SDK's own build step.

import * as esbuild from 'esbuild'
import { access, copyFile, mkdir, rm } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const webDir = dirname(fileURLToPath(import.meta.url))
export const distDir = join(webDir, 'dist')
const sdkEntry = join(webDir, '..', 'client', 'js', 'src', 'index.ts')

// Watch mode adds source maps for debugging; the shipped bundle (embedded by release builds) stays lean.
function options ({ dev = false } = {}) {
  return {
    entryPoints: { app: join(webDir, 'src', 'main.js') },
    outdir: distDir,
    bundle: true,
    format: 'esm',
    target: ['es2022'],
    minify: !dev,
    sourcemap: dev ? 'linked' : false,
    legalComments: 'linked',
    alias: { '@meridian-sync/client': sdkEntry },
    logLevel: 'warning'
  }
}

/** Builds dist/ once; throws with esbuild's messages when the sources do not compile. */
export async function build () {
  await access(sdkEntry).catch(() => {
    throw new Error(`the Meridian JavaScript SDK sources are missing (${sdkEntry}): the editor bundles them`)
  })
  await rm(distDir, { recursive: true, force: true }) // no stale files (old source maps) left to embed
  await mkdir(distDir, { recursive: true })
  await esbuild.build(options())
  await copyFile(join(webDir, 'src', 'index.html'), join(distDir, 'index.html'))
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--watch')) {
    const ctx = await esbuild.context({
      ...options({ dev: true }),
      plugins: [{
        name: 'copy-html',
        setup (b) { b.onEnd(() => copyFile(join(webDir, 'src', 'index.html'), join(distDir, 'index.html'))) }
      }]
    })
    await ctx.watch()
    console.log('watching web/src; rebuilding into web/dist')
  } else {
    try {
      await build()
      console.log('built web/dist')
    } catch (err) {
      console.error(`web build failed: ${err.message}`)
      process.exit(1)
    }
  }
}
