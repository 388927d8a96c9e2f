// The VS Code side of perforch: starts `perforch lsp --stdio` through
// vscode-languageclient, feeds it the `perforch.*` settings, and gives the
// user a handle on running jobs and their reports. The decisions (which
// binary, which settings, which message) live in the small modules beside
// this one; this file only wires them to VS Code.

import * as os from 'node:os';
import * as vscode from 'vscode';
import {
  CancellationToken,
  DidChangeConfigurationNotification,
  ExecuteCommandRequest,
  LanguageClient,
  LanguageClientOptions,
  Middleware,
  ResponseError,
  ServerOptions,
  State,
  WorkDoneProgressCancelNotification,
} from 'vscode-languageclient/node';

import { BinaryNotFoundError, resolveServerBinary } from './binary';
import { forwardProgressToClient, JobTracker, optimizeJobTitle, statusText } from './jobs';
import { isMarkdownReport, noticeForRequestError } from './messages';
import { CLIENT_COMMANDS, LANGUAGES, SECTION, SERVER_ARGS, SERVER_COMMANDS } from './protocol';
import {
  configurationAnswer,
  didChangeConfigurationSettings,
  isUserSet,
  reactionToChange,
  serverSettingKeys,
  ServerConfig,
  toServerConfig,
} from './settings';

let controller: ServerController | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel('perforch');
  const properties = context.extension.packageJSON?.contributes?.configuration?.properties ?? {};
  controller = new ServerController(context, output, serverSettingKeys(properties));
  context.subscriptions.push(
    output,
    controller,
    vscode.commands.registerCommand(CLIENT_COMMANDS.restartServer, () => controller?.restart()),
    vscode.commands.registerCommand(CLIENT_COMMANDS.showOutput, () => output.show(true)),
    vscode.commands.registerCommand(CLIENT_COMMANDS.showLastReport, () => controller?.showLastReport()),
    vscode.commands.registerCommand(CLIENT_COMMANDS.cancelJob, () => controller?.cancelJob()),
    vscode.workspace.onDidChangeConfiguration((event) => controller?.onSettingsChanged(event)),
  );
  await controller.start();
}

export async function deactivate(): Promise<void> {
  await controller?.stop();
  controller = undefined;
}

