// perforch's VS Code extension end to end, in a real VS Code: code-server
// (installed by `npm run e2e:setup`) with the packaged perforch.vsix
// installed by its CLI, the real perforch binary with its builtin offline
// optimizer and sandboxed executor, and a headless Chromium showing the
// workbench. The tests act as a user (keyboard, quick-fix menu, mouse) and
// check what the user sees: the hint under the slow loop, the "Optimize
// `count_allowed` with perforch" quick fix, the job in the status bar,
// "N.Nx faster" in the Problems panel, the report rendered beside the code,
// the applied fix in the editor while the file on disk is unchanged until
// saved; and a click on the running job in the status bar cancelling it.
//
// Run with `npm run e2e` (it bundles and packages the extension first).
// Anything missing is a failure saying what to install; nothing is skipped.

import { execFileSync } from 'node:child_process';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { CODE_SERVER_VERSION, codeServerPaths, requireTools } from './paths.mjs';
import { SilentModel } from './silent-model.mjs';
import { CodeServer, openBrowser } from './vscode.mjs';
import { Workbench } from './workbench.mjs';

const e2eDir = path.dirname(fileURLToPath(import.meta.url));
const extensionDir = path.dirname(e2eDir);
const repoRoot = path.resolve(extensionDir, '..', '..');

const FIXTURE = path.join(repoRoot, 'fixtures', 'python', 'moderation.py');
const SLOW_LOOP_TEST = 'if word not in banned:';
const FAST_MARKER = 'banned_set = set(banned)';

/** PERFORCH_BIN, else the release build CI makes, else a debug build (as `npm test` does). */
function perforchBinary() {
  const candidates = process.env.PERFORCH_BIN
    ? [process.env.PERFORCH_BIN]
    : ['release', 'debug'].map((profile) => path.join(repoRoot, 'target', profile, 'perforch'));
  const found = candidates.find((candidate) => fs.existsSync(candidate));
  if (!found) {
    throw new Error(
      `no perforch binary at ${candidates.join(' or ')}: run \`cargo build --release\` in ${repoRoot}, or set PERFORCH_BIN`,
    );
  }
  return found;
}

/** Everything the test needs, or one error naming what is missing and how to get it. */
function prerequisites() {
  const { chromium } = requireTools({ forSetup: false });
  const codeServer = codeServerPaths(e2eDir);
  if (!fs.existsSync(codeServer.marker)) {
    throw new Error(`code-server ${CODE_SERVER_VERSION} is not installed in ${codeServer.packageDir}: run \`npm run e2e:setup\``);
  }
  const vsix = path.join(extensionDir, 'perforch.vsix');
  if (!fs.existsSync(vsix)) {
    throw new Error(`no ${vsix}: run \`npm run package\` (or run the test with \`npm run e2e\`, which packages first)`);
  }
  return { chromium, entry: codeServer.entry, vsix, perforch: perforchBinary() };
}

/** 1-based line and column of the first `needle` in `text`. */
function positionOf(text, needle) {
  const lines = text.split('\n');
  const index = lines.findIndex((line) => line.includes(needle));
  assert.ok(index >= 0, `the fixture has no ${JSON.stringify(needle)}`);
  return { line: index + 1, column: lines[index].indexOf(needle) + 1 };
}

/** The `perforch` output channel (the client's log and the server's stderr), for failure messages. */
function perforchOutput(userDataDir) {
  const found = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/perforch/i.test(entry.name) && entry.name.endsWith('.log')) found.push(full);
    }
  };
  try {
    walk(path.join(userDataDir, 'logs'));
  } catch {
    return '(no logs)';
  }
  return found.map((file) => `--- ${file}\n${fs.readFileSync(file, 'utf8').slice(-6000)}`).join('\n') || '(no perforch log)';
}

const BUILTIN_TOML = '[[models]]\nname = "builtin"\nprovider = "builtin"\n\n[hints]\ndebounce_ms = 100\n';

