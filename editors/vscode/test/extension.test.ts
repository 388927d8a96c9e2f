// The bundled extension (dist/extension.js), activated in a stand-in editor
// (fake-vscode.ts) with the real perforch binary: what a user sees when the
// binary is missing, and a whole session from start to deactivate.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import Module from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';

import { createFakeVscode } from './fake-vscode';
import { serverBinary, repoRoot } from './server-binary';

const extensionDir = path.resolve(__dirname, '..', '..');
const bundle = path.join(extensionDir, 'dist', 'extension.js');
const manifest = JSON.parse(fs.readFileSync(path.join(extensionDir, 'package.json'), 'utf8'));

type Extension = { activate(context: unknown): Promise<void>; deactivate(): Promise<void> };

/** Loads a fresh copy of the bundle whose `require('vscode')` is the fake. */
function loadExtension(fake: unknown): Extension {
  if (!fs.existsSync(bundle)) {
    throw new Error(`${bundle} is missing: run \`npm run bundle\` first`);
  }
  const loader = Module as unknown as { _load(request: string, ...rest: unknown[]): unknown };
  const original = loader._load;
  loader._load = function (request: string, ...rest: unknown[]) {
    return request === 'vscode' ? fake : original.call(this, request, ...rest);
  };
  after(() => {
    loader._load = original;
  });
  delete require.cache[bundle];
  return require(bundle) as Extension;
}

function context(extensionPath: string) {
  return { subscriptions: [] as { dispose(): unknown }[], extensionPath, extension: { packageJSON: manifest } };
}

