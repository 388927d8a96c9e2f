// Bundles the extension and vscode-languageclient into one file, so the
// .vsix needs no node_modules. `vscode` is provided by the editor at run time.
import * as esbuild from 'esbuild';

await esbuild.build({
  entryPoints: ['src/extension.ts'],
  bundle: true,
  outfile: 'dist/extension.js',
  platform: 'node',
  format: 'cjs',
  // VS Code 1.90 runs extensions on Node 20.
  target: 'node20',
  external: ['vscode'],
  minify: process.argv.includes('--minify'),
  sourcemap: process.argv.includes('--sourcemap'),
  logLevel: 'info',
});
