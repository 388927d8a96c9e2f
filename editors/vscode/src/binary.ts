// Finding the `perforch` binary: the `perforch.path` setting, then PATH, then
// the copy bundled in the extension's `bin/` folder. No `vscode` import, so
// this runs (and is tested) under plain node.

import * as fs from 'node:fs';
import * as path from 'node:path';

export interface BinarySearch {
  /** Value of `perforch.path`; empty or unset means "look it up". */
  configuredPath: string | null | undefined;
  /** The PATH environment variable of the extension host. */
  envPath: string | undefined;
  /** Windows PATHEXT; ignored elsewhere. */
  pathExt?: string;
  /** Folder the extension is installed in (holds `bin/`). */
  extensionDir: string;
  platform: NodeJS.Platform;
  homeDir: string;
  /** First workspace folder: expands `${workspaceFolder}` and anchors relative paths. */
  workspaceFolder?: string;
}

export type BinarySource = 'setting' | 'PATH' | 'bundled';

export interface ResolvedBinary {
  path: string;
  source: BinarySource;
}

/** No usable binary; the message tells the user which setting to change. */
export class BinaryNotFoundError extends Error {
  constructor(
    message: string,
    /** True when `perforch.path` is set but wrong (so fixing it is the remedy). */
    readonly settingIsWrong: boolean,
  ) {
    super(message);
    this.name = 'BinaryNotFoundError';
  }
}

export const BINARY_NAME = 'perforch';

/**
 * The binary to start. A `perforch.path` that points nowhere is an error,
 * not a reason to fall back: silently starting another perforch than the one
 * the user named would make every later surprise hard to explain.
 */
export function resolveServerBinary(search: BinarySearch): ResolvedBinary {
  const configured = search.configuredPath?.trim();
  if (configured) {
    return { path: checkConfiguredPath(configured, search), source: 'setting' };
  }
  const onPath = findOnPath(search);
  if (onPath) {
    return { path: onPath, source: 'PATH' };
  }
  const bundled = path.join(search.extensionDir, 'bin', executableName(search.platform));
  if (isExecutableFile(bundled, search.platform)) {
    return { path: bundled, source: 'bundled' };
  }
  throw new BinaryNotFoundError(
    `Could not find the ${BINARY_NAME} binary: it is not on PATH and this extension has no bundled ` +
      `bin/${executableName(search.platform)}. Build it with \`cargo build --release\` and set ` +
      `\`perforch.path\` to the full path of target/release/${executableName(search.platform)}, ` +
      `or put ${BINARY_NAME} on PATH.`,
    false,
  );
}

function checkConfiguredPath(configured: string, search: BinarySearch): string {
  const expanded = expandVariables(configured, search);
  if (!path.isAbsolute(expanded) && !search.workspaceFolder) {
    throw new BinaryNotFoundError(
      `\`perforch.path\` is the relative path "${configured}" but no folder is open to resolve it ` +
        `against; set \`perforch.path\` to an absolute path.`,
      true,
    );
  }
  const absolute = path.resolve(search.workspaceFolder ?? '', expanded);
  const shown = absolute === configured ? `"${configured}"` : `"${configured}" (${absolute})`;
  let stat: fs.Stats;
  try {
    stat = fs.statSync(absolute);
  } catch {
    throw new BinaryNotFoundError(
      `\`perforch.path\` is set to ${shown}, but there is no file there; fix \`perforch.path\` ` +
        `or clear it to look for ${BINARY_NAME} on PATH.`,
      true,
    );
  }
  if (!stat.isFile()) {
    throw new BinaryNotFoundError(
      `\`perforch.path\` is set to ${shown}, which is not a file; point \`perforch.path\` at the ` +
        `${BINARY_NAME} binary itself.`,
      true,
    );
  }
  if (!isExecutableFile(absolute, search.platform)) {
    throw new BinaryNotFoundError(
      `\`perforch.path\` is set to ${shown}, which is not executable; run \`chmod +x ${absolute}\` ` +
        `or fix \`perforch.path\`.`,
      true,
    );
  }
  return absolute;
}

/** `~`, `${userHome}` and `${workspaceFolder}`, as VS Code users write them. */
export function expandVariables(value: string, search: Pick<BinarySearch, 'homeDir' | 'workspaceFolder'>): string {
  let expanded = value;
  if (expanded === '~' || expanded.startsWith('~/') || expanded.startsWith('~\\')) {
    expanded = search.homeDir + expanded.slice(1);
  }
  expanded = expanded.split('${userHome}').join(search.homeDir);
  if (search.workspaceFolder !== undefined) {
    expanded = expanded.split('${workspaceFolder}').join(search.workspaceFolder);
  }
  return expanded;
}

function findOnPath(search: BinarySearch): string | undefined {
  const separator = search.platform === 'win32' ? ';' : ':';
  const directories = (search.envPath ?? '').split(separator).filter((dir) => dir.length > 0);
  const names = candidateNames(search);
  for (const directory of directories) {
    for (const name of names) {
      const candidate = path.join(directory, name);
      if (isExecutableFile(candidate, search.platform)) {
        return candidate;
      }
    }
  }
  return undefined;
}

function candidateNames(search: BinarySearch): string[] {
  if (search.platform !== 'win32') {
    return [BINARY_NAME];
  }
  const extensions = (search.pathExt ?? '.EXE;.CMD;.BAT').split(';').filter((ext) => ext.length > 0);
  return extensions.map((ext) => BINARY_NAME + ext.toLowerCase());
}

function executableName(platform: NodeJS.Platform): string {
  return platform === 'win32' ? `${BINARY_NAME}.exe` : BINARY_NAME;
}

function isExecutableFile(file: string, platform: NodeJS.Platform): boolean {
  try {
    if (!fs.statSync(file).isFile()) {
      return false;
    }
    // Windows has no execute bit; the extension decides executability there.
    if (platform !== 'win32') {
      fs.accessSync(file, fs.constants.X_OK);
    }
    return true;
  } catch {
    return false;
  }
}
