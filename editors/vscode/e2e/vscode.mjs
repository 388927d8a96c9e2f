// A real VS Code for the end-to-end test: code-server on a free local port
// with its own user data, extensions and config folders, and a headless
// Chromium (through playwright-core) showing its workbench. Everything it
// writes goes under one scratch folder.

import { execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { promisify } from 'node:util';

import { chromium } from 'playwright-core';

const run = promisify(execFile);

/** Flags that keep Chromium quiet and offline apart from the local server. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

async function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export class CodeServer {
  /**
   * @param {object} options
   * @param {string} options.entry code-server's out/node/entry.js
   * @param {string} options.scratch folder for user data, extensions, config, logs
   * @param {Record<string, string>} options.env added to code-server's environment (the
   *   extension host and the perforch server it starts inherit it)
   */
  constructor({ entry, scratch, env }) {
    this.entry = entry;
    this.scratch = scratch;
    this.userDataDir = path.join(scratch, 'user-data');
    this.extensionsDir = path.join(scratch, 'extensions');
    this.log = [];
    this.env = {
      ...process.env,
      ...env,
      // code-server writes its config.yaml and state under these.
      XDG_CONFIG_HOME: path.join(scratch, 'xdg-config'),
      XDG_DATA_HOME: path.join(scratch, 'xdg-data'),
    };
    fs.mkdirSync(path.join(this.userDataDir, 'User'), { recursive: true });
    fs.mkdirSync(this.extensionsDir, { recursive: true });
    // Without a config file code-server writes one with a generated password.
    fs.writeFileSync(path.join(scratch, 'code-server.yaml'), 'auth: none\ncert: false\n');
  }

  commonArgs() {
    return [
      '--user-data-dir',
      this.userDataDir,
      '--extensions-dir',
      this.extensionsDir,
      '--config',
      path.join(this.scratch, 'code-server.yaml'),
    ];
  }

  writeUserSettings(settings) {
    fs.writeFileSync(path.join(this.userDataDir, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
  }

  /** `code-server --install-extension VSIX`, as a user installs a downloaded .vsix. */
  async installExtension(vsix) {
    const { stdout, stderr } = await run(process.execPath, [this.entry, ...this.commonArgs(), '--install-extension', vsix], {
      env: this.env,
    });
    return `${stdout}${stderr}`;
  }

  async listExtensions() {
    const { stdout } = await run(process.execPath, [this.entry, ...this.commonArgs(), '--list-extensions', '--show-versions'], {
      env: this.env,
    });
    return stdout.trim().split('\n').filter(Boolean);
  }

  /** Starts the server; resolves once it listens. */
  async start() {
    this.port = await freePort();
    this.process = spawn(
      process.execPath,
      [
        this.entry,
        ...this.commonArgs(),
        '--bind-addr',
        `127.0.0.1:${this.port}`,
        '--auth',
        'none',
        '--disable-telemetry',
        '--disable-update-check',
        '--disable-workspace-trust',
        '--disable-getting-started-override',
        '--disable-proxy',
      ],
      // Its own process group, so stop() ends the extension host, file
      // watcher and perforch server it started along with it.
      { env: this.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
    );
    const listening = new Promise((resolve, reject) => {
      const onData = (chunk) => {
        const text = chunk.toString();
        this.log.push(text);
        if (/HTTP server listening on/.test(text)) resolve();
      };
      this.process.stdout.on('data', onData);
      this.process.stderr.on('data', onData);
      this.process.once('exit', (code, signal) =>
        reject(new Error(`code-server exited (${code ?? signal}) before listening:\n${this.log.join('')}`)),
      );
    });
    await withTimeout(listening, 60_000, 'code-server to listen');
  }

  url(folder) {
    return `http://127.0.0.1:${this.port}/?folder=${encodeURIComponent(folder)}`;
  }

  async stop() {
    if (!this.process || this.process.exitCode !== null) return;
    const exited = new Promise((resolve) => this.process.once('exit', resolve));
    const group = -this.process.pid;
    process.kill(group, 'SIGTERM');
    await withTimeout(exited, 10_000, 'code-server to exit').catch(() => process.kill(group, 'SIGKILL'));
    // Whatever of the group outlived code-server (a file watcher) goes too.
    try {
      process.kill(group, 'SIGKILL');
    } catch {
      // The group is already empty.
    }
  }
}

/** A headless Chromium page on the workbench. */
export async function openBrowser(executablePath, scratch) {
  const browser = await chromium.launchPersistentContext(path.join(scratch, 'chromium-profile'), {
    executablePath,
    args: CHROMIUM_ARGS,
    headless: true,
    viewport: { width: 1400, height: 900 },
  });
  const page = browser.pages()[0] ?? (await browser.newPage());
  return { browser, page };
}

export function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
