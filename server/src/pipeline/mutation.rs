//! How strong the evidence is: its mutation score. Each small mutant of the
//! original (`evidence::mutants`) is judged like a candidate, on the
//! evidence (the inputs and the small-scope checks) run once: a mutant the
//! evidence tells apart from the original (a different result, an error, a
//! crash, a timeout) is KILLED. One it does not is run on an extended pool
//! of small-scope inputs (more of the same generator's, past those already
//! used): a difference there makes it a SURVIVOR, something the evidence
//! misses, with the input that shows it (a teller, for the caller to add to
//! the evidence); no difference anywhere makes it EQUIVALENT (probably the
//! same behaviour), reported but not counted; when there is no pool (no
//! small-scope generator for the parameters) it stays a survivor. A
//! mutant that does not build is INVALID and not counted either.
//!
//! Cost: per set of inputs, the original runs once against itself (its
//! records are the oracle, its wall time sets the mutants' time limit, and
//! calls it answers differently in two runs are ignored); then each mutant
//! runs once. A Python mutant is one run on the evidence (and, when the
//! evidence does not tell it apart, one on the pool). A compiled mutant is
//! a build, whose time grows with the driver's inputs: two mutants share
//! one (the first spliced in as the driver's original, the second as its
//! candidate). And a mutant meets the inputs in tiers, cheapest first, each
//! only if the ones before did not tell it apart: light inputs (compiled:
//! the first [`FIRST_TIER`] of them, then the rest), heavy (stress) ones,
//! then the pool (compiled: in two parts). Most mutants differ on the
//! first few inputs and cost one short run or half a small build.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::executor::ExecutorError;
use crate::executor::compare::{CallRecord, Implementation, compare_records};
use crate::executor::driver::DriverMode;
use crate::executor::sandbox::SandboxLimits;
use crate::language::Language;

use super::candidate::CandidateCode;
use super::evidence::mutants::{Mutant, mutants};
use super::evidence::small_scope::{SmallInput, SmallScope};
use super::evidence::{InputSource, TestInput, small_scope_for};
use super::judge::{Baseline, Checks, JudgeError, Workbench};

/// The extended pool holds this many fresh small inputs per small input
/// of the checks, at least [`POOL_MIN`]: three in Python, where a run is
/// cheap; one in a compiled language, where the pool's inputs make its
/// builds longer (see [`pool_size`]).
const POOL_FACTOR: usize = 3;
/// The pool's least size (Python; a quarter of it in a compiled
/// language), also when there are no checks to scale it by: a pool of a
/// few inputs would call mutants equivalent that it merely misses.
const POOL_MIN: usize = 1000;
/// A mutant's run may take this many times the original's run, plus
/// [`SLACK`], at least [`MIN_WALL`] (within the configured limit): one that
/// takes longer counts as a timeout.
const SLOWDOWN: u32 = 4;
const SLACK: Duration = Duration::from_secs(1);
const MIN_WALL: Duration = Duration::from_secs(2);
/// Longest the score may take: mutants not yet run when it is over are
/// `skipped` (not counted). Most scores take a few seconds in Python and
/// under a minute in a compiled language; a function whose own runs take
/// seconds (each mutant that loops then costs its time limit) would
/// otherwise hold a job for minutes.
fn time_budget(language: Language) -> Duration {
    if language == Language::Python {
        Duration::from_secs(60)
    } else {
        Duration::from_secs(150)
    }
}

/// A compiled mutant first meets this many inputs of the evidence (then,
/// if none tells it apart, the rest; the same for the pool).
const FIRST_TIER: usize = 40;

/// The most mutants a job scores its evidence on in `language`, with
/// `configured` (`pipeline.mutants`) as the upper bound: every one in
/// Python (a run each, well under a second); fewer where a mutant costs a
/// build (half of one: two share a driver). Chosen so the score adds
/// about as much to a job as its small-scope checks do (ARCHITECTURE.md,
/// "Mutation score", has the measurements).
pub fn mutant_limit(language: Language, configured: usize) -> usize {
    let cap = match language {
        Language::Python => usize::MAX,
        Language::Java => 12,
        Language::Rust | Language::Go | Language::Cpp => 8,
    };
    configured.min(cap)
}

