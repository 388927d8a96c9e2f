//! The routing memory: rankings from the paper's figures, configured order for models the
//! paper did not measure, runs recorded and saved atomically, and clear errors for bad files.

use std::path::Path;

use perforch::language::Language;
use perforch::routing::{
    Category, Metric, ModelRef, RankedModel, RoutingError, RoutingMemory, RunOutcomeForRouting,
    Stage,
};

fn model<'a>(name: &'a str, id: &'a str) -> ModelRef<'a> {
    ModelRef { name, model: id }
}

fn names(ranking: &[RankedModel]) -> Vec<&str> {
    ranking.iter().map(|ranked| ranked.name.as_str()).collect()
}

#[test]
fn generate_ranking_follows_table_3() {
    let memory = RoutingMemory::priors_only();
    let configured = [
        model("gpt", "gpt-4o-2024-08-06"),
        model("grok", "grok-3"),
        model("gemini", "gemini-2.0-flash-001"),
        model("claude", "claude-3-7-sonnet-20250219"),
    ];
    // C++ Sorting, pass@1: Claude 93.10, Gemini 82.76, GPT-4o 82.76, Grok 79.31.
    // Gemini and GPT-4o tie; the tie keeps the configured order (gpt before gemini).
    let ranking = memory.rank(
        Stage::Generate,
        Language::Cpp,
        &[Category::Sorting],
        Metric::Time,
        &configured,
    );
    assert_eq!(names(&ranking), ["claude", "gpt", "gemini", "grok"]);
    assert!((ranking[0].score - 0.9310).abs() < 1e-9, "{:?}", ranking[0]);
    assert_eq!(ranking[0].paper_model.as_deref(), Some("Claude 3.7 Sonnet"));
    assert!(
        ranking[0].reason.contains("93.1%") && ranking[0].reason.contains("C++/Sorting"),
        "{}",
        ranking[0].reason
    );

    // Java overall (no category), Table 2: Grok 85.37, Gemini 82.93, Claude 79.27, GPT-4o 61.59.
    let ranking = memory.rank(
        Stage::Generate,
        Language::Java,
        &[],
        Metric::Time,
        &configured,
    );
    assert_eq!(names(&ranking), ["grok", "gemini", "claude", "gpt"]);
}

#[test]
fn fix_ranking_shows_category_blind_spots() {
    // Table 5, C++ Sorting: Claude, the best fixer overall, is only fifth of these five.
    let memory = RoutingMemory::priors_only();
    let configured = [
        model("claude", "claude-3.7-sonnet"),
        model("codeium", "codeium"),
        model("gemini", "gemini-2.0-flash"),
        model("gpt", "gpt-4o"),
        model("grok", "grok-3"),
    ];
    let ranking = memory.rank(
        Stage::Fix,
        Language::Cpp,
        &[Category::Sorting],
        Metric::Time,
        &configured,
    );
    assert_eq!(
        names(&ranking),
        ["gpt", "grok", "gemini", "codeium", "claude"]
    );
    let overall = memory.rank(Stage::Fix, Language::Cpp, &[], Metric::Time, &configured);
    assert_eq!(overall[0].name, "claude");
}

#[test]
fn refine_ranking_uses_the_weighted_sum() {
    // Table 15, Python execution time, Array: GPT-4o 10.15, Claude 9.76, Gemini 8.78,
    // Amazon Q 7.88, Grok 3.00 (the sum of normalised improvements over 77 problems).
    let memory = RoutingMemory::priors_only();
    let configured = [
        model("grok", "grok-3"),
        model("amazon", "amazon-q"),
        model("gemini", "gemini-2.0-flash"),
        model("claude", "claude-3.7-sonnet"),
        model("gpt", "gpt-4o"),
    ];
    let ranking = memory.rank(
        Stage::Refine,
        Language::Python,
        &[Category::Array],
        Metric::Time,
        &configured,
    );
    assert_eq!(
        names(&ranking),
        ["gpt", "claude", "gemini", "amazon", "grok"]
    );
    assert!((ranking[0].score - 10.15 / 77.0).abs() < 1e-9);
    assert!(ranking[0].reason.contains("10.15"), "{}", ranking[0].reason);

    // Peak memory in C++ (Tables 6 and 7): Codeium improved 14 problems, the most; the
    // metric changes the order.
    let configured = [
        model("claude", "claude-3.7-sonnet"),
        model("codeium", "codeium"),
    ];
    let time = memory.rank(Stage::Refine, Language::Cpp, &[], Metric::Time, &configured);
    let memory_ranking = memory.rank(
        Stage::Refine,
        Language::Cpp,
        &[],
        Metric::PeakMemory,
        &configured,
    );
    assert_eq!(names(&time), ["claude", "codeium"]);
    assert_eq!(names(&memory_ranking), ["codeium", "claude"]);
}

