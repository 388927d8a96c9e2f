import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';

import { BinaryNotFoundError, BinarySearch, expandVariables, resolveServerBinary } from '../src/binary';

// Real files in a temporary folder: the lookup is about what is on disk.
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'perforch-binary-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));

function executable(relative: string): string {
  const file = path.join(root, relative);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, '#!/bin/sh\nexit 0\n');
  fs.chmodSync(file, 0o755);
  return file;
}

function plainFile(relative: string): string {
  const file = path.join(root, relative);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, 'not a program\n');
  fs.chmodSync(file, 0o644);
  return file;
}

function search(overrides: Partial<BinarySearch>): BinarySearch {
  return {
    configuredPath: undefined,
    envPath: '',
    extensionDir: path.join(root, 'no-extension'),
    platform: 'linux',
    homeDir: path.join(root, 'home'),
    ...overrides,
  };
}

function notFound(run: () => unknown): BinaryNotFoundError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof BinaryNotFoundError, `expected BinaryNotFoundError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the lookup to fail');
}

describe('resolveServerBinary', { skip: process.platform === 'win32' && 'uses Unix execute bits' }, () => {
  const onPath = executable('path-a/perforch');
  const bundled = executable('extension/bin/perforch');
  const configured = executable('custom/perforch-dev');

  it('uses perforch.path first, over PATH and the bundled copy', () => {
    const found = resolveServerBinary(
      search({ configuredPath: configured, envPath: path.dirname(onPath), extensionDir: path.join(root, 'extension') }),
    );
    assert.deepEqual(found, { path: configured, source: 'setting' });
  });

  it('then PATH, in PATH order, skipping folders without an executable perforch', () => {
    const later = executable('path-b/perforch');
    plainFile('path-c/perforch');
    const envPath = [path.join(root, 'missing'), path.join(root, 'path-c'), path.dirname(later), path.dirname(onPath)].join(':');
    const found = resolveServerBinary(search({ envPath, extensionDir: path.join(root, 'extension') }));
    assert.deepEqual(found, { path: later, source: 'PATH' });
  });

  it('then the binary bundled in the extension', () => {
    const found = resolveServerBinary(search({ envPath: path.join(root, 'missing'), extensionDir: path.join(root, 'extension') }));
    assert.deepEqual(found, { path: bundled, source: 'bundled' });
  });

  it('fails naming perforch.path and PATH when there is none', () => {
    const error = notFound(() => resolveServerBinary(search({ envPath: path.join(root, 'missing') })));
    assert.equal(error.settingIsWrong, false);
    assert.match(error.message, /`perforch\.path`/);
    assert.match(error.message, /PATH/);
    assert.match(error.message, /cargo build --release/);
  });

  it('does not fall back when perforch.path points nowhere', () => {
    const error = notFound(() =>
      resolveServerBinary(search({ configuredPath: path.join(root, 'nothing/perforch'), envPath: path.dirname(onPath) })),
    );
    assert.equal(error.settingIsWrong, true);
    assert.match(error.message, /`perforch\.path` is set to/);
    assert.match(error.message, /no file there/);
  });

  it('says so when perforch.path is a folder or not executable', () => {
    const folder = notFound(() => resolveServerBinary(search({ configuredPath: path.join(root, 'custom') })));
    assert.match(folder.message, /not a file/);
    const file = plainFile('custom/perforch-no-x');
    const notExecutable = notFound(() => resolveServerBinary(search({ configuredPath: file })));
    assert.match(notExecutable.message, /not executable/);
    assert.match(notExecutable.message, /chmod \+x/);
  });

  it('expands ~ and ${workspaceFolder}, and resolves relative paths against the folder', () => {
    const inHome = executable('home/.cargo/bin/perforch');
    assert.equal(resolveServerBinary(search({ configuredPath: '~/.cargo/bin/perforch' })).path, inHome);
    const inWorkspace = executable('ws/target/release/perforch');
    const workspaceFolder = path.join(root, 'ws');
    assert.equal(
      resolveServerBinary(search({ configuredPath: '${workspaceFolder}/target/release/perforch', workspaceFolder })).path,
      inWorkspace,
    );
    assert.equal(resolveServerBinary(search({ configuredPath: 'target/release/perforch', workspaceFolder })).path, inWorkspace);
  });

  it('rejects a relative perforch.path when no folder is open', () => {
    const error = notFound(() => resolveServerBinary(search({ configuredPath: 'target/release/perforch' })));
    assert.match(error.message, /absolute path/);
  });

  it('treats a blank perforch.path as unset', () => {
    const found = resolveServerBinary(search({ configuredPath: '   ', envPath: path.dirname(onPath) }));
    assert.equal(found.source, 'PATH');
    assert.equal(resolveServerBinary(search({ configuredPath: null, envPath: path.dirname(onPath) })).source, 'PATH');
  });
});

describe('resolveServerBinary on Windows', () => {
  it('looks for perforch with the PATHEXT extensions, separated by ;', () => {
    const exe = plainFile('win/perforch.exe');
    const found = resolveServerBinary(
      search({ platform: 'win32', envPath: `${path.join(root, 'missing')};${path.dirname(exe)}`, pathExt: '.COM;.EXE' }),
    );
    assert.deepEqual(found, { path: exe, source: 'PATH' });
  });
});

describe('expandVariables', () => {
  it('leaves ~user and unknown variables alone', () => {
    const where = { homeDir: '/home/me', workspaceFolder: '/ws' };
    assert.equal(expandVariables('~other/bin', where), '~other/bin');
    assert.equal(expandVariables('${env:HOME}/bin', where), '${env:HOME}/bin');
    assert.equal(expandVariables('${userHome}/bin', where), '/home/me/bin');
  });
});
