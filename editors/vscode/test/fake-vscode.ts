// A stand-in for the `vscode` module, just large enough for the bundled
// extension and vscode-languageclient to run under plain node against the
// real perforch binary. VS Code itself cannot be downloaded here, so this
// plays the editor: it holds settings, records what the extension shows the
// user, and lets a test open documents and run commands.
//
// Parts of the API the test never exercises are generic no-ops (events that
// never fire, registrations that dispose, classes that hold their arguments);
// their names collect in `recorder.unused`, to look at when a test fails.

import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

type Listener<T> = (event: T) => unknown;

export class Disposable {
  static from(...items: { dispose(): unknown }[]): Disposable {
    return new Disposable(() => items.forEach((item) => item.dispose()));
  }
  constructor(private readonly onDispose: () => unknown = () => {}) {}
  dispose(): void {
    this.onDispose();
  }
}

export class EventEmitter<T> {
  private listeners = new Set<Listener<T>>();
  event = (listener: Listener<T>, thisArg?: unknown, disposables?: Disposable[]): Disposable => {
    const bound: Listener<T> = (event) => listener.call(thisArg, event);
    this.listeners.add(bound);
    const disposable = new Disposable(() => this.listeners.delete(bound));
    disposables?.push(disposable);
    return disposable;
  };
  fire(event: T): void {
    for (const listener of [...this.listeners]) listener(event);
  }
  dispose(): void {
    this.listeners.clear();
  }
}

export class CancellationError extends Error {
  constructor() {
    super('Canceled');
    this.name = 'Canceled';
  }
}

export class CancellationTokenSource {
  private readonly emitter = new EventEmitter<void>();
  private cancelled = false;
  readonly token = {
    isCancellationRequested: false,
    onCancellationRequested: this.emitter.event,
  };
  cancel(): void {
    if (!this.cancelled) {
      this.cancelled = true;
      this.token.isCancellationRequested = true;
      this.emitter.fire();
    }
  }
  dispose(): void {
    this.emitter.dispose();
  }
}

