//! Timing on work, not on fixed costs. When no input of the evidence
//! keeps the original busy for [`TARGET_NS`], the costliest ones that can
//! grow are repeated along their shapes (`evidence::scale`) and run on the
//! original again, a larger factor each round, until one does or growing
//! stops paying (a time or output limit, a size cap). Each grown input that
//! ran is kept for timing. A verdict that still rests on microsecond
//! calls says so ([`microsecond_caveat`]).

use super::evidence::small_scope::SmallScope;
use super::evidence::{InputSource, TestInput, scale};
use super::judge::{Baseline, JudgeError, Screened, Workbench};
use crate::language::Language;

/// The original's time on one call that makes a measurement about the
/// function's work: interpreter calls and timer reads cost microseconds.
pub const TARGET_NS: u64 = 2_000_000;
/// A grown input that keeps the original longer than this is not kept:
/// every round of a measurement would wait for it.
const MAX_NS: u64 = 100 * TARGET_NS;
/// Below this, the costliest call is reported as a microsecond input.
const MICROSECOND_NS: u64 = 1_000_000;
/// How many of the costliest inputs are grown.
const SOURCES: usize = 3;
/// Most copies of an input, and the largest step between two rounds.
const MAX_COPIES: usize = 65_536;
const MAX_STEP: usize = 64;
const ROUNDS: usize = 3;

impl Workbench {
    /// `screened` with grown copies of its costliest inputs added when
    /// none reaches [`TARGET_NS`] on the original (see the module).
    pub fn scaled_up(
        &self,
        baseline: &Baseline,
        scope: Option<&SmallScope>,
        mut screened: Screened,
    ) -> Result<Screened, JudgeError> {
        let Some(scope) = scope else {
            return Ok(screened);
        };
        // A JVM runs a screening's calls interpreted, before its compiler
        // has looked at them: their times say little about the work, so
        // Java inputs always grow, and further.
        let (target, trust_screening) = match baseline.language {
            Language::Java => (5 * TARGET_NS, false),
            _ => (TARGET_NS, true),
        };
        if trust_screening && warm_costliest(&screened.original_ns) >= target {
            return Ok(screened);
        }
        let grow = |input: &TestInput, copies: usize| {
            scale::scaled(
                baseline.language,
                scope.types(),
                scope.on_object(),
                input,
                copies,
            )
        };
        let mut growing: Vec<Growth> = sources(&screened)
            .into_iter()
            .filter(|(input, _)| grow(input, 2).is_some())
            .take(SOURCES)
            .map(|(input, ns)| Growth {
                source: input.clone(),
                copies: 1,
                ns: ns.max(1),
                last: input.args.clone(),
            })
            .collect();
        for _ in 0..ROUNDS {
            // The next size of each source: work grows at least in step
            // with the size, so aim past the target, within one step.
            let next: Vec<(usize, usize, TestInput)> = growing
                .iter()
                .enumerate()
                .filter_map(|(index, growth)| {
                    let step = (target * 2).div_ceil(growth.ns).clamp(2, MAX_STEP as u64) as usize;
                    let copies = (growth.copies * step).min(MAX_COPIES);
                    let grown = grow(&growth.source, copies)?;
                    // At its size cap a source grows no further.
                    (copies > growth.copies && grown.args != growth.last)
                        .then_some((index, copies, grown))
                })
                .collect();
            if next.is_empty() {
                break;
            }
            let ran = self.screen(
                baseline,
                next.iter().map(|(_, _, grown)| grown.clone()).collect(),
            )?;
            let mut still_growing = Vec::new();
            for (index, copies, grown) in next {
                // Not kept: a limit stopped it, so the size before is as
                // far as this source goes.
                let Some(position) = ran.kept.iter().position(|kept| kept.args == grown.args)
                else {
                    continue;
                };
                let ns = ran.original_ns[position];
                if ran.raised[position] || ns > MAX_NS {
                    continue;
                }
                screened.kept.push(grown.clone());
                screened.original_ns.push(ns);
                screened.raised.push(false);
                if ns < target {
                    still_growing.push(Growth {
                        source: growing[index].source.clone(),
                        copies,
                        ns: ns.max(1),
                        last: grown.args,
                    });
                }
            }
            growing = still_growing;
        }
        Ok(screened)
    }
}

/// One input being grown: its copies so far, and the original's time on
/// the largest grown copy that ran (the source's own time at first).
struct Growth {
    source: TestInput,
    copies: usize,
    ns: u64,
    last: Vec<String>,
}

/// The inputs to grow, costliest first: the function's own examples
/// (doc examples, test calls, a model's inputs) before the large inputs
/// perforch made up, which are grown already and keep less of a real
/// call's shape; never one on which the original raises.
fn sources(screened: &Screened) -> Vec<(&TestInput, u64)> {
    let mut order: Vec<usize> = (0..screened.kept.len())
        .filter(|index| !screened.raised[*index])
        .collect();
    order.sort_by_key(|index| {
        let made_up = matches!(
            screened.kept[*index].source,
            InputSource::Stress | InputSource::Scaled
        );
        (made_up, std::cmp::Reverse(screened.original_ns[*index]))
    });
    order
        .into_iter()
        .map(|index| (&screened.kept[index], screened.original_ns[index]))
        .collect()
}

/// What a verdict on these inputs must say when the original's costliest
/// call takes under a millisecond: fixed costs (the call, the timer)
/// weigh as much as the work, so "slower" or "tie" may say nothing about
/// the function on real data. `None` when some call is long enough.
pub fn microsecond_caveat(original_ns: &[u64]) -> Option<String> {
    let costliest = warm_costliest(original_ns);
    (!original_ns.is_empty() && costliest < MICROSECOND_NS).then(|| {
        format!(
            "timed on small inputs only: the original's costliest call takes {:.1} µs, so fixed costs weigh as much as the work; give inputs of the size the function really gets with --inputs (or in its tests) to time it on real work",
            costliest as f64 / 1e3
        )
    })
}

/// The original's costliest call in a screening run, leaving out the run's
/// first call when there are others: a JVM runs that one cold (classes
/// loading, the code interpreted), and a microsecond call can then look
/// like milliseconds of work.
fn warm_costliest(original_ns: &[u64]) -> u64 {
    let skip = usize::from(original_ns.len() > 1);
    original_ns.iter().skip(skip).copied().max().unwrap_or(0)
}