/** One language client for the whole window, restartable with a new binary. */
class ServerController implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private readonly jobs = new JobTracker();
  private readonly status: vscode.StatusBarItem;
  private lastReport: vscode.Uri | undefined;
  private problem: string | undefined;
  private restarts: Promise<void> = Promise.resolve();

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly output: vscode.OutputChannel,
    private readonly serverKeys: readonly string[],
  ) {
    this.status = vscode.window.createStatusBarItem('perforch.status', vscode.StatusBarAlignment.Left, 0);
    this.status.name = 'perforch';
    this.jobs.onDidChange(() => this.refreshStatus());
  }

  async start(): Promise<void> {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    let binary;
    try {
      binary = resolveServerBinary({
        configuredPath: vscode.workspace.getConfiguration(SECTION).get<string | null>('path'),
        envPath: process.env.PATH,
        pathExt: process.env.PATHEXT,
        extensionDir: this.context.extensionPath,
        platform: process.platform,
        homeDir: os.homedir(),
        workspaceFolder: folder,
      });
    } catch (error) {
      if (!(error instanceof BinaryNotFoundError)) throw error;
      this.log(error.message);
      this.setProblem('perforch is not running: its binary was not found');
      void this.offerFix(error.message, 'Open Settings');
      return;
    }
    this.log(`starting ${binary.path} ${SERVER_ARGS.join(' ')} (found via ${binary.source})`);
    const serverOptions: ServerOptions = {
      command: binary.path,
      args: [...SERVER_ARGS],
      options: { cwd: folder },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: LANGUAGES.map((language) => ({ scheme: 'file', language })),
      outputChannel: this.output,
      initializationOptions: () => this.serverConfig(undefined),
      middleware: this.middleware(),
    };
    const client = new LanguageClient(SECTION, 'perforch', serverOptions, clientOptions);
    client.onDidChangeState(({ newState }) => {
      // A client we stopped on purpose is no longer `this.client`.
      if (this.client !== client) return;
      if (newState === State.Stopped) {
        this.jobs.clear();
        this.setProblem('perforch stopped; see the output, then run "perforch: Restart Server"');
      } else if (newState === State.Running) {
        this.setProblem(undefined);
      }
    });
    this.client = client;
    try {
      await client.start();
    } catch (error) {
      // The language client has already shown and logged the failure.
      this.log(`the server did not start: ${String(error)}`);
      this.setProblem('perforch failed to start; see the output');
    }
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    try {
      if (client.needsStop()) {
        await client.stop();
      }
    } catch (error) {
      this.log(`stopping the server failed: ${String(error)}`);
    } finally {
      this.jobs.clear();
    }
  }

  /** Restarts run one after another, so quick edits of `perforch.path` never start two servers. */
  restart(): Promise<void> {
    this.restarts = this.restarts.then(async () => {
      this.log('restarting the server');
      await this.stop();
      this.setProblem(undefined);
      await this.start();
    });
    return this.restarts;
  }

  onSettingsChanged(event: vscode.ConfigurationChangeEvent): void {
    switch (reactionToChange((section) => event.affectsConfiguration(section), this.serverKeys)) {
      case 'restart':
        void this.restart();
        break;
      case 'notify':
        if (this.client?.isRunning()) {
          void this.client.sendNotification(DidChangeConfigurationNotification.type, {
            settings: didChangeConfigurationSettings(this.serverConfig(undefined)),
          });
        }
        break;
      case 'none':
        break;
    }
  }

  async cancelJob(): Promise<void> {
    const targets = this.jobs.cancelTargets();
    if (targets.length === 0) {
      void vscode.window.showInformationMessage('perforch: no optimisation job is running.');
      return;
    }
    let chosen = targets[0];
    if (targets.length > 1) {
      const picked = await vscode.window.showQuickPick(
        targets.map((job) => ({ label: job.title, description: job.message, job })),
        { placeHolder: 'Which perforch job should stop?' },
      );
      if (!picked) return;
      chosen = picked.job;
    }
    this.jobs.cancel(chosen.id);
    this.log(`cancel requested: ${chosen.title}`);
  }

  async showLastReport(): Promise<void> {
    if (this.lastReport) {
      await this.openReport(this.lastReport);
      return;
    }
    const serverCommands = this.client?.initializeResult?.capabilities.executeCommandProvider?.commands ?? [];
    if (this.client?.isRunning() && serverCommands.includes(SERVER_COMMANDS.showReport)) {
      // The server knows its reports; it answers with window/showDocument.
      await this.sendCommand(SERVER_COMMANDS.showReport, [], false);
      return;
    }
    void vscode.window.showInformationMessage(
      'perforch: no report yet. Put the cursor in a function and choose "Optimize … for speed (perforch)" first.',
    );
  }

  dispose(): void {
    void this.stop();
    this.status.dispose();
  }

  private middleware(): Middleware {
    return {
      workspace: {
        configuration: async (params, token, next) => {
          const answers = params.items.map((item) =>
            configurationAnswer(item.section, this.serverConfig(item.scopeUri ? vscode.Uri.parse(item.scopeUri) : undefined)),
          );
          if (answers.every((answer) => answer.ours)) {
            return answers.map((answer) => (answer.ours ? answer.value : null));
          }
          const fallback = await next(params, token);
          if (!Array.isArray(fallback)) return fallback;
          return answers.map((answer, index) => (answer.ours ? answer.value : fallback[index]));
        },
      },
      executeCommand: (command, args, next) =>
        command === SERVER_COMMANDS.optimize ? this.sendCommand(command, args, true) : next(command, args),
      handleWorkDoneProgress: (token, params, next) => {
        switch (params.kind) {
          case 'begin':
            this.jobs.beginProgress(token, params, () => {
              void this.client?.sendNotification(WorkDoneProgressCancelNotification.type, { token });
            });
            break;
          case 'report':
            this.jobs.reportProgress(token, params);
            break;
          case 'end':
            this.jobs.endProgress(token);
            break;
        }
        if (forwardProgressToClient(params.kind)) {
          next(token, params);
        }
      },
      window: {
        showDocument: async (params, next) => {
          if (isMarkdownReport(params.uri, params.external)) {
            const uri = vscode.Uri.parse(params.uri);
            this.lastReport = uri;
            if (await this.openReport(uri)) {
              return { success: true };
            }
          }
          const result = await next(params, CancellationToken.None);
          return result instanceof ResponseError ? { success: false } : result;
        },
      },
    };
  }

  /**
   * Send a server command ourselves rather than through the client's default
   * path: that way it can be cancelled, and a failure (or a stale document,
   * which the default path swallows) is told to the user.
   */
  private async sendCommand(command: string, args: unknown[], track: boolean): Promise<unknown> {
    const client = this.client;
    if (!client) {
      void vscode.window.showErrorMessage('perforch is not running; run "perforch: Restart Server".');
      return undefined;
    }
    const cancellation = new vscode.CancellationTokenSource();
    const finished = track ? this.jobs.beginRequest(optimizeJobTitle(args), () => cancellation.cancel()) : () => {};
    try {
      return await client.sendRequest(ExecuteCommandRequest.type, { command, arguments: args }, cancellation.token);
    } catch (error) {
      const notice = noticeForRequestError(error);
      if (notice.level !== 'silent') {
        this.log(`${command} failed: ${notice.text}`);
        if (notice.level === 'warning') {
          void vscode.window.showWarningMessage(notice.text);
        } else {
          void this.offerFix(notice.text, 'Show Output');
        }
      }
      return undefined;
    } finally {
      finished();
      cancellation.dispose();
    }
  }

  /** Reports are markdown: show them rendered, beside the code they describe. */
  private async openReport(uri: vscode.Uri): Promise<boolean> {
    try {
      await vscode.commands.executeCommand('markdown.showPreviewToSide', uri);
      return true;
    } catch (error) {
      this.log(`could not preview ${uri.toString()}: ${String(error)}; opening it as text`);
      try {
        await vscode.window.showTextDocument(uri, { preview: true, viewColumn: vscode.ViewColumn.Beside });
        return true;
      } catch {
        return false;
      }
    }
  }

  /**
   * The server's configuration for a scope: the settings the user set, so
   * a field left at its default never overrides perforch.toml.
   */
  private serverConfig(scope: vscode.Uri | undefined): ServerConfig {
    const settings = vscode.workspace.getConfiguration(SECTION, scope);
    const values: Record<string, unknown> = {};
    for (const key of this.serverKeys) {
      if (isUserSet(settings.inspect(key))) {
        values[key] = settings.get(key);
      }
    }
    return toServerConfig(values);
  }

  private async offerFix(message: string, firstAction: 'Open Settings' | 'Show Output'): Promise<void> {
    const actions = firstAction === 'Open Settings' ? ['Open Settings', 'Show Output'] : ['Show Output'];
    const choice = await vscode.window.showErrorMessage(message, ...actions);
    if (choice === 'Open Settings') {
      await vscode.commands.executeCommand('workbench.action.openSettings', `${SECTION}.path`);
    } else if (choice === 'Show Output') {
      this.output.show(true);
    }
  }

  private setProblem(problem: string | undefined): void {
    this.problem = problem;
    this.refreshStatus();
  }

  private refreshStatus(): void {
    const jobs = this.jobs.list();
    const text = statusText(jobs);
    void vscode.commands.executeCommand('setContext', 'perforch.jobRunning', jobs.length > 0);
    if (text) {
      this.status.text = `$(sync~spin) ${text}`;
      this.status.tooltip = 'Click to cancel (perforch: Cancel Optimisation Job)';
      this.status.command = CLIENT_COMMANDS.cancelJob;
      this.status.backgroundColor = undefined;
      this.status.show();
    } else if (this.problem) {
      this.status.text = '$(error) perforch';
      this.status.tooltip = this.problem;
      this.status.command = CLIENT_COMMANDS.showOutput;
      this.status.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
      this.status.show();
    } else {
      this.status.hide();
    }
  }

  private log(message: string): void {
    this.output.appendLine(`[client ${new Date().toISOString()}] ${message}`);
  }
}