/// How many fresh inputs the pool holds in `language`, past `checks`
/// small inputs already used.
fn pool_size(language: Language, checks: usize) -> usize {
    if language == Language::Python {
        (POOL_FACTOR * checks).max(POOL_MIN)
    } else {
        checks.max(POOL_MIN / 4)
    }
}

/// How well the evidence tells the original apart from its mutants.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MutationScore {
    /// Mutants made (all of them: counted, equivalent and invalid).
    pub mutants: usize,
    /// Told apart by the evidence.
    pub killed: usize,
    /// Descriptions of the mutants the evidence misses (the pool does not).
    pub survived: Vec<String>,
    /// Descriptions of the mutants nothing told apart: probably the same
    /// behaviour; not counted.
    pub equivalent: Vec<String>,
    /// Mutants that did not build: not counted.
    pub invalid: usize,
    /// Mutants not run for want of time ([`time_budget`]): not counted.
    #[serde(default)]
    pub skipped: usize,
    /// For each survivor found with one, the pool input that tells it
    /// apart (distinct inputs): what the evidence lacks.
    #[serde(skip)]
    pub tellers: Vec<SmallInput>,
}

impl MutationScore {
    /// Mutants that count: killed and survivors.
    pub fn counted(&self) -> usize {
        self.killed + self.survived.len()
    }

    /// Killed / (killed + survived); `None` when no mutant counts.
    pub fn score(&self) -> Option<f64> {
        let counted = self.killed + self.survived.len();
        (counted > 0).then(|| self.killed as f64 / counted as f64)
    }

    /// "the evidence catches 47 of 50 mutants (2 equivalent)".
    pub fn summary(&self) -> String {
        summary_text(
            self.killed,
            self.counted(),
            [self.equivalent.len(), self.invalid, self.skipped],
            "no mutant to score",
        )
    }
}

/// Inputs and the original's results on them.
struct Stage {
    inputs: Vec<TestInput>,
    /// The original's records (from a run against itself).
    original: Vec<CallRecord>,
    /// Calls the original answers the same way twice (others are ignored).
    trusted: Vec<bool>,
    limits: SandboxLimits,
    /// The original's run went to its end.
    complete: bool,
}

/// One mutant's run on a stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ran {
    /// It does not build (or, in Python, compile).
    Invalid,
    /// The first trusted call where it differs (or has no record).
    Differs(usize),
    /// Same records, but the run failed (after the last call).
    Failed,
    Same,
}

impl Workbench {
    /// The mutation score of the evidence (`inputs` and the `checks`'
    /// inputs, both screened with `baseline` as the oracle) over up to
    /// `limit` mutants of `baseline`'s function.
    pub fn mutation_score(
        &self,
        baseline: &Baseline,
        inputs: &[TestInput],
        checks: Option<&Checks>,
        limit: usize,
    ) -> Result<MutationScore, JudgeError> {
        let made = mutants(
            baseline.language,
            &baseline.file_text,
            &baseline.function,
            limit,
        );
        let order: Vec<String> = made.iter().map(|m| m.description.clone()).collect();
        let mut score = self.score_mutants(baseline, inputs, checks, made)?;
        // Source order, whichever tier settled them.
        let position = |d: &String| order.iter().position(|known| known == d);
        score.survived.sort_by_key(position);
        score.equivalent.sort_by_key(position);
        Ok(score)
    }

