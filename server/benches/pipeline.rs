//! The pipeline's own overhead per job: wall time minus the time spent
//! waiting for models and for the executor (builds and measured runs).
//! A Python job with a scripted model (inputs, a wrong and a right
//! candidate) is run several times in process; prints medians.
//!
//! cargo bench --bench pipeline

use perforch::config::Config;
use perforch::executor::ExecutorConfig;
use perforch::executor::stats::median;
use perforch::language::Language;
use perforch::models::RegistryOptions;
use perforch::models::fake_server::{FakeModelServer, Route, ScriptedReply};
use perforch::pipeline::{Engine, JobRequest, optimize};
use perforch::routing::Metric;
use tokio_util::sync::CancellationToken;

const RUNS: usize = 7;

fn fenced(code: &str) -> ScriptedReply {
    ScriptedReply::openai_text(&format!("```python\n{code}\n```"), 1000, 300)
}

fn main() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/optimize/python/pairs.py");
    let text = std::fs::read_to_string(&fixture).unwrap();
    let data_home = tempfile::tempdir().unwrap();
    // SAFETY: single-threaded at this point; the routing memory goes to a scratch folder.
    unsafe { std::env::set_var("XDG_DATA_HOME", data_home.path()) };
    let (mut overhead, mut wall, mut model, mut executor) = (vec![], vec![], vec![], vec![]);
    runtime.block_on(async {
        let server = FakeModelServer::start().await.unwrap();
        let config = Config::from_toml_str(
            &format!(
                "[[models]]\nname = \"a\"\nprovider = \"openai\"\nmodel = \"bench-a\"\nbase_url = \"{}\"\n\n[pipeline]\niterations_per_model = 2\n",
                server.openai_base_url()
            ),
            "bench",
        )
        .unwrap();
        let mut executor_config = ExecutorConfig::with_launcher(env!("CARGO_BIN_EXE_perforch"));
        executor_config.cache_dir = std::env::temp_dir().join("perforch-bench-cache");
        for run in 0..RUNS {
            server.push(Route::OpenAiChat, ScriptedReply::openai_text(
                r#"{"inputs": [["[1, 1, 4, 4]", "5"], ["[]", "1"], ["[2, 2, 2]", "4"]], "stress": [["list(range(1500))", "1499"]]}"#, 300, 100));
            server.push(Route::OpenAiChat, fenced("def count_pairs(values, target):\n    return len(values)"));
            server.push(Route::OpenAiChat, fenced("def count_pairs(values, target):\n    seen = {}\n    count = 0\n    for value in values:\n        count += seen.get(target - value, 0)\n        seen[value] = seen.get(value, 0) + 1\n    return count"));
            let engine = Engine::new(config.clone(), &RegistryOptions::default(), executor_config.clone(), None).unwrap();
            let request = JobRequest {
                line: None,
                path: fixture.clone(),
                workspace_root: None,
                language: Language::Python,
                file_text: text.clone(),
                function: "count_pairs".into(),
                metric: Metric::Time,
                mode: None,
            };
            let report = optimize(&engine, request, CancellationToken::new(), &|_| {}).await.unwrap();
            assert!(report.accepted, "the scripted job should accept the fast candidate:\n{}", report.markdown());
            let model_ms: u64 = report.iterations.iter().map(|i| i.latency_ms).sum();
            println!(
                "run {run}: wall {} ms, overhead {} ms, {} iterations",
                report.wall_ms,
                report.overhead_ms,
                report.iterations.len()
            );
            overhead.push(report.overhead_ms as f64);
            wall.push(report.wall_ms as f64);
            model.push(model_ms as f64);
            executor.push((report.wall_ms - report.overhead_ms - model_ms.min(report.wall_ms - report.overhead_ms)) as f64);
        }
    });
    println!(
        "pipeline job (Python, 3 model calls, {RUNS} runs): median wall {:.0} ms, model {:.0} ms, executor {:.0} ms, perforch's own overhead {:.1} ms",
        median(&wall),
        median(&model),
        median(&executor),
        median(&overhead)
    );
}
