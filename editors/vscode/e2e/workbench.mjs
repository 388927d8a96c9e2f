// What a user does and sees in the VS Code workbench, through the page:
// keyboard shortcuts, the quick-fix menu, hovers, the Problems panel, the
// status bar, the editor's lines and its tab. Selectors are VS Code's own
// DOM classes (code-server 4.100 = VS Code 1.100).

import * as assert from 'node:assert/strict';

const EDITOR = '.editor-instance .monaco-editor';

export class Workbench {
  constructor(page) {
    this.page = page;
    /** Things worth knowing that did not fail the test (a repeated Ctrl+.). */
    this.notes = [];
  }

  async waitUntilReady() {
    await this.page.waitForSelector('.monaco-workbench .part.editor', { timeout: 90_000 });
    // The explorer lists the folder once the remote file system is connected.
    await this.page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: 90_000 });
  }

  /** Ctrl+P, the file's name, Enter; resolves when its editor shows `expectText`. */
  async openFile(name, expectText) {
    await this.page.keyboard.press('Control+P');
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill(name);
    await this.page
      .locator('.quick-input-widget .monaco-list-row', { hasText: name })
      .first()
      .waitFor({ timeout: 15_000 });
    await this.page.keyboard.press('Enter');
    await this.page.locator('.tabs-container .tab.active', { hasText: name }).waitFor({ timeout: 15_000 });
    await this.waitForEditorText((text) => text.includes(expectText), `the editor to show ${expectText}`, 15_000);
  }

  /** The active editor's text, line by line in order (Monaco positions lines absolutely). */
  async editorText() {
    return this.page.evaluate((selector) => {
      const lines = [...document.querySelectorAll(`${selector} .view-lines .view-line`)];
      return lines
        .map((line) => ({ top: parseFloat(line.style.top), text: line.textContent.replace(/\u00a0/g, ' ') }))
        .sort((a, b) => a.top - b.top)
        .map((line) => line.text)
        .join('\n');
    }, EDITOR);
  }

  async waitForEditorText(predicate, what, timeout) {
    const deadline = Date.now() + timeout;
    let text = '';
    while (Date.now() < deadline) {
      text = await this.editorText();
      if (predicate(text)) return text;
      await this.page.waitForTimeout(200);
    }
    throw new Error(`timed out after ${timeout} ms waiting for ${what}; the editor shows:\n${text}`);
  }

  /** Ctrl+G to a 1-based line and column, as the user moves the cursor. */
  async goTo(line, column) {
    await this.page.keyboard.press('Control+G');
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    // Go to Line is Quick Open with its `:` prefix; fill() replaces the prefix too.
    await input.fill(`:${line}:${column}`);
    await this.page.keyboard.press('Enter');
    // The cursor's place in the status bar; the lookahead keeps Col 1 from matching Col 12.
    await this.page
      .locator('.statusbar-item', { hasText: new RegExp(`Ln ${line}, Col ${column}(?!\\d)`) })
      .first()
      .waitFor({ timeout: 10_000 });
    await this.page.locator(`${EDITOR} textarea`).first().focus();
  }

  /** Hover over the first `.squiggly-*` decoration of `kind` on the given line; returns the hover's text. */
  async hoverDiagnosticOnLine(kind, line) {
    const lineTop = await this.lineTop(line);
    const squiggle = await this.page.evaluate(
      ({ selector, kind, lineTop }) => {
        for (const element of document.querySelectorAll(`${selector} .squiggly-${kind}`)) {
          const overlay = element.parentElement;
          if (Math.abs(parseFloat(overlay.style.top) - lineTop) < 1) {
            const box = element.getBoundingClientRect();
            return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
          }
        }
        return undefined;
      },
      { selector: EDITOR, kind, lineTop },
    );
    if (!squiggle) {
      throw new Error(`no ${kind} squiggle on line ${line}`);
    }
    // The dots sit at the bottom of the line: point a little above, on the text.
    await this.page.mouse.move(squiggle.x, squiggle.y - 4);
    await this.page.locator('.monaco-hover:not(.hidden) .hover-contents').first().waitFor({ state: 'visible', timeout: 10_000 });
    const text = await this.page.locator('.monaco-hover:not(.hidden)').first().innerText();
    await this.page.mouse.move(5, 5);
    return text;
  }

  /** The `top` of a 1-based line in the editor's layer coordinates. */
  async lineTop(line) {
    const top = await this.page.evaluate(
      ({ selector, line }) => {
        for (const number of document.querySelectorAll(`${selector} .line-numbers`)) {
          if (number.textContent.trim() === String(line)) {
            return parseFloat(number.parentElement.style.top);
          }
        }
        return undefined;
      },
      { selector: EDITOR, line },
    );
    if (top === undefined) throw new Error(`line ${line} is not on screen`);
    return top;
  }

  /**
   * Ctrl+. at the cursor: returns the titles in the quick-fix menu; with
   * `choose`, picks the first whose title matches it (and returns the titles).
   */
  async quickFix(choose) {
    const rows = this.page.locator('.action-widget .monaco-list-row.action');
    // A view that takes focus as it finishes loading (a markdown preview
    // beside the code) closes the menu; the user would press Ctrl+. again.
    for (let attempt = 1; ; attempt++) {
      await this.page.locator(`${EDITOR} textarea`).first().focus();
      await this.page.keyboard.press('Control+.');
      try {
        await rows.first().waitFor({ state: 'visible', timeout: 10_000 });
        break;
      } catch (error) {
        if (attempt === 3) throw new Error(`Ctrl+. showed no quick-fix menu in 3 tries: ${error.message}`);
        this.notes.push(`Ctrl+. showed no menu (try ${attempt}); pressed again`);
        await this.page.keyboard.press('Escape');
      }
    }
    const titles = await rows.evaluateAll((elements) => elements.map((element) => element.getAttribute('aria-label')));
    if (!choose) {
      await this.page.keyboard.press('Escape');
      return { titles };
    }
    const index = titles.findIndex((title) => choose.test(title));
    if (index < 0) {
      await this.page.keyboard.press('Escape');
      throw new Error(`no quick fix matching ${choose} in ${JSON.stringify(titles)}`);
    }
    // The menu is keyboard-driven (a pointer block covers it until the
    // mouse moves): arrow down to the entry, then Enter.
    const focused = this.page.locator('.action-widget .monaco-list-row.action.focused');
    for (let step = 0; step < titles.length && (await focused.getAttribute('aria-label')) !== titles[index]; step++) {
      await this.page.keyboard.press('ArrowDown');
    }
    assert.equal(await focused.getAttribute('aria-label'), titles[index], 'the quick-fix menu focused the wanted entry');
    await this.page.keyboard.press('Enter');
    return { titles, chosen: titles[index] };
  }

  /** The status bar's items' texts. */
  async statusBar() {
    return (await this.page.locator('.statusbar-item').allInnerTexts()).map((text) => text.trim()).filter(Boolean);
  }

  async waitForStatusBar(pattern, timeout) {
    const deadline = Date.now() + timeout;
    let items = [];
    while (Date.now() < deadline) {
      items = await this.statusBar();
      const hit = items.find((item) => pattern.test(item));
      if (hit) return hit;
      await this.page.waitForTimeout(100);
    }
    throw new Error(`timed out after ${timeout} ms waiting for ${pattern} in the status bar: ${JSON.stringify(items)}`);
  }

  async waitForStatusBarWithout(pattern, timeout) {
    const deadline = Date.now() + timeout;
    let items = [];
    while (Date.now() < deadline) {
      items = await this.statusBar();
      if (!items.some((item) => pattern.test(item))) return;
      await this.page.waitForTimeout(100);
    }
    throw new Error(`timed out after ${timeout} ms waiting for ${pattern} to leave the status bar: ${JSON.stringify(items)}`);
  }

  /** A mouse click on the status bar item whose text matches `pattern`. */
  async clickStatusBar(pattern) {
    const items = this.page.locator('.statusbar-item');
    const texts = (await items.allInnerTexts()).map((text) => text.trim());
    const index = texts.findIndex((text) => pattern.test(text));
    if (index < 0) throw new Error(`no status bar item matching ${pattern}: ${JSON.stringify(texts)}`);
    await items.nth(index).locator('.statusbar-item-label').click();
  }

  /**
   * A markdown preview tab opened and its rendered text (inside the
   * preview's webview frames) matches `pattern`; returns the tab's title and that text.
   */
  async waitForMarkdownPreview(pattern, timeout) {
    const tab = this.page.locator('.tabs-container .tab', { hasText: /^Preview / }).first();
    await tab.waitFor({ timeout });
    const deadline = Date.now() + timeout;
    while (Date.now() < deadline) {
      // The webview's frames; the workbench itself is the main frame.
      for (const frame of this.page.frames().filter((frame) => frame !== this.page.mainFrame())) {
        const text = await frame.evaluate(() => document.body?.innerText ?? '').catch(() => '');
        if (pattern.test(text)) {
          return { tab: (await tab.innerText()).trim(), text };
        }
      }
      await this.page.waitForTimeout(250);
    }
    throw new Error(`timed out after ${timeout} ms waiting for a markdown preview matching ${pattern}`);
  }

  /** Ctrl+1: back to the first editor group (the code, left of a preview). */
  async focusFirstEditorGroup() {
    await this.page.keyboard.press('Control+1');
    await this.page.locator(`${EDITOR} textarea`).first().focus();
  }

  /** Ctrl+Shift+M: opens the Problems panel (it toggles: call it once). */
  async showProblems() {
    await this.page.keyboard.press('Control+Shift+M');
    await this.page.locator('.markers-panel').first().waitFor({ state: 'visible', timeout: 10_000 });
  }

  /** The rows of the open Problems panel once `predicate` holds for them. */
  async waitForProblems(predicate, what, timeout) {
    const deadline = Date.now() + timeout;
    let rows = [];
    while (Date.now() < deadline) {
      rows = (await this.page.locator('.markers-panel .monaco-list-row').allInnerTexts()).map((row) =>
        row.replace(/\s+/g, ' ').trim(),
      );
      if (predicate(rows)) return rows;
      await this.page.waitForTimeout(250);
    }
    throw new Error(`timed out after ${timeout} ms waiting for ${what}; the Problems panel shows ${JSON.stringify(rows)}`);
  }

  /** Ctrl+Z in the code editor until the tab of `name` is clean again (at most `limit` times). */
  async undoUntilClean(name, limit = 30) {
    await this.page.locator(`${EDITOR} textarea`).first().focus();
    for (let count = 0; count < limit && (await this.tabIsDirty(name)); count++) {
      await this.page.keyboard.press('Control+Z');
      await this.page.waitForTimeout(50);
    }
    if (await this.tabIsDirty(name)) throw new Error(`${limit} undos left ${name} modified`);
  }

  /** Types `text` at the end of a 1-based line. */
  async typeAtEndOfLine(line, text) {
    await this.goTo(line, 1);
    await this.page.keyboard.press('End');
    await this.page.keyboard.type(text);
  }

  /** Whether the tab of `name` shows unsaved changes (the dot instead of the close button). */
  async tabIsDirty(name) {
    return (await this.page.locator('.tabs-container .tab.dirty', { hasText: name }).count()) > 0;
  }

  /** Ctrl+S in the code editor; resolves once the tab of `name` is clean. */
  async save(name) {
    await this.page.locator(`${EDITOR} textarea`).first().focus();
    await this.page.keyboard.press('Control+S');
    await this.page.locator('.tabs-container .tab:not(.dirty)', { hasText: name }).waitFor({ timeout: 15_000 });
  }
}