    fn score_mutants(
        &self,
        baseline: &Baseline,
        inputs: &[TestInput],
        checks: Option<&Checks>,
        made: Vec<Mutant>,
    ) -> Result<MutationScore, JudgeError> {
        let mut score = MutationScore {
            mutants: made.len(),
            ..MutationScore::default()
        };
        if made.is_empty() {
            return Ok(score);
        }
        let deadline = Instant::now() + time_budget(baseline.language);
        let compiled = baseline.language != Language::Python;
        // The evidence in tiers, cheapest first; a mutant meets a tier
        // only if the ones before did not tell it apart. Light inputs
        // first (the caller's, then the checks'), heavy ones last: their
        // runs take time. A compiled driver's build time grows with its
        // inputs, and most mutants differ on the first few, so a compiled
        // mutant meets the first light ones alone.
        let (heavy, mut light): (Vec<TestInput>, Vec<TestInput>) = inputs
            .iter()
            .cloned()
            .partition(|input| input.source == InputSource::Stress);
        light.extend(
            checks
                .into_iter()
                .flat_map(|c| c.inputs.iter().map(|i| i.input.clone())),
        );
        let mut tiers: Vec<Vec<TestInput>> = Vec::new();
        if compiled && light.len() > FIRST_TIER {
            let rest = light.split_off(FIRST_TIER);
            tiers.push(light);
            tiers.push(rest);
        } else {
            tiers.push(light);
        }
        tiers.push(heavy);
        let evidence: Vec<TestInput> = tiers.concat();
        let mut pending = made;
        for tier in tiers {
            if pending.is_empty() {
                return Ok(score);
            }
            let stage =
                self.stage(baseline, tier)?
                    .map_err(|diagnostics| ExecutorError::BuildFailed {
                        language: baseline.language,
                        diagnostics,
                    })?;
            pending = self.run_tier(baseline, &stage, pending, None, deadline, &mut score)?;
        }
        if pending.is_empty() {
            return Ok(score);
        }
        let Some((scope, pool)) = self.pool(baseline, inputs, checks, &evidence) else {
            // Nothing else to try: the evidence misses them.
            for mutant in pending {
                score.survivor(mutant, None);
            }
            return Ok(score);
        };
        let first = if compiled {
            checks
                .map_or(0, |c| c.inputs.len())
                .max(FIRST_TIER)
                .min(pool.len())
        } else {
            pool.len()
        };
        let mut pool = pool;
        let rest = pool.split_off(first);
        for part in [pool, rest] {
            if pending.is_empty() || part.is_empty() {
                continue;
            }
            let (stage, part) = self.pool_stage(baseline, &scope, part)?;
            pending =
                self.run_tier(baseline, &stage, pending, Some(&part), deadline, &mut score)?;
        }
        score
            .equivalent
            .extend(pending.into_iter().map(|mutant| mutant.description));
        Ok(score)
    }

    /// Stronger checks, for evidence whose score is below the floor:
    /// `checks`' own inputs, then the `tellers` (pool inputs that told
    /// survivors apart) and fresh small-scope inputs up to `count` of the
    /// generator's, each screened on the original like the first ones.
    pub fn more_checks(
        &self,
        baseline: &Baseline,
        checks: &Checks,
        tellers: &[SmallInput],
        count: usize,
    ) -> Result<Checks, JudgeError> {
        let mut seen: HashSet<Vec<String>> = checks
            .inputs
            .iter()
            .map(|input| input.input.args.clone())
            .collect();
        let fresh: Vec<SmallInput> = tellers
            .iter()
            .cloned()
            .chain(checks.scope.inputs(count))
            .filter(|input| seen.insert(input.input.args.clone()))
            .collect();
        let added = self.screen_checks(baseline, checks.scope.clone(), fresh)?;
        let mut inputs = checks.inputs.clone();
        inputs.extend(added.inputs);
        Ok(Checks {
            scope: checks.scope.clone(),
            inputs,
            expected_errors: checks.expected_errors + added.expected_errors,
        })
    }

