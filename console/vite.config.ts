import { fileURLToPath, URL } from 'node:url'
import { defineConfig } from 'vitest/config'
import vue from '@vitejs/plugin-vue'
import Components from 'unplugin-vue-components/vite'
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers'

// The gateway serves dist/ at / (gateway/gateway/routes/console.py); `npm run dev` proxies the API
// to a running platform (./deploy/run-local.sh) on 127.0.0.1:8000.
export default defineConfig({
  plugins: [
    vue(),
    // Element Plus components are imported where used (staff surfaces and the volunteer's
    // screens), with their CSS: nothing of the library lands in the elder's bundle.
    Components({ resolvers: [ElementPlusResolver({ importStyle: 'css' })], dts: 'src/components.d.ts' }),
  ],
  resolve: { alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) } },
  define: {
    __VUE_OPTIONS_API__: false,
    __VUE_PROD_DEVTOOLS__: false,
    __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: false,
    __VUE_I18N_FULL_INSTALL__: false,
    __VUE_I18N_LEGACY_API__: false,
    __INTLIFY_PROD_DEVTOOLS__: false,
  },
  build: { target: 'es2020', sourcemap: false, chunkSizeWarningLimit: 1200, reportCompressedSize: false },
  server: { proxy: { '/api': 'http://127.0.0.1:8000' } },
  // Element Plus is inlined in tests so that its CSS imports (added by the resolver) load;
  // a generous bound per test: on two busy cores a page with a chart has taken over vitest's
  // default of 5 s to mount
  test: { environment: 'happy-dom', include: ['src/**/*.test.ts'], testTimeout: 30000,
          server: { deps: { inline: ['element-plus'] } } },
})
