import react from '@vitejs/plugin-react'
import { defineConfig } from 'vitest/config'

// The gateway (eng/run.sh: http://localhost:8080) owns /api and /ws; `npm run dev` proxies both there.
const gateway = process.env.SENSORS360_GATEWAY ?? 'http://localhost:8080'

export default defineConfig({
  plugins: [react()],
  build: {
    // Dashboard.Web serves wwwroot/; the folder is build output only (ignored by git, emptied on each build).
    outDir: '../wwwroot',
    emptyOutDir: true,
    // Hashed file names under /assets/ are what Dashboard.Web caches for a year.
    assetsDir: 'assets',
    target: 'es2022',
  },
  server: {
    proxy: {
      '/api': {
        target: gateway,
        changeOrigin: true,
        // The gateway checks Origin on cookie writes and WebSocket upgrades: present the gateway's own origin.
        configure: proxy => proxy.on('proxyReq', request => request.setHeader('origin', gateway)),
      },
      '/ws': {
        target: gateway,
        ws: true,
        changeOrigin: true,
        configure: proxy => proxy.on('proxyReqWs', request => request.setHeader('origin', gateway)),
      },
    },
  },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
})