/**
 * A fresh VS Code on a workspace holding a copy of the fixture and
 * `perforchToml`, with perforch.vsix installed through code-server's CLI
 * and the fixture open in the editor. Torn down after `t`; on failure the
 * scratch folder is kept with a screenshot, and the perforch output and
 * code-server's log are printed.
 */
async function openSession(t, perforchToml) {
  const needs = prerequisites();
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'perforch-vscode-e2e-'));
  const workspace = path.join(scratch, 'workspace');
  fs.mkdirSync(workspace);
  const file = path.join(workspace, 'moderation.py');
  fs.copyFileSync(FIXTURE, file);
  fs.writeFileSync(path.join(workspace, 'perforch.toml'), perforchToml);

  const home = path.join(scratch, 'home');
  const codeServer = new CodeServer({
    entry: needs.entry,
    scratch,
    // The perforch server inherits these: private routing memory, reports and executor cache.
    env: { XDG_CACHE_HOME: path.join(home, 'cache'), XDG_STATE_HOME: path.join(home, 'state') },
  });
  codeServer.writeUserSettings({
    'perforch.path': needs.perforch,
    'files.autoSave': 'off',
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'telemetry.telemetryLevel': 'off',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'security.workspace.trust.enabled': false,
  });

  const session = { workspace, file, original: fs.readFileSync(file, 'utf8'), passed: false, step: 'starting VS Code' };
  let browser;
  t.after(async () => {
    for (const note of session.workbench?.notes ?? []) t.diagnostic(note);
    if (!session.passed && session.page) {
      await session.page.screenshot({ path: path.join(scratch, 'failure.png') }).catch(() => {});
      fs.writeFileSync(path.join(scratch, 'failure.html'), await session.page.content().catch(() => ''));
    }
    await browser?.close().catch(() => {});
    await codeServer.stop();
    if (session.passed) {
      fs.rmSync(scratch, { recursive: true, force: true });
    } else {
      console.error(`\nfailed while: ${session.step}`);
      console.error(`kept ${scratch} (failure.png, failure.html, user-data/logs)`);
      console.error(`perforch output:\n${perforchOutput(codeServer.userDataDir)}`);
      console.error(`code-server output (end):\n${codeServer.log.join('').slice(-4000)}`);
    }
  });

  // Installed as a user installs a .vsix.
  const installed = await codeServer.installExtension(needs.vsix);
  assert.match(installed, /successfully installed/, installed);
  const packageJson = JSON.parse(fs.readFileSync(path.join(extensionDir, 'package.json'), 'utf8'));
  assert.ok(
    (await codeServer.listExtensions()).includes(`perforch.perforch@${packageJson.version}`),
    'code-server lists the installed extension',
  );

  await codeServer.start();
  let page;
  ({ browser, page } = await openBrowser(needs.chromium, scratch));
  session.page = page;
  session.workbench = new Workbench(page);
  await page.goto(codeServer.url(workspace));
  await session.workbench.waitUntilReady();
  await session.workbench.openFile('moderation.py', 'def count_allowed');
  return session;
}

/** Waits for perforch's hint on `line` (the server is up and looking); returns its hover text. */
async function hintHover(workbench, line) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      return await workbench.hoverDiagnosticOnLine('hint', line);
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`the perforch hint never showed on line ${line}: ${error.message}`);
      await workbench.page.waitForTimeout(500);
    }
  }
}