export class Uri {
  private constructor(
    readonly scheme: string,
    readonly authority: string,
    readonly path: string,
    readonly query: string,
    readonly fragment: string,
  ) {}
  static parse(value: string): Uri {
    const url = new URL(value);
    return new Uri(url.protocol.replace(/:$/, ''), url.host, decodeURIComponent(url.pathname), url.search.replace(/^\?/, ''), url.hash.replace(/^#/, ''));
  }
  static file(fsPath: string): Uri {
    return Uri.parse(pathToFileURL(fsPath).toString());
  }
  get fsPath(): string {
    return this.scheme === 'file' ? fileURLToPath(this.toString()) : this.path;
  }
  with(change: Partial<Record<'scheme' | 'authority' | 'path' | 'query' | 'fragment', string>>): Uri {
    return new Uri(
      change.scheme ?? this.scheme,
      change.authority ?? this.authority,
      change.path ?? this.path,
      change.query ?? this.query,
      change.fragment ?? this.fragment,
    );
  }
  toString(): string {
    const url = new URL(`${this.scheme}://${this.authority}`);
    url.pathname = this.path;
    let text = url.toString();
    if (this.query) text += `?${this.query}`;
    if (this.fragment) text += `#${this.fragment}`;
    return text;
  }
  toJSON(): unknown {
    return { scheme: this.scheme, path: this.path, external: this.toString() };
  }
}

export class Position {
  constructor(
    readonly line: number,
    readonly character: number,
  ) {}
}

export class Range {
  readonly start: Position;
  readonly end: Position;
  constructor(a: any, b: any, c?: number, d?: number) {
    this.start = typeof a === 'number' ? new Position(a, b) : a;
    this.end = typeof a === 'number' ? new Position(c!, d!) : b;
  }
}

export class CodeActionKind {
  static readonly Empty = new CodeActionKind('');
  static readonly QuickFix = new CodeActionKind('quickfix');
  static readonly Refactor = new CodeActionKind('refactor');
  static readonly RefactorExtract = new CodeActionKind('refactor.extract');
  static readonly RefactorInline = new CodeActionKind('refactor.inline');
  static readonly RefactorRewrite = new CodeActionKind('refactor.rewrite');
  static readonly Source = new CodeActionKind('source');
  static readonly SourceOrganizeImports = new CodeActionKind('source.organizeImports');
  constructor(readonly value: string) {}
  append(part: string): CodeActionKind {
    return new CodeActionKind(this.value ? `${this.value}.${part}` : part);
  }
  contains(other: CodeActionKind): boolean {
    return this.value === '' || other.value === this.value || other.value.startsWith(`${this.value}.`);
  }
  intersects(other: CodeActionKind): boolean {
    return this.contains(other) || other.contains(this);
  }
}

export class CodeAction {
  command: any;
  edit: any;
  diagnostics: any;
  isPreferred: any;
  constructor(
    public title: string,
    public kind?: CodeActionKind,
  ) {}
}

export class ThemeColor {
  constructor(readonly id: string) {}
}

export const StatusBarAlignment = { Left: 1, Right: 2 };
export const ViewColumn = { Active: -1, Beside: -2, One: 1 };
export const ProgressLocation = { SourceControl: 1, Window: 10, Notification: 15 };
export const DiagnosticSeverity = { Error: 0, Warning: 1, Information: 2, Hint: 3 };
export const TextDocumentSaveReason = { Manual: 1, AfterDelay: 2, FocusOut: 3 };
export const CodeActionTriggerKind = { Invoke: 1, Automatic: 2 };
export const FileType = { Unknown: 0, File: 1, Directory: 2, SymbolicLink: 64 };
export const version = '1.90.0';

/** What the extension showed or asked, for the test to inspect. */
export interface Recorder {
  messages: { level: 'info' | 'warning' | 'error'; text: string; actions: string[] }[];
  output: string[];
  executed: { command: string; args: unknown[] }[];
  contexts: Record<string, unknown>;
  statusBar: { text: string; visible: boolean; command?: string };
  /** Every status bar text shown, in order. */
  statusBarHistory: string[];
  /** Titles of the progress indicators opened with `window.withProgress`. */
  progress: string[];
  unused: Set<string>;
}

export interface FakeTextDocument {
  uri: Uri;
  fileName: string;
  languageId: string;
  version: number;
  isClosed: boolean;
  getText(): string;
}

/** Builds a fresh fake editor: its `vscode` module, recorder and controls. */
export function createFakeVscode(options: { settings: Record<string, unknown>; workspaceFolder: string }) {
  const recorder: Recorder = {
    messages: [],
    output: [],
    executed: [],
    contexts: {},
    statusBar: { text: '', visible: false },
    statusBarHistory: [],
    progress: [],
    unused: new Set(),
  };
  const settings = { ...options.settings };
  const commands = new Map<string, (...args: any[]) => unknown>();
  const documents: FakeTextDocument[] = [];
  const codeActionProviders: { selector: unknown; provider: any }[] = [];
  const onDidOpen = new EventEmitter<FakeTextDocument>();
  const onDidChange = new EventEmitter<any>();
  const onDidClose = new EventEmitter<FakeTextDocument>();
  const onDidChangeConfiguration = new EventEmitter<{ affectsConfiguration(section: string): boolean }>();

  // Settings are flat `section.key` names; `get` returns the set value or
  // the one in package.json's defaults, `inspect` says which scope set it.
  const defaults: Record<string, unknown> = {};
  const manifest = require(path.join(__dirname, '..', '..', 'package.json'));
  for (const [name, schema] of Object.entries<any>(manifest.contributes.configuration.properties)) {
    defaults[name] = schema.default;
  }
  function configuration(section?: string) {
    const full = (key: string) => (section ? `${section}.${key}` : key);
    return {
      get(key: string, fallback?: unknown) {
        const name = full(key);
        if (name in settings) return settings[name];
        if (name in defaults) return defaults[name];
        // A section read as a whole, e.g. `perforch.trace`.
        const prefix = `${name}.`;
        const nested: Record<string, unknown> = {};
        for (const [setting, value] of Object.entries({ ...defaults, ...settings })) {
          if (setting.startsWith(prefix)) nested[setting.slice(prefix.length)] = value;
        }
        return Object.keys(nested).length > 0 ? nested : fallback;
      },
      has(key: string) {
        return full(key) in settings || full(key) in defaults;
      },
      inspect(key: string) {
        const name = full(key);
        return { key: name, defaultValue: defaults[name], globalValue: settings[name] };
      },
      update() {
        return Promise.resolve();
      },
    };
  }

  const noOpEvent = () => new Disposable();
  function namespace(name: string, members: Record<string, unknown>) {
    return new Proxy(members, {
      get(target, property) {
        if (typeof property !== 'string' || property in target) return (target as any)[property];
        recorder.unused.add(`${name}.${property}`);
        if (property.startsWith('on')) return noOpEvent;
        if (property.startsWith('register') || property.startsWith('create')) {
          return () => ({ dispose() {}, onDidCreate: noOpEvent, onDidChange: noOpEvent, onDidDelete: noOpEvent });
        }
        return undefined;
      },
    });
  }

  const outputChannel = (name: string) => ({
    name,
    append: (text: string) => recorder.output.push(text),
    appendLine: (text: string) => recorder.output.push(`${text}\n`),
    replace: (text: string) => recorder.output.push(text),
    clear() {},
    show() {},
    hide() {},
    dispose() {},
  });

  const record =
    (level: 'info' | 'warning' | 'error') =>
    (text: string, ...actions: unknown[]) => {
      recorder.messages.push({ level, text, actions: actions.filter((a): a is string => typeof a === 'string') });
      return Promise.resolve(undefined);
    };

  const workspace = namespace('workspace', {
    workspaceFolders: [{ uri: Uri.file(options.workspaceFolder), name: path.basename(options.workspaceFolder), index: 0 }],
    textDocuments: documents,
    notebookDocuments: [],
    getConfiguration: configuration,
    getWorkspaceFolder: () => undefined,
    onDidOpenTextDocument: onDidOpen.event,
    onDidChangeTextDocument: onDidChange.event,
    onDidCloseTextDocument: onDidClose.event,
    onDidChangeConfiguration: onDidChangeConfiguration.event,
  });
  const window = namespace('window', {
    activeTextEditor: undefined,
    visibleTextEditors: [],
    tabGroups: { all: [], onDidChangeTabs: noOpEvent, onDidChangeTabGroups: noOpEvent },
    createOutputChannel: outputChannel,
    createStatusBarItem: () => {
      const item = {
        text: '',
        tooltip: undefined as unknown,
        command: undefined as string | undefined,
        name: '',
        backgroundColor: undefined as unknown,
        show() {
          recorder.statusBar = { text: item.text, visible: true, command: item.command };
          recorder.statusBarHistory.push(item.text);
        },
        hide() {
          recorder.statusBar = { text: item.text, visible: false, command: item.command };
        },
        dispose() {},
      };
      return item;
    },
    showInformationMessage: record('info'),
    showWarningMessage: record('warning'),
    showErrorMessage: record('error'),
    showQuickPick: (items: any[]) => Promise.resolve(items[0]),
    withProgress: (options: { title?: string }, task: (progress: unknown, token: unknown) => Promise<unknown>) => {
      recorder.progress.push(options.title ?? '');
      return task({ report() {} }, new CancellationTokenSource().token);
    },
    showTextDocument: () => Promise.resolve(undefined),
  });
  const languages = namespace('languages', {
    match: (selector: any, document: FakeTextDocument) => {
      const filters = Array.isArray(selector) ? selector : [selector];
      return filters.some((filter: any) =>
        typeof filter === 'string'
          ? filter === document.languageId
          : (filter.language === undefined || filter.language === document.languageId) &&
            (filter.scheme === undefined || filter.scheme === document.uri.scheme),
      )
        ? 10
        : 0;
    },
    registerCodeActionsProvider(selector: unknown, provider: any) {
      codeActionProviders.push({ selector, provider });
      return new Disposable(() => codeActionProviders.splice(codeActionProviders.findIndex((p) => p.provider === provider), 1));
    },
    createDiagnosticCollection: () => ({ set() {}, delete() {}, clear() {}, dispose() {}, forEach() {}, get: () => [], has: () => false }),
  });
  const vscodeCommands = namespace('commands', {
    registerCommand(command: string, callback: (...args: any[]) => unknown) {
      if (commands.has(command)) throw new Error(`command '${command}' already exists`);
      commands.set(command, callback);
      return new Disposable(() => commands.delete(command));
    },
    executeCommand(command: string, ...args: unknown[]) {
      recorder.executed.push({ command, args });
      if (command === 'setContext') {
        recorder.contexts[args[0] as string] = args[1];
        return Promise.resolve(undefined);
      }
      const callback = commands.get(command);
      return Promise.resolve(callback ? callback(...args) : undefined);
    },
  });
  const env = namespace('env', { language: 'en', appName: 'perforch fake editor', openExternal: () => Promise.resolve(true) });
  const extensions = namespace('extensions', { all: [], getExtension: () => undefined });

  const module = {
    Disposable,
    EventEmitter,
    CancellationError,
    CancellationTokenSource,
    Uri,
    Position,
    Range,
    CodeAction,
    CodeActionKind,
    ThemeColor,
    StatusBarAlignment,
    ViewColumn,
    ProgressLocation,
    DiagnosticSeverity,
    TextDocumentSaveReason,
    CodeActionTriggerKind,
    FileType,
    version,
    workspace,
    window,
    languages,
    commands: vscodeCommands,
    env,
    extensions,
  };

  // Classes the language client subclasses or builds for features perforch
  // does not offer (completion, hovers, ...): plain holders of their arguments.
  const genericClasses = new Map<string, unknown>();
  const vscodeModule = new Proxy(module as Record<string, unknown>, {
    get(target, property) {
      if (typeof property !== 'string' || property in target) return target[property as string];
      if (!/^[A-Z]/.test(property)) {
        recorder.unused.add(property);
        return undefined;
      }
      if (!genericClasses.has(property)) {
        recorder.unused.add(property);
        genericClasses.set(
          property,
          class {
            readonly args: unknown[];
            constructor(...args: unknown[]) {
              this.args = args;
            }
          },
        );
      }
      return genericClasses.get(property);
    },
  });

  const controls = {
    /** Open a document as VS Code would: it joins `textDocuments`, then the event fires. */
    openDocument(fsPath: string, languageId: string, text: string): FakeTextDocument {
      const document: FakeTextDocument = {
        uri: Uri.file(fsPath),
        fileName: fsPath,
        languageId,
        version: 1,
        isClosed: false,
        getText: () => text,
      };
      documents.push(document);
      onDidOpen.fire(document);
      return document;
    },
    /** Insert text at a position, as typing does: a new version, then the event. */
    insertText(document: FakeTextDocument, line: number, character: number, text: string): void {
      const lines = document.getText().split('\n');
      lines[line] = lines[line].slice(0, character) + text + lines[line].slice(character);
      const updated = lines.join('\n');
      document.getText = () => updated;
      document.version += 1;
      const at = new Position(line, character);
      onDidChange.fire({
        document,
        contentChanges: [{ range: new Range(at, at), rangeOffset: 0, rangeLength: 0, text }],
        reason: undefined,
      });
    },
    /** The code actions VS Code would list at a position (the light bulb). */
    async codeActions(document: FakeTextDocument, line: number, character: number): Promise<any[]> {
      const at = new Position(line, character);
      const token = new CancellationTokenSource().token;
      const actions: any[] = [];
      for (const { selector, provider } of codeActionProviders) {
        if ((languages as any).match(selector, document) === 0) continue;
        const context = { diagnostics: [], only: undefined, triggerKind: CodeActionTriggerKind.Invoke };
        actions.push(...((await provider.provideCodeActions(document, new Range(at, at), context, token)) ?? []));
      }
      return actions;
    },
    /** Change settings and tell listeners, as the Settings editor does. */
    changeSettings(changes: Record<string, unknown>): void {
      Object.assign(settings, changes);
      const changed = Object.keys(changes);
      onDidChangeConfiguration.fire({
        affectsConfiguration: (section: string) =>
          changed.some((name) => name === section || name.startsWith(`${section}.`) || section.startsWith(`${name}.`)),
      });
    },
    runCommand(command: string, ...args: unknown[]): Promise<unknown> {
      const callback = commands.get(command);
      if (!callback) throw new Error(`no command ${command}; registered: ${[...commands.keys()].join(', ')}`);
      return Promise.resolve(callback(...args));
    },
    hasCommand: (command: string) => commands.has(command),
  };
  return { module: vscodeModule as typeof module, recorder, controls };
}
