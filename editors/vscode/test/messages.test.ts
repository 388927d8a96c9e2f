import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ResponseError } from 'vscode-languageserver-protocol';

import { isMarkdownReport, noticeForRequestError } from '../src/messages';

describe('noticeForRequestError', () => {
  it('stays silent when the user cancelled or the server went away', () => {
    assert.deepEqual(noticeForRequestError(new ResponseError(-32800, 'cancelled')), { level: 'silent' });
    assert.deepEqual(noticeForRequestError(new ResponseError(-32097, 'connection closed')), { level: 'silent' });
  });

  it('warns with the server text when the document changed', () => {
    const notice = noticeForRequestError(new ResponseError(-32801, 'the document changed since this action was offered; choose the action again'));
    assert.deepEqual(notice, { level: 'warning', text: 'perforch: the document changed since this action was offered; choose the action again' });
  });

  it('shows other failures as errors, with a fallback when there is no message', () => {
    assert.deepEqual(noticeForRequestError(new ResponseError(-32803, 'no pipeline')), { level: 'error', text: 'perforch: no pipeline' });
    assert.deepEqual(noticeForRequestError(new Error('spawn EACCES')), { level: 'error', text: 'perforch: spawn EACCES' });
    const empty = noticeForRequestError({ code: -32603, message: '  ' });
    assert.equal(empty.level, 'error');
    assert.match((empty as { text: string }).text, /perforch output/);
  });
});

describe('isMarkdownReport', () => {
  it('accepts local markdown files only', () => {
    assert.equal(isMarkdownReport('file:///ws/.perforch/reports/total_value.md', undefined), true);
    assert.equal(isMarkdownReport('FILE:///ws/REPORT.MD', false), true);
    assert.equal(isMarkdownReport('file:///ws/report.md#figures', false), true);
    assert.equal(isMarkdownReport('file:///ws/report.md', true), false);
    assert.equal(isMarkdownReport('https://example.org/report.md', undefined), false);
    assert.equal(isMarkdownReport('file:///ws/inventory.py', undefined), false);
    assert.equal(isMarkdownReport('untitled:report.md', undefined), false);
  });
});
