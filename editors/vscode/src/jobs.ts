// Running optimisation jobs, as the client sees them: the server's
// work-done progress (each job reports under its own token) and the
// `perforch.optimize` requests still waiting for an answer. The status bar
// and `perforch.cancelJob` read this. No `vscode` import.

export type ProgressToken = number | string;

export type JobKind = 'progress' | 'request';

export interface Job {
  readonly id: string;
  readonly kind: JobKind;
  title: string;
  message?: string;
  percentage?: number;
  cancellable: boolean;
  cancelling: boolean;
  readonly startedAt: number;
  readonly cancel: () => void;
}

export interface ProgressBegin {
  title: string;
  message?: string;
  percentage?: number;
  cancellable?: boolean;
}

export interface ProgressReport {
  message?: string;
  percentage?: number;
  cancellable?: boolean;
}

export class JobTracker {
  private readonly jobs = new Map<string, Job>();
  private readonly listeners = new Set<() => void>();
  private nextRequest = 1;

  constructor(private readonly now: () => number = Date.now) {}

  /** Called whenever the set of jobs or one job's state changes. */
  onDidChange(listener: () => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  beginProgress(token: ProgressToken, begin: ProgressBegin, cancel: () => void): void {
    this.jobs.set(progressId(token), {
      id: progressId(token),
      kind: 'progress',
      title: begin.title,
      message: begin.message,
      percentage: begin.percentage,
      cancellable: begin.cancellable ?? false,
      cancelling: false,
      startedAt: this.now(),
      cancel,
    });
    this.changed();
  }

  reportProgress(token: ProgressToken, report: ProgressReport): void {
    const job = this.jobs.get(progressId(token));
    if (!job) {
      return;
    }
    if (report.message !== undefined) job.message = report.message;
    if (report.percentage !== undefined) job.percentage = report.percentage;
    if (report.cancellable !== undefined) job.cancellable = report.cancellable;
    this.changed();
  }

  endProgress(token: ProgressToken): void {
    if (this.jobs.delete(progressId(token))) {
      this.changed();
    }
  }

  /** Track a request until the returned function is called. */
  beginRequest(title: string, cancel: () => void): () => void {
    const id = `request:${this.nextRequest++}`;
    this.jobs.set(id, {
      id,
      kind: 'request',
      title,
      cancellable: true,
      cancelling: false,
      startedAt: this.now(),
      cancel,
    });
    this.changed();
    return () => {
      if (this.jobs.delete(id)) {
        this.changed();
      }
    };
  }

  /** Every job, oldest first. */
  list(): Job[] {
    return [...this.jobs.values()].sort((a, b) => a.startedAt - b.startedAt);
  }

  /**
   * What "cancel a job" should offer. Progress jobs are the server's own
   * account of its work; a pending request is offered only when no progress
   * exists, since a job that reports progress usually also keeps its
   * request open and would otherwise be listed twice.
   */
  cancelTargets(): Job[] {
    const jobs = this.list().filter((job) => !job.cancelling);
    const progress = jobs.filter((job) => job.kind === 'progress' && job.cancellable);
    if (progress.length > 0) {
      return progress;
    }
    return jobs.filter((job) => job.kind === 'request');
  }

  /** Ask for cancellation; the job stays listed (as cancelling) until it ends. */
  cancel(id: string): boolean {
    const job = this.jobs.get(id);
    if (!job || job.cancelling) {
      return false;
    }
    job.cancelling = true;
    job.cancel();
    this.changed();
    return true;
  }

  /** The server stopped: nothing it was doing is running any more. */
  clear(): void {
    if (this.jobs.size > 0) {
      this.jobs.clear();
      this.changed();
    }
  }

  private changed(): void {
    for (const listener of this.listeners) {
      listener();
    }
  }
}

function progressId(token: ProgressToken): string {
  // A number and a string with the same digits are different LSP tokens.
  return `progress:${typeof token}:${token}`;
}

/** One line for the status bar, e.g. "perforch: Optimizing `f` (40%) measuring". */
export function statusText(jobs: readonly Job[]): string | undefined {
  if (jobs.length === 0) {
    return undefined;
  }
  const newest = jobs[jobs.length - 1];
  // The server's progress titles already start with "perforch: "; the
  // status bar would otherwise read "perforch: perforch: optimising …".
  let text = /^perforch:/i.test(newest.title) ? newest.title : `perforch: ${newest.title}`;
  if (newest.percentage !== undefined) {
    text += ` (${Math.round(newest.percentage)}%)`;
  }
  if (newest.cancelling) {
    text += ' cancelling…';
  } else if (newest.message) {
    text += ` ${newest.message}`;
  }
  if (jobs.length > 1) {
    text += ` +${jobs.length - 1} more`;
  }
  return text;
}

/** Title of a pending `perforch.optimize` request, from its argument. */
export function optimizeJobTitle(args: readonly unknown[]): string {
  const first = args[0];
  if (typeof first === 'object' && first !== null) {
    const { function: name, goal } = first as { function?: unknown; goal?: unknown };
    if (typeof name === 'string' && name !== '') {
      // Speed is the default goal; only the other one is worth naming.
      return goal === 'memory' ? `Optimizing \`${name}\` for memory` : `Optimizing \`${name}\``;
    }
  }
  return 'Optimizing';
}

/**
 * Whether a work-done progress notification of `kind` is passed on to the
 * language client. Our status bar item already shows each job (and cancels
 * it on a click); the client's own window progress would show it a second
 * time. Only `end` goes through, so the client forgets the token.
 */
export function forwardProgressToClient(kind: 'begin' | 'report' | 'end'): boolean {
  return kind === 'end';
}
