// Where the end-to-end test finds what it needs, and the checks that stop it
// with a message saying what to install when something is missing (it never
// skips). Shared by install-code-server.mjs and the test.

import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The code-server pinned in code-server/package.json: the newest whose
 * `engines.node` is 20 (later ones need Node 22 or 24).
 */
export const CODE_SERVER_VERSION = JSON.parse(
  fs.readFileSync(new URL('./code-server/package.json', import.meta.url), 'utf8'),
).dependencies['code-server'];
const NODE_MAJOR = 20;

/** Paths of the code-server installed under `e2eDir` (the e2e folder). */
export function codeServerPaths(e2eDir) {
  const packageDir = path.join(e2eDir, 'code-server', 'node_modules', 'code-server');
  return {
    packageDir,
    vscodeDir: path.join(packageDir, 'lib', 'vscode'),
    entry: path.join(packageDir, 'out', 'node', 'entry.js'),
    marker: path.join(packageDir, '.perforch-e2e-installed'),
  };
}

function isExecutable(file) {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The first `name` on PATH, or undefined. */
export function onPath(name) {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && isExecutable(path.join(dir, name))) return path.join(dir, name);
  }
  return undefined;
}

export class MissingToolError extends Error {}

/**
 * Checks the tools the setup (`forSetup`) or the test needs; returns their
 * paths, or throws one error listing everything missing and how to get it.
 */
export function requireTools({ forSetup }) {
  const missing = [];
  const found = {};
  const major = Number(process.versions.node.split('.')[0]);
  if (major !== NODE_MAJOR) {
    missing.push(
      `Node.js ${NODE_MAJOR} (found ${process.version}): code-server ${CODE_SERVER_VERSION} runs on Node ${NODE_MAJOR} only; install Node ${NODE_MAJOR}`,
    );
  }
  const need = (name, how) => {
    const where = onPath(name);
    if (where) found[name] = where;
    else missing.push(`${name}: ${how}`);
  };
  if (forSetup) {
    need('make', 'apt-get install build-essential');
    need('g++', 'apt-get install build-essential');
    need('python3', 'apt-get install python3 (node-gyp runs it)');
    need('rg', 'apt-get install ripgrep (VS Code searches with it)');
    if (!fs.existsSync('/usr/include/gssapi/gssapi.h')) {
      missing.push('gssapi/gssapi.h: apt-get install libkrb5-dev (VS Code\'s kerberos module builds against it)');
    }
  } else {
    const configured = process.env.PERFORCH_E2E_CHROMIUM;
    const chromium = configured ?? onPath('chromium') ?? onPath('chromium-browser');
    if (chromium && isExecutable(chromium)) found.chromium = chromium;
    else if (configured) missing.push(`chromium: PERFORCH_E2E_CHROMIUM=${configured} is not an executable file`);
    else missing.push('chromium: apt-get install chromium, or set PERFORCH_E2E_CHROMIUM to a Chromium binary');
  }
  if (missing.length > 0) {
    throw new MissingToolError(`the VS Code end-to-end test cannot run; missing:\n  - ${missing.join('\n  - ')}`);
  }
  return found;
}
