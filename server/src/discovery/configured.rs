//! Suites named in perforch.toml (`[[tests.suites]]`): a command run in the
//! copy of the workspace, inside the sandbox, offline, with the language's
//! toolchain on PATH. It passes when it exits with 0; with `junit_xml` its
//! report gives per-test results.

use std::path::PathBuf;

use super::config::glob_matches;
use super::error::DiscoveryError;
use super::junit_xml;
use super::prepare;
use super::report::{MESSAGE_LIMIT, SuiteReport, TestOutcome, TestResult, cap, tail};
use super::run::{RunContext, Step, build_failed, build_limits, path_with, record_outcome};
use super::workspace::slash_path;
use super::{
    ConfiguredSuite, DiscoveredTests, RunnerKind, SuiteDetail, Target, TestCase, TestSuite,
    TestsConfig,
};
use crate::executor::toolchains::go as go_toolchain;
use crate::executor::{RunStatus, detect};
use crate::language::Language;

pub(crate) fn discover(target: &Target, config: &TestsConfig, found: &mut DiscoveredTests) {
    let file = slash_path(&target.file);
    let names = qualified_names(target);
    for suite in &config.suites {
        let applies = suite.language == target.language
            && (suite.files.is_empty() || suite.files.iter().any(|p| glob_matches(p, &file)))
            && (suite.functions.is_empty() || suite.functions.iter().any(|f| names.contains(f)));
        if !applies {
            continue;
        }
        found.suites.push(TestSuite {
            name: suite.name.clone(),
            runner: RunnerKind::Configured,
            language: suite.language,
            files: Vec::new(),
            tests: Vec::new(),
            detail: SuiteDetail::Configured(Box::new(suite.clone())),
        });
    }
}

/// The spellings a `functions` entry may use for the target.
fn qualified_names(target: &Target) -> Vec<String> {
    let mut names = vec![target.function.to_string()];
    if let Some(container) = target.container {
        names.push(format!("{container}.{}", target.function));
        names.push(format!("{container}::{}", target.function));
    }
    names
}

pub(crate) fn run(
    context: &RunContext,
    suite: &TestSuite,
    index: usize,
) -> Result<SuiteReport, DiscoveryError> {
    let SuiteDetail::Configured(configured) = &suite.detail else {
        return Ok(SuiteReport::new(suite));
    };
    let (env, readable) = environment(context, configured, index)?;
    let workdir = context.workspace().join(&configured.workdir);
    let step = |argv: &[String], limits| {
        let mut step = Step::new(&argv[0], &workdir, limits).args(argv[1..].iter().cloned());
        for (key, value) in &env {
            step = step.env(key, value.clone());
        }
        step.readable = readable.clone();
        step
    };
    if !configured.build.is_empty() {
        let outcome = context.sandboxed(step(&configured.build, build_limits()))?;
        if !outcome.succeeded() {
            return Ok(build_failed(&[suite], &outcome).remove(0));
        }
    }
    let outcome = context.sandboxed(step(
        &configured.command,
        context.run_limits(suite.language),
    ))?;
    let mut report = SuiteReport::new(suite);
    record_outcome(&mut report, &outcome);
    if let Some(xml) = &configured.junit_xml {
        match std::fs::read_to_string(workdir.join(xml))
            .map_err(|e| e.to_string())
            .and_then(|text| junit_xml::parse(&text))
        {
            Ok(cases) => {
                report.tests = cases
                    .into_iter()
                    .map(|case| TestResult {
                        name: if case.classname.is_empty() {
                            case.name
                        } else {
                            format!("{}.{}", case.classname, case.name)
                        },
                        outcome: case.outcome,
                        duration: case.duration,
                        message: case.message,
                    })
                    .collect();
            }
            Err(error) if matches!(outcome.status, RunStatus::Exited(_)) => {
                report.tests.push(TestResult {
                    name: suite.name.clone(),
                    outcome: TestOutcome::Error,
                    duration: None,
                    message: Some(format!("no readable JUnit report at {xml}: {error}")),
                });
            }
            Err(_) => {}
        }
    } else if let RunStatus::Exited(code) = outcome.status {
        // Without a report, the whole command is one test.
        report.tests.push(TestResult {
            name: suite.name.clone(),
            outcome: if code == 0 {
                TestOutcome::Passed
            } else {
                TestOutcome::Failed
            },
            duration: Some(outcome.wall),
            message: (code != 0).then(|| {
                cap(
                    &format!(
                        "exited with {code}\n{}",
                        tail(&outcome.stdout, &outcome.stderr)
                    ),
                    MESSAGE_LIMIT,
                )
            }),
        });
    }
    if report.tests.is_empty() {
        // The command did not finish: say so under the suite's name.
        report.require(&[TestCase {
            name: suite.name.clone(),
            file: PathBuf::new(),
        }]);
    }
    Ok(report)
}

type Environment = (Vec<(String, String)>, Vec<PathBuf>);

/// PATH and the language's offline settings, and what the sandbox must read.
fn environment(
    context: &RunContext,
    suite: &ConfiguredSuite,
    index: usize,
) -> Result<Environment, DiscoveryError> {
    let toolchain = detect(suite.language)?;
    let mut readable = toolchain.readable.clone();
    let mut bins: Vec<PathBuf> = toolchain
        .tools
        .iter()
        .filter_map(|t| t.path.parent().map(PathBuf::from))
        .collect();
    bins.dedup();
    let mut env: Vec<(String, String)> = Vec::new();
    let scratch = context.scratch(&format!("configured-{index}"))?;
    match suite.language {
        Language::Python => {
            env.push(("PYTHONDONTWRITEBYTECODE".into(), "1".into()));
            env.push((
                "PYTHONPATH".into(),
                super::python::import_path(context.workspace()),
            ));
            if let Some(site) = super::python::pytest_location(&toolchain.tool("python3").path) {
                readable.push(site);
            }
        }
        Language::Go => {
            let cache = go_toolchain::cache(&context.config.cache_dir);
            env.extend(go_toolchain::common_env(&toolchain, &cache));
            // The command runs test code, so it gets a private build cache
            // rather than the shared one.
            env.retain(|(k, _)| k != "GOCACHE");
            env.push((
                "GOCACHE".into(),
                scratch.join("gocache").display().to_string(),
            ));
            env.push(("GOPROXY".into(), "off".into()));
            env.push(("GOSUMDB".into(), "off".into()));
            readable.push(cache.modules.clone());
        }
        Language::Rust => {
            let cargo_home = scratch.join("cargo-home");
            super::workspace::traversable_dir(&cargo_home)?;
            env.push(("CARGO_HOME".into(), cargo_home.display().to_string()));
            env.push(("CARGO_NET_OFFLINE".into(), "true".into()));
            env.push((
                "RUSTC".into(),
                toolchain.tool("rustc").path.display().to_string(),
            ));
        }
        Language::Java => {
            // Offered, not required: a suite may bring its own runner.
            if let Ok(jar) = prepare::junit_console(&context.config.cache_dir) {
                env.push(("PERFORCH_JUNIT_JAR".into(), jar.display().to_string()));
                readable.extend(jar.parent().map(PathBuf::from));
            }
        }
        Language::Cpp => {}
    }
    env.push(("PATH".into(), path_with(&bins)));
    Ok((env, readable))
}
