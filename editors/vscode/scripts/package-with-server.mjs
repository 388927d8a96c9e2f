// Packages a platform-specific .vsix with the perforch binary in bin/, for
// users who should not need Rust. The binary is PERFORCH_BIN or the release
// build of this repository; bin/ is removed afterwards so a later universal
// `npm run package` does not pick it up by accident.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const exe = process.platform === 'win32' ? 'perforch.exe' : 'perforch';
const source = process.env.PERFORCH_BIN ?? path.resolve(here, '..', '..', 'target', 'release', exe);
if (!fs.existsSync(source)) {
  console.error(`no perforch binary at ${source}: run \`cargo build --release\` first, or set PERFORCH_BIN`);
  process.exit(1);
}

// VS Code's names for the platforms a .vsix can target.
const targets = {
  'linux-x64': 'linux-x64',
  'linux-arm64': 'linux-arm64',
  'darwin-x64': 'darwin-x64',
  'darwin-arm64': 'darwin-arm64',
  'win32-x64': 'win32-x64',
  'win32-arm64': 'win32-arm64',
};
const target = targets[`${process.platform}-${process.arch}`];
if (!target) {
  console.error(`VS Code has no .vsix target for ${process.platform}-${process.arch}`);
  process.exit(1);
}

const bin = path.join(here, 'bin');
fs.rmSync(bin, { recursive: true, force: true });
fs.mkdirSync(bin);
fs.copyFileSync(source, path.join(bin, exe));
fs.chmodSync(path.join(bin, exe), 0o755);
try {
  const vsce = path.join(here, 'node_modules', '@vscode', 'vsce', 'vsce');
  execFileSync(process.execPath, [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--target', target, '--out', `perforch-${target}.vsix`], {
    cwd: here,
    stdio: 'inherit',
  });
} finally {
  fs.rmSync(bin, { recursive: true, force: true });
}