test('in VS Code a user sees the hint, optimizes from its quick fix, sees "N.Nx faster" and applies it', async (t) => {
  // The builtin optimizer: offline, no key; it rewrites the list searched
  // in the loop into a set built once, then the executor verifies and times it.
  const session = await openSession(t, BUILTIN_TOML);
  const { workbench, original, file } = session;

  session.step = 'looking for the hint';
  // The hint: dotted under the loop's membership test, its message on hover.
  const slowLoop = positionOf(original, SLOW_LOOP_TEST);
  const hover = await hintHover(workbench, slowLoop.line);
  assert.match(hover, /`banned` is a list/, `the hover shows the hint's message: ${hover}`);
  assert.match(hover, /build a set once before the loop/, hover);
  assert.match(hover, /perforch/, `the hover names perforch as the source: ${hover}`);

  session.step = 'optimizing from the quick fix of the hint';
  // Ctrl+. on the hint offers the optimisation; choosing it starts a job.
  await workbench.goTo(slowLoop.line, slowLoop.column + 'if '.length);
  const offered = await workbench.quickFix(/^Optimize `count_allowed` with perforch$/);
  assert.equal(offered.chosen, 'Optimize `count_allowed` with perforch', JSON.stringify(offered.titles));
  // The job in the status bar: the extension's item, with the server's progress.
  const running = await workbench.waitForStatusBar(/^perforch: optimising `count_allowed` for speed \(\d+%\)/, 30_000);
  t.diagnostic(`status bar while the job runs: ${running}`);
  const jobItems = (await workbench.statusBar()).filter((item) => item.includes('optimising `count_allowed`'));
  assert.equal(jobItems.length, 1, `one status bar item per job: ${JSON.stringify(jobItems)}`);

  session.step = 'waiting for the result';
  // The result in the Problems panel (the builtin rewrite, verified and measured).
  await workbench.showProblems();
  const problems = await workbench.waitForProblems(
    (rows) => rows.some((row) => /\d+\.\dx faster/.test(row)),
    'the job\'s result',
    300_000,
  );
  const result = problems.find((row) => /\d+\.\dx faster/.test(row));
  t.diagnostic(`Problems panel: ${result}`);
  assert.match(result, /perforch/, result);
  const speedup = result.match(/(\d+\.\d)x faster/)[1];
  assert.ok(Number(speedup) > 1, `faster means more than 1.0x: ${result}`);

  session.step = 'opening the report';
  // The job's report, rendered beside the code.
  const name = positionOf(original, 'def count_allowed');
  await workbench.goTo(name.line, name.column + 'def '.length);
  await workbench.quickFix(/^Show perforch report for `count_allowed`$/);
  const report = await workbench.waitForMarkdownPreview(/Result: faster/, 30_000);
  t.diagnostic(`report tab: ${report.tab}`);
  assert.match(report.text, /count_allowed/, report.text);
  assert.ok(report.text.includes(FAST_MARKER), `the report shows the accepted version:\n${report.text}`);
  // The same measurement as the diagnostic (which rounds to one decimal).
  const reported = Number(report.text.match(/×(\d+(?:\.\d+)?) on time/)?.[1]);
  assert.ok(Math.abs(reported - Number(speedup)) < 0.06, `the report's ×${reported} is the diagnostic's ${speedup}x`);
  await workbench.focusFirstEditorGroup();

  session.step = 'editing the function';
  // Typing in the function makes the result stale: it leaves the Problems
  // panel and Ctrl+. offers a re-run, never the old edit. Undo restores it.
  await workbench.typeAtEndOfLine(positionOf(original, 'allowed = 0').line, '  # counted below');
  await workbench.waitForProblems(
    (rows) => !rows.some((row) => /x faster/.test(row)),
    'the stale result to leave the Problems panel',
    15_000,
  );
  await workbench.goTo(name.line, name.column + 'def '.length);
  const stale = (await workbench.quickFix()).titles;
  assert.ok(stale.includes('Re-run optimize `count_allowed` (perforch)'), `after an edit: ${JSON.stringify(stale)}`);
  assert.ok(!stale.some((title) => title.startsWith('Apply')), `no stale edit is offered: ${JSON.stringify(stale)}`);
  await workbench.undoUntilClean('moderation.py');
  await workbench.waitForProblems(
    (rows) => rows.some((row) => row.includes(`${speedup}x faster`)),
    'the result to come back after undo',
    15_000,
  );

  session.step = 'applying the result';
  // Ctrl+. on the function's name offers the verified version; applying it
  // changes the editor's text, not the file on disk.
  await workbench.goTo(name.line, name.column + 'def '.length);
  const apply = await workbench.quickFix(/^Apply optimized `count_allowed` \(\d+\.\dx faster\)$/);
  t.diagnostic(`applied: ${apply.chosen}`);
  assert.ok(apply.chosen.includes(`${speedup}x faster`), `the fix names the speedup of the result: ${apply.chosen}`);
  const edited = await workbench.waitForEditorText((text) => text.includes(FAST_MARKER), `the editor to show ${FAST_MARKER}`, 15_000);
  assert.ok(!edited.includes(SLOW_LOOP_TEST), `the slow membership test is gone from the editor:\n${edited}`);
  assert.ok(edited.includes('def count_new'), `the rest of the file is still there:\n${edited}`);
  assert.ok(await workbench.tabIsDirty('moderation.py'), 'the editor tab shows unsaved changes');
  assert.equal(fs.readFileSync(file, 'utf8'), original, 'the file on disk is unchanged until saved');

  session.step = 'saving';
  // Saving writes the verified version, and it still passes its doctests.
  await workbench.save('moderation.py');
  const saved = fs.readFileSync(file, 'utf8');
  assert.ok(saved.includes(FAST_MARKER), `the saved file has the fast version:\n${saved}`);
  execFileSync('python3', ['-m', 'doctest', file], { cwd: session.workspace, stdio: 'pipe' });
  session.passed = true;
});

