import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { forwardProgressToClient, JobTracker, optimizeJobTitle, statusText } from '../src/jobs';

function tracker() {
  let clock = 0;
  const jobs = new JobTracker(() => ++clock);
  let changes = 0;
  jobs.onDidChange(() => changes++);
  return { jobs, changes: () => changes };
}

describe('JobTracker', () => {
  it('follows a progress token from begin to end', () => {
    const { jobs, changes } = tracker();
    jobs.beginProgress(7, { title: 'Optimizing `total_value`', cancellable: true }, () => {});
    jobs.reportProgress(7, { message: 'measuring', percentage: 60 });
    assert.deepEqual(
      jobs.list().map(({ title, message, percentage }) => ({ title, message, percentage })),
      [{ title: 'Optimizing `total_value`', message: 'measuring', percentage: 60 }],
    );
    jobs.endProgress(7);
    assert.deepEqual(jobs.list(), []);
    assert.equal(changes(), 3);
  });

  it('keeps number and string tokens apart', () => {
    const { jobs } = tracker();
    jobs.beginProgress(1, { title: 'a' }, () => {});
    jobs.beginProgress('1', { title: 'b' }, () => {});
    jobs.endProgress('1');
    assert.deepEqual(jobs.list().map((job) => job.title), ['a']);
  });

  it('ignores reports and ends for tokens it never saw', () => {
    const { jobs, changes } = tracker();
    jobs.reportProgress('x', { message: 'late' });
    jobs.endProgress('x');
    assert.equal(changes(), 0);
  });

  it('cancels once, and keeps the job listed as cancelling until it ends', () => {
    const { jobs } = tracker();
    let cancelled = 0;
    jobs.beginProgress('job-1', { title: 'Optimizing `f`', cancellable: true }, () => cancelled++);
    const [job] = jobs.cancelTargets();
    assert.equal(jobs.cancel(job.id), true);
    assert.equal(jobs.cancel(job.id), false);
    assert.equal(cancelled, 1);
    assert.equal(jobs.list()[0].cancelling, true);
    assert.deepEqual(jobs.cancelTargets(), []);
    assert.match(statusText(jobs.list()) ?? '', /cancelling/);
  });

  it('offers progress jobs for cancelling, pending requests only when there is no progress', () => {
    const { jobs } = tracker();
    let requestCancelled = false;
    const finished = jobs.beginRequest('Optimizing `f`', () => (requestCancelled = true));
    assert.deepEqual(jobs.cancelTargets().map((job) => job.kind), ['request']);
    jobs.beginProgress(3, { title: 'Optimizing `f`', cancellable: true }, () => {});
    jobs.beginProgress(4, { title: 'Indexing', cancellable: false }, () => {});
    assert.deepEqual(jobs.cancelTargets().map((job) => job.title), ['Optimizing `f`']);
    assert.equal(jobs.cancelTargets()[0].kind, 'progress');
    finished();
    finished();
    assert.equal(jobs.list().length, 2);
    assert.equal(requestCancelled, false);
  });

  it('becomes cancellable when a report says so', () => {
    const { jobs } = tracker();
    jobs.beginProgress(5, { title: 'Optimizing `g`' }, () => {});
    assert.deepEqual(jobs.cancelTargets(), []);
    jobs.reportProgress(5, { cancellable: true });
    assert.equal(jobs.cancelTargets().length, 1);
  });

  it('forgets everything when the server stops', () => {
    const { jobs } = tracker();
    jobs.beginProgress(1, { title: 'a' }, () => {});
    jobs.beginRequest('b', () => {});
    jobs.clear();
    assert.deepEqual(jobs.list(), []);
  });
});

describe('statusText', () => {
  it('shows the newest job with its figures and how many more run', () => {
    const { jobs } = tracker();
    assert.equal(statusText(jobs.list()), undefined);
    jobs.beginProgress(1, { title: 'Optimizing `a`' }, () => {});
    jobs.beginProgress(2, { title: 'Optimizing `b`', message: 'refine 2/5', percentage: 40.4 }, () => {});
    assert.equal(statusText(jobs.list()), 'perforch: Optimizing `b` (40%) refine 2/5 +1 more');
  });

  it("names perforch once when the server's title already does", () => {
    const { jobs } = tracker();
    jobs.beginProgress(1, { title: 'perforch: optimising `f` for speed', message: 'measuring', percentage: 50 }, () => {});
    assert.equal(statusText(jobs.list()), 'perforch: optimising `f` for speed (50%) measuring');
  });
});

describe('optimizeJobTitle', () => {
  it('names the function from the optimize arguments', () => {
    assert.equal(optimizeJobTitle([{ uri: 'file:///a.py', function: 'total_value' }]), 'Optimizing `total_value`');
    assert.equal(optimizeJobTitle([]), 'Optimizing');
    assert.equal(optimizeJobTitle(['junk']), 'Optimizing');
  });
});

describe('forwardProgressToClient', () => {
  it('keeps begin and report from the client (the status bar item shows them) and passes end on', () => {
    assert.equal(forwardProgressToClient('begin'), false);
    assert.equal(forwardProgressToClient('report'), false);
    assert.equal(forwardProgressToClient('end'), true);
  });
});
