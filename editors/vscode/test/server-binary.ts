// The perforch binary the tests start: PERFORCH_BIN, else the release build
// CI makes, else a debug build. Missing is a failure with what to run.

import * as os from 'node:os';
import * as path from 'node:path';

import { resolveServerBinary } from '../src/binary';

export const repoRoot = path.resolve(__dirname, '..', '..', '..', '..');

export function serverBinary(): string {
  const candidates = process.env.PERFORCH_BIN
    ? [process.env.PERFORCH_BIN]
    : ['release', 'debug'].map((profile) => path.join(repoRoot, 'target', profile, 'perforch'));
  for (const candidate of candidates) {
    try {
      return resolveServerBinary({
        configuredPath: candidate,
        envPath: '',
        extensionDir: repoRoot,
        platform: process.platform,
        homeDir: os.homedir(),
      }).path;
    } catch {
      // try the next one
    }
  }
  throw new Error(
    `no perforch binary at ${candidates.join(' or ')}: run \`cargo build --release\` in ${repoRoot} first, ` +
      'or set PERFORCH_BIN to the binary to test',
  );
}
