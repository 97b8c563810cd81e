import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// In development the API runs separately (apps/server on :3000); in production the server
// serves dist/ on its own port, so the app always talks to its own origin.
const apiTarget = process.env.BELLHOP_API ?? 'http://localhost:3000';

export default defineConfig({
  plugins: [react()],
  server: {
    port: 5173,
    proxy: {
      '/api': { target: apiTarget, changeOrigin: false },
      '/ws': { target: apiTarget, ws: true, changeOrigin: false },
    },
  },
  build: {
    outDir: 'dist',
    sourcemap: true,
  },
});