async function until(what: string, condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('the extension when perforch cannot be found', () => {
  it('names the setting to fix, offers to open it, and shows the problem in the status bar', async () => {
    const emptyExtensionDir = fs.mkdtempSync(path.join(os.tmpdir(), 'perforch-ext-'));
    after(() => fs.rmSync(emptyExtensionDir, { recursive: true, force: true }));
    const fake = createFakeVscode({
      settings: { 'perforch.path': path.join(emptyExtensionDir, 'no-such-perforch') },
      workspaceFolder: path.join(repoRoot, 'fixtures', 'python'),
    });
    const extension = loadExtension(fake.module);
    await extension.activate(context(emptyExtensionDir));

    const errors = fake.recorder.messages.filter((message) => message.level === 'error');
    assert.equal(errors.length, 1, JSON.stringify(fake.recorder.messages));
    assert.match(errors[0].text, /`perforch\.path` is set to .*no-such-perforch/);
    assert.deepEqual(errors[0].actions, ['Open Settings', 'Show Output']);
    assert.equal(fake.recorder.statusBar.visible, true);
    assert.equal(fake.recorder.statusBar.text, '$(error) perforch');
    assert.equal(fake.controls.hasCommand('perforch.optimize'), false, 'no server, so no server commands');
    assert.ok(fake.controls.hasCommand('perforch.restartServer'));
    await extension.deactivate();
  });
});

describe('a session with the real server', { timeout: 120_000 }, () => {
  const binary = serverBinary();
  const workspaceFolder = path.join(repoRoot, 'fixtures', 'python');
  const fake = createFakeVscode({
    settings: {
      'perforch.path': binary,
      'perforch.trace.server': 'verbose',
      'perforch.pipeline': { top_k: 2 },
      'perforch.models': [{ name: 'offline', provider: 'builtin' }],
    },
    workspaceFolder,
  });
  const output = () => fake.recorder.output.join('');
  const extension = loadExtension(fake.module);
  const fixture = path.join(workspaceFolder, 'inventory.py');
  const staleOptimize = () =>
    fake.controls.runCommand('perforch.optimize', {
      uri: fake.module.Uri.file(fixture).toString(),
      version: 0,
      function: 'total_value',
      offset: 0,
      goal: 'speed',
    });

  it('starts the binary from perforch.path with only the server settings as initializationOptions', async () => {
    await extension.activate(context(extensionDir));
    assert.match(output(), new RegExp(`starting ${binary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} lsp --stdio \\(found via setting\\)`));
    const initialize = output().slice(output().indexOf("Sending request 'initialize"));
    const options = /"initializationOptions": (\{[\s\S]*?\n    \})/.exec(initialize);
    assert.ok(options, `no initializationOptions in the trace:\n${initialize.slice(0, 2000)}`);
    assert.deepEqual(JSON.parse(options[1]), { models: [{ name: 'offline', provider: 'builtin' }], pipeline: { top_k: 2 } });
    assert.ok(fake.controls.hasCommand('perforch.optimize'), 'the server command is registered');
    assert.equal(fake.recorder.messages.length, 0, JSON.stringify(fake.recorder.messages));
  });

  it('lists the optimize action in the light bulb, and warns when it runs on text that changed since', async () => {
    const text = fs.readFileSync(fixture, 'utf8');
    const document = fake.controls.openDocument(fixture, 'python', text);
    await until('didOpen reaches the server', () => output().includes("Sending notification 'textDocument/didOpen'"));
    const line = text.slice(0, text.indexOf('def total_value')).split('\n').length;
    const actions = await fake.controls.codeActions(document, line, 4);
    assert.deepEqual(
      actions.map((action) => [action.title, action.kind?.value, action.command?.command]),
      [
        ['Optimize `total_value` for speed (perforch)', 'refactor.rewrite.perforch', 'perforch.optimize'],
        ['Optimize `total_value` for memory (perforch)', 'refactor.rewrite.perforch', 'perforch.optimize'],
      ],
    );
    fake.controls.insertText(document, 0, 0, '# edited\n');
    await until('didChange reaches the server', () => output().includes("Sending notification 'textDocument/didChange'"));
    await fake.controls.runCommand(actions[0].command.command, ...actions[0].command.arguments);
    assert.deepEqual(
      fake.recorder.messages.map((message) => message.level),
      ['warning'],
      JSON.stringify(fake.recorder.messages),
    );
    assert.match(fake.recorder.messages[0].text, /^perforch: .*choose the action again/);
    assert.equal(fake.recorder.contexts['perforch.jobRunning'], false, 'the request ended, so no job runs');
  });

  it('shows a running job once: in its status bar item, named perforch once, not also as window progress', async () => {
    const moderation = path.join(workspaceFolder, 'moderation.py');
    const text = fs.readFileSync(moderation, 'utf8');
    const before = output().length;
    const document = fake.controls.openDocument(moderation, 'python', text);
    await until('didOpen reaches the server', () => output().slice(before).includes("Sending notification 'textDocument/didOpen'"));
    const line = text.slice(0, text.indexOf('def count_allowed')).split('\n').length;
    const actions = await fake.controls.codeActions(document, line, 4);
    const speed = actions.find((action) => action.title === 'Optimize `count_allowed` for speed (perforch)');
    assert.ok(speed, JSON.stringify(actions.map((action) => action.title)));
    fake.recorder.statusBarHistory.length = 0;
    fake.recorder.progress.length = 0;
    // The server answers once the job is started; the builtin model's job
    // then reports progress until it ends.
    fake.recorder.messages.length = 0;
    await fake.controls.runCommand(speed.command.command, ...speed.command.arguments);
    const running = () => fake.recorder.statusBarHistory.some((text) => text.includes('optimising `count_allowed`'));
    await until('the job to report progress', running, 60_000);
    await until('the job to end', () => !fake.recorder.statusBar.visible, 120_000);
    assert.deepEqual(fake.recorder.messages, [], 'the job ran without complaint');
    const shown = fake.recorder.statusBarHistory.filter((text) => text.includes('optimising `count_allowed`'));
    assert.ok(shown.length > 0, `the job was in the status bar: ${JSON.stringify(fake.recorder.statusBarHistory)}`);
    assert.ok(
      shown.every((text) => text.startsWith('$(sync~spin) perforch: optimising `count_allowed` for speed')),
      JSON.stringify(shown),
    );
    assert.deepEqual(fake.recorder.progress, [], 'no second indicator from the language client');
    assert.equal(fake.recorder.statusBar.visible, false, 'the item goes when the job ends');
  });

  it('says when there is no job to cancel and no report to show', async () => {
    fake.recorder.messages.length = 0;
    await fake.controls.runCommand('perforch.cancelJob');
    assert.deepEqual(fake.recorder.messages, [{ level: 'info', text: 'perforch: no optimisation job is running.', actions: [] }]);
    fake.recorder.messages.length = 0;
    await fake.controls.runCommand('perforch.showLastReport');
    if (fake.controls.hasCommand('perforch.showReport')) {
      // A server with reports answers itself (with window/showDocument).
      await until('perforch.showReport is sent', () => output().includes("'workspace/executeCommand"));
    } else {
      assert.equal(fake.recorder.messages.length, 1);
      assert.match(fake.recorder.messages[0].text, /no report yet/);
    }
  });

  it('pushes changed server settings without path or trace', async () => {
    const before = output().length;
    fake.controls.changeSettings({ 'perforch.pipeline': { top_k: 3 } });
    await until('didChangeConfiguration is sent', () => output().slice(before).includes("'workspace/didChangeConfiguration'"));
    const sent = output().slice(before);
    assert.match(sent, /"top_k": 3/);
    assert.doesNotMatch(sent, /"path"|"trace"/);
    assert.doesNotMatch(sent, /restarting/);
  });

  it('restarts with the binary when perforch.path changes, and the new server has the open document', async () => {
    const before = output().length;
    fake.recorder.messages.length = 0;
    fake.controls.changeSettings({ 'perforch.path': binary });
    await until('the new server is initialized', () => output().slice(before).includes("Sending notification 'initialized'"));
    assert.match(output().slice(before), /restarting the server[\s\S]*starting /);
    await until('the open document is sent again', () => output().slice(before).includes("'textDocument/didOpen'"));
    await staleOptimize();
    assert.deepEqual(fake.recorder.messages.map((message) => message.level), ['warning'], JSON.stringify(fake.recorder.messages));
  });

  it('shuts the server down on deactivate', async () => {
    const before = output().length;
    await extension.deactivate();
    const sent = output().slice(before);
    assert.match(sent, /Sending request 'shutdown/);
    assert.match(sent, /Sending notification 'exit'/);
  });
});
