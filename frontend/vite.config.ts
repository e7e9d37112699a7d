import { defineConfig } from 'vite'

// One build per page (`vite build --mode student`, then `--mode teacher`, see package.json),
// so each page loads exactly one JS and one CSS file with a fixed name, and there is no shared
// chunk whose CSS the templates would have to know about. Django's ManifestStaticFilesStorage
// adds content hashes in production. Paths are relative to this folder (Vite's root).
const PAGES = ['student', 'teacher', 'dashboard'] as const

export default defineConfig(({ mode }) => {
  const page = PAGES.find((name) => name === mode)
  if (page === undefined) {
    throw new Error(`Build with --mode set to one of: ${PAGES.join(', ')} (got "${mode}").`)
  }
  return {
    base: './',
    build: {
      outDir: '../lti_tool/static/lti_tool/dist',
      // The first page's build clears old output; the next adds to it.
      emptyOutDir: page === PAGES[0],
      // Video.js bundles its HLS engine (VHS), so about 1 MB of JS per page is expected.
      chunkSizeWarningLimit: 1500,
      rolldownOptions: {
        input: { [page]: `src/${page}.ts` },
        output: {
          entryFileNames: '[name].js',
          chunkFileNames: 'chunks/[name].js',
          assetFileNames: (asset) =>
            asset.names.some((name) => name.endsWith('.css'))
              ? `${page}.css`
              : 'assets/[name][extname]',
        },
      },
    },
  }
})