#[test]
fn several_categories_average_the_figures() {
    let memory = RoutingMemory::priors_only();
    let configured = [model("claude", "claude-3.7-sonnet")];
    let ranking = memory.rank(
        Stage::Generate,
        Language::Python,
        &[Category::String, Category::Array, Category::String],
        Metric::Time,
        &configured,
    );
    // Table 3, Python, Claude: Array 93.51, String 86.49.
    assert!((ranking[0].score - (0.9351 + 0.8649) / 2.0).abs() < 1e-9);
    assert!(
        ranking[0].reason.contains("Array 93.5%") && ranking[0].reason.contains("String 86.5%"),
        "{}",
        ranking[0].reason
    );
}

#[test]
fn unmeasured_models_keep_their_configured_position() {
    let memory = RoutingMemory::priors_only();
    let configured = [
        model("local", "qwen2.5-coder:7b"),
        model("mini", "gpt-4o-mini"),
        model("small", "llama3.2:3b"),
        model("builtin", ""),
        model("claude", "claude-3-7-sonnet-latest"),
    ];
    let ranking = memory.rank(
        Stage::Generate,
        Language::Rust,
        &[],
        Metric::Time,
        &configured,
    );
    // Slots 0, 1 and 3 are unmeasured and stay; Claude (72.56%) and Llama 3.2 3B (18.29%)
    // swap into the measured slots in score order.
    assert_eq!(
        names(&ranking),
        ["local", "mini", "claude", "builtin", "small"]
    );
    for unmeasured in [&ranking[0], &ranking[1], &ranking[3]] {
        assert!(
            !unmeasured.scored && unmeasured.paper_model.is_none(),
            "{unmeasured:?}"
        );
        assert!(
            unmeasured.reason.contains("not measured"),
            "{}",
            unmeasured.reason
        );
    }
}

#[test]
fn runs_here_move_models_up_and_down() {
    let mut memory = RoutingMemory::priors_only();
    let configured = [
        model("claude", "claude-3.7-sonnet"),
        model("gemini", "gemini-2.0-flash"),
        model("local", "my-finetune"),
    ];
    let before = memory.rank(
        Stage::Fix,
        Language::Python,
        &[Category::Math],
        Metric::Time,
        &configured,
    );
    assert_eq!(names(&before), ["claude", "gemini", "local"]);

    // Claude fails ten Math fixes here; the local model passes five of five.
    for _ in 0..10 {
        memory.record(
            Stage::Fix,
            Language::Python,
            &[Category::Math],
            Metric::Time,
            &configured[0],
            RunOutcomeForRouting::Failed,
        );
    }
    for _ in 0..5 {
        memory.record(
            Stage::Fix,
            Language::Python,
            &[Category::Math, Category::Array],
            Metric::Time,
            &configured[2],
            RunOutcomeForRouting::Succeeded,
        );
    }
    let after = memory.rank(
        Stage::Fix,
        Language::Python,
        &[Category::Math],
        Metric::Time,
        &configured,
    );
    assert_eq!(names(&after), ["local", "gemini", "claude"]);
    let claude = after.iter().find(|ranked| ranked.name == "claude").unwrap();
    assert_eq!((claude.runs, claude.successes), (10, 0));
    // (97.37% × 10 + 0) / (10 + 10)
    assert!((claude.score - 0.9737 / 2.0).abs() < 1e-9, "{claude:?}");
    assert!(
        claude.reason.contains("10 runs here, 0 correct"),
        "{}",
        claude.reason
    );
    let local = &after[0];
    assert!(
        local.scored && local.runs == 5 && local.successes == 5,
        "{local:?}"
    );

    // Runs of another language, stage or category do not count here.
    let other = memory.rank(
        Stage::Fix,
        Language::Python,
        &[Category::String],
        Metric::Time,
        &configured,
    );
    assert_eq!(
        other
            .iter()
            .find(|ranked| ranked.name == "claude")
            .unwrap()
            .runs,
        0
    );
    let generate = memory.rank(
        Stage::Generate,
        Language::Python,
        &[Category::Math],
        Metric::Time,
        &configured,
    );
    assert!(generate.iter().all(|ranked| ranked.runs == 0));
}

