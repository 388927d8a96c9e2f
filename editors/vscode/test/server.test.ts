// The contract between the extension and the real `perforch` binary: the
// server is started with the extension's arguments and settings, over the
// same protocol library vscode-languageclient uses, and must offer exactly
// the command and action kind the extension intercepts.

import assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import {
  CodeAction,
  CodeActionRequest,
  ConfigurationRequest,
  createProtocolConnection,
  DidChangeTextDocumentNotification,
  DidOpenTextDocumentNotification,
  ExecuteCommandRequest,
  ExitNotification,
  InitializedNotification,
  InitializeRequest,
  InitializeResult,
  ProtocolConnection,
  ResponseError,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  WorkDoneProgressCreateRequest,
} from 'vscode-languageserver-protocol/node';

import { optimizeJobTitle } from '../src/jobs';
import { noticeForRequestError } from '../src/messages';
import { OPTIMIZE_ACTION_KIND, SERVER_ARGS, SERVER_COMMANDS } from '../src/protocol';
import { configurationAnswer, toServerConfig } from '../src/settings';
import { repoRoot, serverBinary } from './server-binary';

// What the user might have in settings.json, as the extension sends it.
const userSettings = {
  path: '/somewhere/perforch',
  trace: { server: 'verbose' },
  models: [{ name: 'offline', provider: 'builtin', temperature: null }],
  pipeline: { top_k: 2, measure_runs: 3 },
  tests: { discover: true },
};

describe('perforch lsp --stdio, as the extension starts it', { timeout: 60_000 }, () => {
  let child: ChildProcess;
  let connection: ProtocolConnection;
  let initialized: InitializeResult;
  let stderr = '';
  const configurationSections: (string | undefined)[] = [];
  const fixture = path.join(repoRoot, 'fixtures', 'python', 'inventory.py');
  const uri = pathToFileURL(fixture).toString();
  const text = fs.readFileSync(fixture, 'utf8');

  before(async () => {
    child = spawn(serverBinary(), [...SERVER_ARGS], { stdio: ['pipe', 'pipe', 'pipe'], cwd: path.dirname(fixture) });
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    connection = createProtocolConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    connection.onRequest(ConfigurationRequest.type, (params) =>
      params.items.map((item) => {
        configurationSections.push(item.section);
        const answer = configurationAnswer(item.section, toServerConfig(userSettings));
        return answer.ours ? answer.value : null;
      }),
    );
    connection.onRequest(WorkDoneProgressCreateRequest.type, () => null);
    connection.listen();
    const folder = pathToFileURL(path.dirname(fixture)).toString();
    initialized = await connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      clientInfo: { name: 'perforch-vscode-contract-test' },
      rootUri: folder,
      workspaceFolders: [{ uri: folder, name: 'python' }],
      initializationOptions: toServerConfig(userSettings),
      // The parts of vscode-languageclient 9's capabilities perforch reads.
      capabilities: {
        general: { positionEncodings: ['utf-16'] },
        workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: true } },
        window: { workDoneProgress: true, showDocument: { support: true } },
        textDocument: {
          synchronization: { dynamicRegistration: true, didSave: true },
          codeAction: {
            codeActionLiteralSupport: { codeActionKind: { valueSet: ['', 'quickfix', 'refactor', 'refactor.rewrite'] } },
            dataSupport: true,
            resolveSupport: { properties: ['edit'] },
          },
        },
      },
    });
    await connection.sendNotification(InitializedNotification.type, {});
  });

  after(async () => {
    if (connection) {
      connection.dispose();
    }
    if (child && child.exitCode === null) {
      child.kill();
    }
  });

  it('accepts the settings the extension sends and offers the command it intercepts', () => {
    const capabilities = initialized.capabilities;
    assert.ok(
      capabilities.executeCommandProvider?.commands.includes(SERVER_COMMANDS.optimize),
      `the server's commands ${JSON.stringify(capabilities.executeCommandProvider?.commands)} lack ${SERVER_COMMANDS.optimize}`,
    );
    const provider = capabilities.codeActionProvider;
    assert.ok(typeof provider === 'object' && provider.codeActionKinds?.includes(OPTIMIZE_ACTION_KIND));
  });

  let action: CodeAction;

  it('offers "Optimize `NAME` for speed" and "for memory" on a function, with the command the extension runs', async () => {
    await connection.sendNotification(DidOpenTextDocumentNotification.type, {
      textDocument: { uri, languageId: 'python', version: 1, text },
    });
    const line = text.slice(0, text.indexOf('def total_value')).split('\n').length - 1;
    const actions = await connection.sendRequest(CodeActionRequest.type, {
      textDocument: { uri },
      range: { start: { line: line + 1, character: 4 }, end: { line: line + 1, character: 4 } },
      context: { diagnostics: [] },
    });
    const ours = (actions ?? []).filter((item): item is CodeAction => 'kind' in item && item.kind === OPTIMIZE_ACTION_KIND);
    assert.deepEqual(
      ours.map((item) => item.title),
      ['Optimize `total_value` for speed (perforch)', 'Optimize `total_value` for memory (perforch)'],
      `perforch actions: ${JSON.stringify(actions)}`,
    );
    action = ours[0];
    assert.equal(action.command?.command, SERVER_COMMANDS.optimize);
    assert.equal(optimizeJobTitle(action.command?.arguments ?? []), 'Optimizing `total_value`');
    assert.equal(optimizeJobTitle(ours[1].command?.arguments ?? []), 'Optimizing `total_value` for memory');
  });

  it('answers an action offered on an older version with ContentModified, which the extension shows as a warning', async () => {
    assert.ok(action, 'the previous test found the action');
    await connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version: 2 },
      contentChanges: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '# edited\n' }],
    });
    const error = await connection
      .sendRequest(ExecuteCommandRequest.type, { command: action.command!.command, arguments: action.command!.arguments })
      .then(
        () => undefined,
        (failure: unknown) => failure,
      );
    assert.ok(error instanceof ResponseError, `expected an error reply, got ${JSON.stringify(error)}`);
    const notice = noticeForRequestError(error);
    assert.equal(notice.level, 'warning', `server said: ${error.code} ${error.message}`);
    assert.match((notice as { text: string }).text, /^perforch: .*choose the action again/);
  });

  it('answers workspace/configuration only with server fields, if it asks', () => {
    // The server may or may not pull settings; whatever it asked for got
    // the server's schema, never the client-only `path` or `trace`.
    for (const section of configurationSections) {
      const answer = configurationAnswer(section, toServerConfig(userSettings));
      assert.ok(answer.ours);
      assert.doesNotMatch(JSON.stringify(answer.value), /somewhere|verbose/);
    }
  });

  it('shuts down and exits with 0', async () => {
    await connection.sendRequest(ShutdownRequest.type);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    await connection.sendNotification(ExitNotification.type);
    assert.equal(await exited, 0, `stderr:\n${stderr}`);
  });
});
