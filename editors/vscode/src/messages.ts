// What the user is told when a request to the server fails, and which
// documents are perforch reports. No `vscode` import.

import { ERROR_CODES } from './protocol';

export type Notice = { level: 'silent' } | { level: 'warning' | 'error'; text: string };

/**
 * A failed `perforch.optimize` (or other command) request as a notice. The
 * server's messages already say what to do, so they are shown as they are;
 * a cancellation the user asked for is not news.
 */
export function noticeForRequestError(error: unknown): Notice {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  const message = messageOf(error);
  // The language client already reports a server that stopped or crashed.
  if (
    code === ERROR_CODES.requestCancelled ||
    code === ERROR_CODES.pendingResponseRejected ||
    code === ERROR_CODES.connectionInactive
  ) {
    return { level: 'silent' };
  }
  if (code === ERROR_CODES.contentModified) {
    return { level: 'warning', text: `perforch: ${message}` };
  }
  return { level: 'error', text: `perforch: ${message}` };
}

function messageOf(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const message = (error as { message?: unknown }).message;
    if (typeof message === 'string' && message.trim() !== '') {
      return message.trim();
    }
  }
  if (typeof error === 'string' && error.trim() !== '') {
    return error.trim();
  }
  return 'the server gave no reason; see the perforch output for details';
}

/** A `window/showDocument` target that is a perforch report (a local markdown file). */
export function isMarkdownReport(uri: string, external: boolean | undefined): boolean {
  if (external) {
    return false;
  }
  const match = /^([a-z][a-z0-9+.-]*):/i.exec(uri);
  if (!match || match[1].toLowerCase() !== 'file') {
    return false;
  }
  const pathPart = uri.split(/[?#]/)[0].toLowerCase();
  return pathPart.endsWith('.md') || pathPart.endsWith('.markdown');
}