#[test]
fn refine_runs_count_normalised_improvement_per_metric() {
    let mut memory = RoutingMemory::priors_only();
    let gpt = model("gpt", "gpt-4o");
    let improved = RunOutcomeForRouting::Improved {
        original: 200.0,
        candidate: 150.0,
    };
    assert!((improved.normalised_improvement() - 0.25).abs() < 1e-12);
    // A slower candidate, or nonsense figures, improve nothing.
    assert_eq!(
        RunOutcomeForRouting::Improved {
            original: 1.0,
            candidate: 3.0
        }
        .normalised_improvement(),
        0.0
    );
    assert_eq!(
        RunOutcomeForRouting::Improved {
            original: 0.0,
            candidate: 1.0
        }
        .normalised_improvement(),
        0.0
    );
    assert_eq!(
        RunOutcomeForRouting::Improved {
            original: f64::NAN,
            candidate: 1.0
        }
        .normalised_improvement(),
        0.0
    );

    memory.record(
        Stage::Refine,
        Language::Go,
        &[Category::Sorting],
        Metric::Time,
        &gpt,
        improved,
    );
    memory.record(
        Stage::Refine,
        Language::Go,
        &[Category::Sorting],
        Metric::Time,
        &gpt,
        RunOutcomeForRouting::Failed,
    );
    let ranked = &memory.rank(
        Stage::Refine,
        Language::Go,
        &[Category::Sorting],
        Metric::Time,
        &[gpt],
    )[0];
    assert_eq!((ranked.runs, ranked.successes), (2, 1));
    assert!(
        ranked
            .reason
            .contains("2 runs here, 1 accepted, mean gain 12.5%"),
        "{}",
        ranked.reason
    );
    // Table 13 (GPT-4o, Go, Sorting: 12 improved) × Table 7 (median 7.86%) over 29 problems,
    // weighted as 10 runs, plus 0.25 from 2 runs.
    let prior = 12.0 * 0.0786 / 29.0;
    assert!(
        (ranked.score - (prior * 10.0 + 0.25) / 12.0).abs() < 1e-9,
        "{ranked:?}"
    );
    // The same runs say nothing about memory.
    let other_metric = &memory.rank(
        Stage::Refine,
        Language::Go,
        &[Category::Sorting],
        Metric::PeakMemory,
        &[gpt],
    )[0];
    assert_eq!(other_metric.runs, 0);
}

#[test]
fn provider_spellings_share_their_runs() {
    let mut memory = RoutingMemory::priors_only();
    let dated = model("a", "gpt-4o-2024-08-06");
    let routed = model("b", "openai/gpt-4o");
    memory.record(
        Stage::Generate,
        Language::Java,
        &[],
        Metric::Time,
        &dated,
        RunOutcomeForRouting::Succeeded,
    );
    let ranked = memory.rank(
        Stage::Generate,
        Language::Java,
        &[],
        Metric::Time,
        &[routed],
    );
    assert_eq!(ranked[0].runs, 1);
    assert_eq!(memory.identity(&routed), "gpt-4o");
    assert_eq!(
        memory.identity(&model("mine", "My-Model:Q4")),
        "my-model:q4"
    );
    assert_eq!(memory.identity(&model("offline", "")), "entry:offline");
}

#[test]
fn paper_ranking_lists_all_seventeen_models() {
    let memory = RoutingMemory::priors_only();
    let ranking = memory.paper_ranking(Stage::Generate, Language::Python, &[], Metric::Time);
    assert_eq!(ranking.len(), 17);
    // Table 2, Python: GPT-4o 93.29, Grok 3 91.46, then Claude and Gemini at 90.85.
    assert_eq!(&names(&ranking)[..2], ["GPT-4o", "Grok 3"]);
    assert_eq!(ranking.last().unwrap().name, "Llama 3.2 3B");
    assert!(
        ranking
            .windows(2)
            .all(|pair| pair[0].score >= pair[1].score)
    );
}

fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn record_save_reload_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let user = dir.path().join("data/perforch/routing.json");
    let workspace_root = dir.path().join("project");
    let workspace = RoutingMemory::workspace_file(&workspace_root);
    assert!(workspace.ends_with(".perforch/routing.json"));

    let claude = model("claude", "claude-3.7-sonnet");
    let mut memory = RoutingMemory::load(Some(&user), Some(&workspace)).unwrap();
    memory.record(
        Stage::Refine,
        Language::Rust,
        &[Category::Sorting, Category::Array],
        Metric::Time,
        &claude,
        RunOutcomeForRouting::Improved {
            original: 10.0,
            candidate: 6.0,
        },
    );
    memory.record(
        Stage::Generate,
        Language::Rust,
        &[Category::Sorting],
        Metric::Cpu,
        &claude,
        RunOutcomeForRouting::Failed,
    );
    memory.save().unwrap();
    // Saving again without new runs writes nothing new.
    memory.save().unwrap();

    for path in [&user, &workspace] {
        let file = read_json(path);
        assert_eq!(file["version"], 1);
        let entries = file["entries"].as_array().unwrap();
        assert_eq!(entries.len(), 2, "{file:#}");
        let refine = entries
            .iter()
            .find(|entry| entry["stage"] == "refine")
            .unwrap();
        assert_eq!(
            refine["categories"],
            serde_json::json!(["array", "sorting"])
        );
        assert_eq!(refine["metric"], "time");
        assert_eq!(refine["model"], "claude-3.7-sonnet");
        assert_eq!(
            (refine["runs"].as_u64(), refine["successes"].as_u64()),
            (Some(1), Some(1))
        );
        assert!((refine["improvement_sum"].as_f64().unwrap() - 0.4).abs() < 1e-12);
        // Generate is judged on correctness: no metric is stored for it.
        let generate = entries
            .iter()
            .find(|entry| entry["stage"] == "generate")
            .unwrap();
        assert!(generate.get("metric").is_none(), "{generate}");
    }
    // Only the memory file and its lock are left in the folder: no temporary files.
    let mut left: Vec<String> = std::fs::read_dir(user.parent().unwrap())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, ["routing.json", "routing.json.lock"]);

    let reloaded = RoutingMemory::load(Some(&user), Some(&workspace)).unwrap();
    let ranked = &reloaded.rank(
        Stage::Refine,
        Language::Rust,
        &[Category::Array],
        Metric::Time,
        &[claude],
    )[0];
    assert_eq!((ranked.runs, ranked.successes), (1, 1));
    let generate = &reloaded.rank(
        Stage::Generate,
        Language::Rust,
        &[Category::Sorting],
        Metric::Time,
        &[claude],
    )[0];
    assert_eq!((generate.runs, generate.successes), (1, 0));
}

#[test]
fn workspace_counts_win_over_user_counts() {
    let dir = tempfile::tempdir().unwrap();
    let user = dir.path().join("user.json");
    let workspace = dir.path().join("ws/.perforch/routing.json");
    let gpt = model("gpt", "gpt-4o");

    // Five runs everywhere (user file only), then one run in this project.
    let mut elsewhere = RoutingMemory::load(Some(&user), None).unwrap();
    for _ in 0..5 {
        elsewhere.record(
            Stage::Fix,
            Language::Go,
            &[],
            Metric::Time,
            &gpt,
            RunOutcomeForRouting::Succeeded,
        );
    }
    elsewhere.save().unwrap();
    let mut here = RoutingMemory::load(Some(&user), Some(&workspace)).unwrap();
    assert_eq!(
        here.rank(Stage::Fix, Language::Go, &[], Metric::Time, &[gpt])[0].runs,
        5
    );
    here.record(
        Stage::Fix,
        Language::Go,
        &[],
        Metric::Time,
        &gpt,
        RunOutcomeForRouting::Failed,
    );
    here.save().unwrap();

    let reloaded = RoutingMemory::load(Some(&user), Some(&workspace)).unwrap();
    let ranked = &reloaded.rank(Stage::Fix, Language::Go, &[], Metric::Time, &[gpt])[0];
    assert_eq!(
        (ranked.runs, ranked.successes),
        (1, 0),
        "the workspace's count for this key wins"
    );
    let user_only = RoutingMemory::load(Some(&user), None).unwrap();
    let ranked = &user_only.rank(Stage::Fix, Language::Go, &[], Metric::Time, &[gpt])[0];
    assert_eq!(
        (ranked.runs, ranked.successes),
        (6, 5),
        "the user file counts every project"
    );
}