test('in VS Code a click on the running job in the status bar cancels it', async (t) => {
  // A model that never answers keeps the job busy until it is cancelled.
  const model = new SilentModel();
  const baseUrl = await model.start();
  t.after(() => model.stop());
  const session = await openSession(
    t,
    `[[models]]\nname = "silent"\nprovider = "openai"\nmodel = "silent-test-model"\nbase_url = "${baseUrl}"\ntimeout_secs = 600\n\n[retry]\nmax_attempts = 1\n\n[hints]\ndebounce_ms = 100\n`,
  );
  const { workbench, original, file } = session;

  session.step = 'starting a job';
  const slowLoop = positionOf(original, SLOW_LOOP_TEST);
  await hintHover(workbench, slowLoop.line);
  await workbench.goTo(slowLoop.line, slowLoop.column + 'if '.length);
  await workbench.quickFix(/^Optimize `count_allowed` with perforch$/);
  await waitFor(() => model.requests >= 1, 60_000, 'the job to ask the model');
  const running = await workbench.waitForStatusBar(/^perforch: optimising `count_allowed` for speed \(\d+%\)/, 30_000);
  t.diagnostic(`status bar while the model is asked: ${running}`);

  session.step = 'cancelling from the status bar';
  await workbench.clickStatusBar(/^perforch: optimising `count_allowed`/);
  await workbench.waitForStatusBarWithout(/^perforch: optimising/, 30_000);
  await waitFor(() => model.dropped >= 1, 15_000, 'the cancelled job to drop its model call');

  session.step = 'checking after the cancel';
  // Nothing to apply and nothing running; the code is as it was.
  await workbench.goTo(slowLoop.line, slowLoop.column + 'if '.length);
  const { titles } = await workbench.quickFix();
  assert.ok(titles.includes('Optimize `count_allowed` with perforch'), JSON.stringify(titles));
  assert.ok(!titles.some((title) => /^(Apply|Cancel perforch)/.test(title)), `after the cancel: ${JSON.stringify(titles)}`);
  assert.equal(await workbench.tabIsDirty('moderation.py'), false, 'the editor has no changes');
  assert.equal(fs.readFileSync(file, 'utf8'), original, 'the file is unchanged');
  session.passed = true;
});

async function waitFor(condition, timeout, what) {
  const deadline = Date.now() + timeout;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
