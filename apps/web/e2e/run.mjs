// Browser tests: the built app (apps/web/dist) served by the built server, driven by Chromium.
// Builds nothing: run `pnpm build` at the root first (the root `pnpm test` does).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const web = fileURLToPath(new URL('..', import.meta.url));
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// On a Debian-like machine where we are root, install Debian's Chromium rather than fail
// (browser builds downloaded by test tools are not used).
if (!existsSync(chromiumPath) && !process.env.CHROMIUM_PATH && process.getuid?.() === 0 && existsSync('/usr/bin/apt-get')) {
  console.error('Chromium is missing: installing Debian\'s chromium package (apt-get install -y chromium)');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  spawnSync('apt-get', ['install', '-y', '-qq', 'chromium'], { stdio: 'inherit', env });
}
const missing = [
  [`${web}dist/index.html`, 'the web build (pnpm --filter @bellhop/web build)'],
  [process.env.BELLHOP_SERVER_MAIN ?? `${here}../../server/dist/main.js`, 'the server build (pnpm --filter @bellhop/server build)'],
  [chromiumPath, 'Chromium (apt-get install -y chromium, or set CHROMIUM_PATH)'],
].filter(([path]) => !existsSync(path));
if (missing.length) {
  for (const [, what] of missing) console.error(`missing: ${what}`);
  process.exit(1);
}

const jest = createRequire(import.meta.url).resolve('jest/bin/jest');
const child = spawn(process.execPath, ['--experimental-vm-modules', jest, '-c', 'jest.e2e.config.js', '--runInBand', ...process.argv.slice(2)], {
  cwd: web,
  stdio: 'inherit',
});
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