#[test]
fn saves_from_two_processes_both_count() {
    let dir = tempfile::tempdir().unwrap();
    let user = dir.path().join("routing.json");
    let grok = model("grok", "grok-3");
    let mut editor = RoutingMemory::load(Some(&user), None).unwrap();
    let mut command_line = RoutingMemory::load(Some(&user), None).unwrap();
    editor.record(
        Stage::Generate,
        Language::Cpp,
        &[],
        Metric::Time,
        &grok,
        RunOutcomeForRouting::Succeeded,
    );
    command_line.record(
        Stage::Generate,
        Language::Cpp,
        &[],
        Metric::Time,
        &grok,
        RunOutcomeForRouting::Failed,
    );
    command_line.record(
        Stage::Generate,
        Language::Cpp,
        &[],
        Metric::Time,
        &grok,
        RunOutcomeForRouting::Failed,
    );
    editor.save().unwrap();
    command_line.save().unwrap();
    let merged = RoutingMemory::load(Some(&user), None).unwrap();
    let ranked = &merged.rank(Stage::Generate, Language::Cpp, &[], Metric::Time, &[grok])[0];
    assert_eq!((ranked.runs, ranked.successes), (3, 1));
}

#[test]
fn a_corrupt_memory_file_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("routing.json");
    std::fs::write(
        &path,
        "{\"version\": 1, \"entries\": [ {\"stage\": \"refine\"",
    )
    .unwrap();
    let error = RoutingMemory::load(Some(&path), None).unwrap_err();
    assert!(matches!(error, RoutingError::Corrupt { .. }), "{error:?}");
    let message = error.to_string();
    assert!(message.contains(&path.display().to_string()), "{message}");
    assert!(message.contains("delete it"), "{message}");
    // Left untouched for the user to inspect.
    assert!(
        std::fs::read_to_string(&path)
            .unwrap()
            .starts_with("{\"version\": 1")
    );

    std::fs::write(&path, r#"{"version": 1, "entries": [{"stage": "review", "language": "go", "categories": [], "model": "x", "runs": 1, "successes": 0, "improvement_sum": 0}]}"#).unwrap();
    let message = RoutingMemory::load(None, Some(&path))
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("review") && message.contains(&path.display().to_string()),
        "{message}"
    );

    std::fs::write(&path, r#"{"version": 1, "entries": [{"stage": "fix", "language": "go", "categories": [], "model": "x", "runs": 1, "successes": 3, "improvement_sum": 0}]}"#).unwrap();
    let message = RoutingMemory::load(Some(&path), None)
        .unwrap_err()
        .to_string();
    assert!(message.contains("successes exceed runs"), "{message}");

    std::fs::write(&path, r#"{"version": 7, "entries": []}"#).unwrap();
    let error = RoutingMemory::load(Some(&path), None).unwrap_err();
    assert!(
        matches!(error, RoutingError::UnsupportedVersion { found: 7, .. }),
        "{error:?}"
    );
}

#[test]
fn saving_over_a_file_broken_meanwhile_refuses_to_overwrite_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("routing.json");
    let mut memory = RoutingMemory::load(Some(&path), None).unwrap();
    memory.record(
        Stage::Fix,
        Language::Java,
        &[],
        Metric::Time,
        &model("g", "gpt-4o"),
        RunOutcomeForRouting::Succeeded,
    );
    std::fs::write(&path, "not json").unwrap();
    let message = memory.save().unwrap_err().to_string();
    assert!(message.contains("is not valid"), "{message}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "not json");
}

#[test]
fn an_unwritable_folder_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("data");
    let path = blocker.join("perforch/routing.json");
    let mut memory = RoutingMemory::load(Some(&path), None).unwrap();
    // A file appears where the folder should be created.
    std::fs::write(&blocker, "").unwrap();
    memory.record(
        Stage::Fix,
        Language::Java,
        &[],
        Metric::Time,
        &model("g", "gpt-4o"),
        RunOutcomeForRouting::Succeeded,
    );
    let error = memory.save().unwrap_err();
    assert!(matches!(error, RoutingError::Write { .. }), "{error:?}");
    assert!(
        error
            .to_string()
            .contains("could not write the routing memory"),
        "{error}"
    );
    // The run is not lost: once the folder can be made, the next save writes it.
    std::fs::remove_file(&blocker).unwrap();
    memory.save().unwrap();
    let reloaded = RoutingMemory::load(Some(&path), None).unwrap();
    let ranked = &reloaded.rank(
        Stage::Fix,
        Language::Java,
        &[],
        Metric::Time,
        &[model("g", "gpt-4o")],
    )[0];
    assert_eq!(ranked.runs, 1);
}
