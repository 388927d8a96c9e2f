// The names the extension shares with the perforch server. They live in one
// place so the contract test (test/server.test.ts) checks the real binary
// against exactly what the extension relies on.

/** Arguments that start the language server over stdio. */
export const SERVER_ARGS: readonly string[] = ['lsp', '--stdio'];

/** Languages whose documents go to the server (C is analysed as C++). */
export const LANGUAGES: readonly string[] = ['python', 'java', 'cpp', 'c', 'go', 'rust'];

/** Commands the server implements (`workspace/executeCommand`). */
export const SERVER_COMMANDS = {
  /** Run an optimisation job for the function in its argument. */
  optimize: 'perforch.optimize',
  /** Open a job's markdown report through `window/showDocument`. */
  showReport: 'perforch.showReport',
} as const;

/** Code action kind of every perforch action. */
export const OPTIMIZE_ACTION_KIND = 'refactor.rewrite.perforch';

/** Commands the extension contributes (package.json `contributes.commands`). */
export const CLIENT_COMMANDS = {
  restartServer: 'perforch.restartServer',
  showOutput: 'perforch.showOutput',
  showLastReport: 'perforch.showLastReport',
  cancelJob: 'perforch.cancelJob',
} as const;

/** Configuration section of every setting, and the server's section name. */
export const SECTION = 'perforch';

/** JSON-RPC error codes the extension treats specially. */
export const ERROR_CODES = {
  requestCancelled: -32800,
  contentModified: -32801,
  /** The connection closed (server stopped or crashed) before the answer came. */
  pendingResponseRejected: -32097,
  connectionInactive: -32096,
} as const;