    /// Run each of `mutants` on the `stage` and score those that differ
    /// (killed; survivors when the stage is the `pool`'s); the others are
    /// returned, in order.
    fn run_tier(
        &self,
        baseline: &Baseline,
        stage: &Stage,
        mutants: Vec<Mutant>,
        pool: Option<&[SmallInput]>,
        deadline: Instant,
        score: &mut MutationScore,
    ) -> Result<Vec<Mutant>, JudgeError> {
        // A compiled mutant costs a build: two share one.
        let together = if baseline.language == Language::Python {
            1
        } else {
            2
        };
        let mut pending = Vec::new();
        for group in mutants.chunks(together) {
            if Instant::now() > deadline {
                score.skipped += group.len();
                continue;
            }
            let verdicts = match group {
                [first, second] => Vec::from(self.run_pair(baseline, stage, first, second)?),
                _ => vec![self.run_mutant(baseline, stage, &group[0])?],
            };
            for (mutant, ran) in group.iter().cloned().zip(verdicts) {
                match (ran, pool) {
                    (Ran::Invalid, _) => score.invalid += 1,
                    (Ran::Same, _) => pending.push(mutant),
                    (Ran::Differs(_) | Ran::Failed, None) => score.killed += 1,
                    (Ran::Differs(call), Some(pool)) => score.survivor(mutant, pool.get(call)),
                    (Ran::Failed, Some(_)) => score.survivor(mutant, None),
                }
            }
        }
        Ok(pending)
    }

    /// Small-scope inputs past those of the evidence (not yet screened),
    /// and their generator: the checks', or one made for the function;
    /// `None` when there are none (parameters it cannot fill).
    fn pool(
        &self,
        baseline: &Baseline,
        inputs: &[TestInput],
        checks: Option<&Checks>,
        evidence: &[TestInput],
    ) -> Option<(SmallScope, Vec<SmallInput>)> {
        let (scope, used) = match checks {
            Some(checks) => (checks.scope.clone(), checks.inputs.len()),
            None => (
                small_scope_for(
                    baseline.language,
                    &baseline.function,
                    &baseline.file_text,
                    baseline.takes_receiver(),
                    &mut inputs.to_vec(),
                )
                .ok()?,
                0,
            ),
        };
        // The generator's first inputs are the checks' (screening may have
        // dropped some): the pool comes after them.
        let count = used + pool_size(baseline.language, used);
        let used: HashSet<&Vec<String>> = evidence.iter().map(|input| &input.args).collect();
        let fresh: Vec<SmallInput> = scope
            .inputs(count)
            .into_iter()
            .filter(|input| !used.contains(&input.input.args))
            .collect();
        (!fresh.is_empty()).then_some((scope, fresh))
    }

    /// The original on pool inputs. Screening them first would cost a
    /// build: they are tried as they are, and screened (then tried again)
    /// only when the original's driver does not build or does not run to
    /// its end on them. The inputs kept come back with the stage.
    fn pool_stage(
        &self,
        baseline: &Baseline,
        scope: &SmallScope,
        part: Vec<SmallInput>,
    ) -> Result<(Stage, Vec<SmallInput>), JudgeError> {
        let as_inputs =
            |part: &[SmallInput]| part.iter().map(|i| i.input.clone()).collect::<Vec<_>>();
        if let Ok(stage) = self.stage(baseline, as_inputs(&part))?
            && stage.complete
        {
            return Ok((stage, part));
        }
        let kept = self.screen_checks(baseline, scope.clone(), part)?.inputs;
        let stage = self
            .stage(baseline, as_inputs(&kept))?
            .map_err(|diagnostics| ExecutorError::BuildFailed {
                language: baseline.language,
                diagnostics,
            })?;
        Ok((stage, kept))
    }

