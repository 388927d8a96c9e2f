// Installs the real VS Code the end-to-end test runs in: code-server (VS Code
// in a browser, with the extension host on this machine) from npm, pinned by
// e2e/code-server/package-lock.json and VS Code's own npm-shrinkwrap.json.
//
// code-server's postinstall cannot run here, for two reasons: as root it
// demands npm's removed `--unsafe-perm`, and @vscode/ripgrep downloads its
// binary from GitHub, which CI cannot reach (only package registries). So we
// install with --ignore-scripts and do the postinstall's work ourselves:
// build the native modules from source (node-gyp), take `rg` from the system
// (Debian's ripgrep), and make the links code-server expects.
//
// Usage: node e2e/install-code-server.mjs   (or `npm run e2e:setup`)
// Idempotent: a finished install leaves a marker and is not repeated.

import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

import { CODE_SERVER_VERSION, codeServerPaths, requireTools } from './paths.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const paths = codeServerPaths(here);

/** VS Code's native modules that load on Linux (the windows-* ones never do). */
const NATIVE_MODULES = ['@parcel/watcher', '@vscode/deviceid', '@vscode/spdlog', 'kerberos', 'native-watchdog', 'node-pty'];

/**
 * node-gyp needs this Node's headers and downloads them from nodejs.org
 * unless told where they are; Debian's nodejs ships them under its prefix.
 */
function nodeHeaders() {
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  return fs.existsSync(path.join(prefix, 'include', 'node', 'node.h')) ? { npm_config_nodedir: prefix } : {};
}

function run(command, args, cwd, extraEnv = {}) {
  console.log(`[e2e setup] ${path.relative(process.cwd(), cwd) || '.'}$ ${command} ${args.join(' ')}`);
  // Under `npm run`, npm exports its settings to the script: its own
  // project as npm_config_local_prefix, and `ignore-scripts` from this
  // package's .npmrc. A child `npm rebuild` would then work on that project
  // instead of `cwd`, or skip the builds, and report success having built
  // nothing. The child reads its configuration files itself.
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) => name !== 'npm_config_local_prefix' && name !== 'npm_config_ignore_scripts',
    ),
  );
  execFileSync(command, args, { cwd, stdio: 'inherit', env: { ...nodeHeaders(), ...inherited, ...extraEnv } });
}

function link(target, at) {
  fs.rmSync(at, { recursive: true, force: true });
  fs.symlinkSync(target, at);
}

function main() {
  if (fs.existsSync(paths.marker) && fs.readFileSync(paths.marker, 'utf8').trim() === CODE_SERVER_VERSION) {
    console.log(`[e2e setup] code-server ${CODE_SERVER_VERSION} is already installed in ${paths.packageDir}`);
    return;
  }
  const tools = requireTools({ forSetup: true });
  fs.rmSync(paths.marker, { force: true });

  // code-server itself and its server-side dependencies (argon2 is native:
  // built from source, since its prebuilt binary comes from GitHub).
  run('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund'], here + '/code-server');
  run('npm', ['rebuild', 'argon2'], here + '/code-server', { npm_config_build_from_source: 'true' });

  // VS Code's dependencies as its shrinkwrap pins them (`npm ci` refuses:
  // code-server ships a shrinkwrap missing tslib, and its own postinstall
  // uses `npm install` too). node-pty's
  // postinstall runs `npx node-gyp` after building: `yes` lets npx fetch it.
  run('npm', ['install', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'], paths.vscodeDir);
  run('npm', ['rebuild', ...NATIVE_MODULES], paths.vscodeDir, { npm_config_yes: 'true' });
  const ripgrepBin = path.join(paths.vscodeDir, 'node_modules', '@vscode', 'ripgrep', 'bin');
  fs.mkdirSync(ripgrepBin, { recursive: true });
  link(tools.rg, path.join(ripgrepBin, 'rg'));
  link('node_modules', path.join(paths.vscodeDir, 'node_modules.asar'));
  link('code-linux.sh', path.join(paths.vscodeDir, 'bin', 'remote-cli', 'code-server'));
  link('browser-linux.sh', path.join(paths.vscodeDir, 'bin', 'helpers', 'browser.sh'));
  // The built-in extensions share one dependency (TypeScript); its
  // postinstall only trims it.
  run('npm', ['install', '--omit=dev', '--no-audit', '--no-fund'], path.join(paths.vscodeDir, 'extensions'));

  // code-server writes a default config on any start: keep it out of $HOME.
  const scratchConfig = path.join(paths.packageDir, '.xdg');
  const version = execFileSync(process.execPath, [paths.entry, '--version'], {
    encoding: 'utf8',
    env: { ...process.env, XDG_CONFIG_HOME: scratchConfig, XDG_DATA_HOME: scratchConfig },
  })
    .trim()
    .split('\n')
    .pop();
  if (!version.startsWith(CODE_SERVER_VERSION)) {
    throw new Error(`code-server reports version ${JSON.stringify(version)}, expected ${CODE_SERVER_VERSION}`);
  }
  fs.writeFileSync(paths.marker, `${CODE_SERVER_VERSION}\n`);
  console.log(`[e2e setup] installed code-server ${version}`);
}

try {
  main();
} catch (error) {
  console.error(`[e2e setup] failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