    /// The original against itself on `inputs`: its records, the calls it
    /// answers the same twice, and a time limit for the mutants' runs; or
    /// the build's diagnostics.
    fn stage(
        &self,
        baseline: &Baseline,
        inputs: Vec<TestInput>,
    ) -> Result<Result<Stage, String>, JudgeError> {
        let mut limits = self.run_limits().clone();
        if inputs.is_empty() {
            return Ok(Ok(Stage {
                inputs,
                original: Vec::new(),
                trusted: Vec::new(),
                limits,
                complete: true,
            }));
        }
        let (run, records) = match self.run_once(
            baseline,
            &baseline.as_candidate(),
            &inputs,
            DriverMode::Both,
            limits.clone(),
        )? {
            Ok(ran) => ran,
            Err(diagnostics) => return Ok(Err(diagnostics)),
        };
        let mut trusted = vec![true; inputs.len()];
        for mismatch in compare_records(&records, inputs.len(), self.tolerance()) {
            trusted[mismatch.call] = false;
        }
        let wall = (run.wall * SLOWDOWN + SLACK).max(MIN_WALL).min(limits.wall);
        limits.wall = wall;
        limits.cpu_secs = limits.cpu_secs.min(wall.as_secs() + 1);
        Ok(Ok(Stage {
            inputs,
            original: records
                .into_iter()
                .filter(|r| r.implementation == Implementation::Original)
                .collect(),
            trusted,
            limits,
            complete: run.succeeded(),
        }))
    }

    fn run_mutant(
        &self,
        baseline: &Baseline,
        stage: &Stage,
        mutant: &Mutant,
    ) -> Result<Ran, JudgeError> {
        if stage.inputs.is_empty() {
            return Ok(Ran::Same);
        }
        let ran = self.run_once(
            baseline,
            &as_candidate(mutant),
            &stage.inputs,
            DriverMode::Candidate,
            stage.limits.clone(),
        )?;
        let Ok((run, records)) = ran else {
            return Ok(Ran::Invalid);
        };
        if baseline.language == Language::Python && records.is_empty() && !run.succeeded() {
            // Python compiles the driver when it runs it.
            let stderr = run.stderr_text();
            if stderr.contains("SyntaxError") || stderr.contains("IndentationError") {
                return Ok(Ran::Invalid);
            }
        }
        let mine: Vec<CallRecord> = records
            .into_iter()
            .filter(|r| r.implementation == Implementation::Candidate)
            .collect();
        Ok(match self.first_difference(stage, mine) {
            Some(call) => Ran::Differs(call),
            None if !run.succeeded() => Ran::Failed,
            None => Ran::Same,
        })
    }

    /// Two mutants in one driver (one build): `first` spliced in as the
    /// driver's original, `second` as its candidate; both compared with
    /// the stage's records. A run that stops (a crash, a timeout) settles
    /// the mutant that stopped it; the other one, unless it already
    /// differed, runs again alone, as does each one of a pair that does
    /// not build.
    fn run_pair(
        &self,
        baseline: &Baseline,
        stage: &Stage,
        first: &Mutant,
        second: &Mutant,
    ) -> Result<[Ran; 2], JudgeError> {
        let alone = |mutant: &Mutant| self.run_mutant(baseline, stage, mutant);
        if stage.inputs.is_empty() {
            return Ok([Ran::Same, Ran::Same]);
        }
        let Ok(host) = baseline.with(&as_candidate(first)) else {
            return Ok([alone(first)?, alone(second)?]);
        };
        let ran = self.run_once(
            &host,
            &as_candidate(second),
            &stage.inputs,
            DriverMode::Both,
            stage.limits.clone(),
        )?;
        let Ok((run, records)) = ran else {
            return Ok([alone(first)?, alone(second)?]);
        };
        let (firsts, seconds): (Vec<CallRecord>, Vec<CallRecord>) = records
            .into_iter()
            .partition(|r| r.implementation == Implementation::Original);
        let firsts: Vec<CallRecord> = firsts
            .into_iter()
            .map(|record| CallRecord {
                implementation: Implementation::Candidate,
                ..record
            })
            .collect();
        let has = |records: &[CallRecord], call: usize| records.iter().any(|r| r.call == call);
        let stop =
            (0..stage.inputs.len()).find(|&call| !has(&firsts, call) || !has(&seconds, call));
        let first_differs = self.first_difference(stage, firsts.clone());
        let second_differs = self.first_difference(stage, seconds.clone());
        let settled = |differs: Option<usize>| match differs {
            Some(call) => Ran::Differs(call),
            None => Ran::Failed,
        };
        Ok(match stop {
            None if run.succeeded() => [
                first_differs.map_or(Ran::Same, Ran::Differs),
                second_differs.map_or(Ran::Same, Ran::Differs),
            ],
            None => [alone(first)?, alone(second)?],
            // Each call runs the first, then the second: the first
            // stopped the run if it has no record there.
            Some(call) if !has(&firsts, call) => [
                settled(first_differs),
                match second_differs {
                    Some(differs) if differs < call => Ran::Differs(differs),
                    _ => alone(second)?,
                },
            ],
            Some(call) => [
                match first_differs {
                    Some(differs) if differs <= call => Ran::Differs(differs),
                    _ => alone(first)?,
                },
                settled(second_differs),
            ],
        })
    }

    /// The first call the stage trusts where `records` (a mutant's, as
    /// the candidate's) differ from the original's or are missing.
    fn first_difference(&self, stage: &Stage, records: Vec<CallRecord>) -> Option<usize> {
        let mut both = stage.original.clone();
        both.extend(records);
        compare_records(&both, stage.inputs.len(), self.tolerance())
            .into_iter()
            .map(|mismatch| mismatch.call)
            .find(|call| stage.trusted[*call])
    }
}

/// A mutant as a candidate: only the function's text replaced.
fn as_candidate(mutant: &Mutant) -> CandidateCode {
    CandidateCode {
        function: mutant.function_text.clone(),
        imports: Vec::new(),
        helpers: Vec::new(),
    }
}

impl MutationScore {
    fn survivor(&mut self, mutant: Mutant, teller: Option<&SmallInput>) {
        self.survived.push(mutant.description);
        if let Some(teller) = teller
            && !self.tellers.iter().any(|known| known.input == teller.input)
        {
            self.tellers.push(teller.clone());
        }
    }
}

/// "the evidence catches `killed` of `counted` mutants (2 equivalent, 1 did
/// not build, 3 not run in the time allowed)"; `nothing` when none counts.
/// `[equivalent, invalid, skipped]` are the mutants not counted.
pub(crate) fn summary_text(
    killed: usize,
    counted: usize,
    [equivalent, invalid, skipped]: [usize; 3],
    nothing: &str,
) -> String {
    let notes: Vec<String> = [
        (equivalent, "equivalent"),
        (invalid, "did not build"),
        (skipped, "not run in the time allowed"),
    ]
    .into_iter()
    .filter(|(count, _)| *count > 0)
    .map(|(count, what)| format!("{count} {what}"))
    .collect();
    let notes = if notes.is_empty() {
        String::new()
    } else {
        format!(" ({})", notes.join(", "))
    };
    if counted == 0 {
        return format!("{nothing}{notes}");
    }
    let noun = if counted == 1 { "mutant" } else { "mutants" };
    format!("the evidence catches {killed} of {counted} {noun}{notes}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_score_counts_killed_and_survivors_only() {
        let mut score = MutationScore {
            mutants: 53,
            killed: 47,
            survived: vec!["a".into(), "b".into(), "c".into()],
            equivalent: vec!["d".into(), "e".into()],
            invalid: 1,
            skipped: 0,
            tellers: Vec::new(),
        };
        assert_eq!(score.score(), Some(47.0 / 50.0));
        assert_eq!(
            score.summary(),
            "the evidence catches 47 of 50 mutants (2 equivalent, 1 did not build)"
        );
        score.invalid = 0;
        assert_eq!(
            score.summary(),
            "the evidence catches 47 of 50 mutants (2 equivalent)"
        );
        let none = MutationScore {
            mutants: 2,
            equivalent: vec!["d".into()],
            invalid: 1,
            ..MutationScore::default()
        };
        assert_eq!(none.score(), None);
        assert_eq!(
            none.summary(),
            "no mutant to score (1 equivalent, 1 did not build)"
        );
        let json = serde_json::to_value(&score).unwrap();
        assert!(json.get("tellers").is_none());
        assert_eq!(json["killed"], 47);
    }
}
