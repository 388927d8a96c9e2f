//! The judge on its own (no models): candidates that would pass in the
//! generated driver but not in the user's file are refused, and screening
//! drops inputs the original cannot handle.

#[path = "pipeline_support/mod.rs"]
mod support;

use perforch::executor::{ExecutorConfig, MeasureConfig, detect, prepare_dependencies};
use perforch::language::Language;
use perforch::pipeline::evidence::{InputSource, TestInput};
use perforch::pipeline::headers::LocalHeaders;
use perforch::pipeline::{Baseline, CandidateCode, Outcome, Workbench};
use perforch::routing::Metric;

fn workbench(language: Language) -> Workbench {
    let mut config = ExecutorConfig::with_launcher(env!("CARGO_BIN_EXE_perforch"));
    config.cache_dir = support::cache_dir();
    assert!(prepare_dependencies(&config.cache_dir).is_empty());
    Workbench::new(config, detect(language).unwrap(), MeasureConfig::default()).unwrap()
}

fn input(args: &[&str]) -> TestInput {
    TestInput {
        args: args.iter().map(|a| a.to_string()).collect(),
        source: InputSource::Generated,
    }
}

#[test]
fn cpp_candidate_must_compile_in_the_files_own_namespace_environment() {
    let file = "#include <vector>\n#include <unordered_map>\n\nint distinct(const std::vector<int>& v) {\n    int n = 0;\n    for (size_t i = 0; i < v.size(); ++i) {\n        bool seen = false;\n        for (size_t j = 0; j < i; ++j) seen = seen || v[j] == v[i];\n        if (!seen) ++n;\n    }\n    return n;\n}\n";
    let baseline = Baseline::new(Language::Cpp, file.to_string(), "distinct").unwrap();
    // Unqualified `unordered_map`: fine under `using namespace std`, which
    // this file does not have.
    let candidate = CandidateCode::from_code(
        "int distinct(const std::vector<int>& v) {\n    unordered_map<int, int> m;\n    for (int x : v) m[x]++;\n    return (int) m.size();\n}\n",
        Language::Cpp,
        "distinct",
        None,
    )
    .unwrap();
    let bench = workbench(Language::Cpp);
    let inputs = vec![input(&["{1, 2, 2, 3}"]), input(&["{}"])];
    let judgement = bench
        .judge(&baseline, &candidate, &inputs, None, 1, Metric::Time)
        .unwrap();
    assert!(
        matches!(judgement.outcome, Outcome::BuildError { .. }),
        "{:?}",
        judgement.outcome
    );
}

#[test]
fn cpp_file_with_its_own_header_is_judged_and_checked_in_the_file() {
    let project = tempfile::tempdir().unwrap();
    std::fs::write(
        project.path().join("stats.h"),
        "#pragma once\n#include <vector>\n\nint distinct(const std::vector<int>& v);\n",
    )
    .unwrap();
    let file = "#include \"stats.h\"\n\nint distinct(const std::vector<int>& v) {\n    int n = 0;\n    for (std::size_t i = 0; i < v.size(); ++i) {\n        bool seen = false;\n        for (std::size_t j = 0; j < i; ++j) seen = seen || v[j] == v[i];\n        if (!seen) ++n;\n    }\n    return n;\n}\n";
    let path = project.path().join("stats.cpp");
    std::fs::write(&path, file).unwrap();
    let baseline = Baseline::new(Language::Cpp, file.to_string(), "distinct").unwrap();
    let bench = workbench(Language::Cpp)
        .with_local_headers(LocalHeaders::for_file(&path, Some(project.path())));
    let inputs = vec![
        input(&["{1, 2, 2, 3}"]),
        input(&["{}"]),
        input(&[
            "[] { std::vector<int> v(6000); for (int i = 0; i < 6000; ++i) v[i] = i % 3000; return v; }()",
        ]),
    ];
    // The header is found, so the original runs on every input.
    assert_eq!(
        bench.screen(&baseline, inputs.clone()).unwrap().kept.len(),
        3
    );
    // The driver has every standard header; stats.cpp does not include <unordered_set>.
    let code = "int distinct(const std::vector<int>& v) {\n    std::unordered_set<int> seen(v.begin(), v.end());\n    return (int) seen.size();\n}";
    let candidate = CandidateCode::from_code(code, Language::Cpp, "distinct", None).unwrap();
    match bench
        .judge(&baseline, &candidate, &inputs, None, 1, Metric::Time)
        .unwrap()
        .outcome
    {
        Outcome::BuildError { detail } => assert!(detail.contains("not in your file"), "{detail}"),
        other => panic!("expected a build error in the user's file, got {other:?}"),
    }
    let with_include = format!("#include <unordered_set>\n\n{code}");
    let candidate =
        CandidateCode::from_code(&with_include, Language::Cpp, "distinct", None).unwrap();
    let judgement = bench
        .judge(&baseline, &candidate, &inputs, None, 1, Metric::Time)
        .unwrap();
    assert!(
        judgement.outcome.is_improvement(),
        "{:?}",
        judgement.outcome
    );
}

#[test]
fn screening_keeps_what_the_original_answers_or_raises_on_and_says_why_it_drops_the_rest() {
    let file = "def head(xs):\n    return xs[0]\n\n\ndef spin():\n    while True:\n        pass\n";
    let baseline = Baseline::new(Language::Python, file.to_string(), "head").unwrap();
    let bench = workbench(Language::Python);
    let screened = bench
        .screen(
            &baseline,
            vec![
                input(&["[3, 4]"]),
                input(&["[]"]),
                input(&["[7]"]),
                input(&["items_of_a_test"]),
                input(&["(spin(), 1)"]),
                input(&["[1]"]),
            ],
        )
        .unwrap();
    // The IndexError on [] is behaviour a candidate must keep.
    let kept: Vec<_> = screened.kept.iter().map(|i| i.args[0].clone()).collect();
    assert_eq!(kept, ["[3, 4]", "[]", "[7]", "[1]"]);
    assert_eq!(screened.expected_errors(), 1);
    let reasons: Vec<_> = screened
        .dropped
        .iter()
        .map(|d| (d.input.args[0].clone(), d.reason.clone()))
        .collect();
    assert_eq!(
        reasons[0],
        (
            "items_of_a_test".to_string(),
            "the input itself cannot be built (NameError)".to_string()
        )
    );
    assert_eq!(reasons[1].0, "(spin(), 1)");
    assert!(reasons[1].1.contains("timeout"), "{reasons:?}");
}

#[test]
fn inputs_that_print_past_the_output_cap_are_dropped_with_the_reason_and_the_rest_judged() {
    // The driver prints every result: 20 MB of it passes the 16 MB output
    // cap in the screening run itself; two 3 MB results fit that run but
    // not, with the candidate's printout, the judge's run of both versions.
    let file = "def repeat(n):\n    return 'a' * n\n";
    let baseline = Baseline::new(Language::Python, file.to_string(), "repeat").unwrap();
    let bench = workbench(Language::Python);
    let inputs = ["3", "20_000_000", "5", "3_000_000", "3_000_001", "7"];
    let screened = bench
        .screen(&baseline, inputs.iter().map(|n| input(&[n])).collect())
        .unwrap();
    let kept: Vec<_> = screened.kept.iter().map(|i| i.args[0].clone()).collect();
    assert_eq!(kept, ["3", "5", "3_000_000", "7"]);
    let reasons: Vec<_> = screened
        .dropped
        .iter()
        .map(|d| (d.input.args[0].as_str(), d.reason.as_str()))
        .collect();
    assert_eq!(reasons.len(), 2, "{reasons:?}");
    assert_eq!(reasons[0].0, "20_000_000");
    assert!(reasons[0].1.contains("output cap"), "{reasons:?}");
    assert_eq!(reasons[1].0, "3_000_001");
    assert!(
        reasons[1].1.contains("16 MB output cap") && reasons[1].1.contains("smaller input"),
        "{reasons:?}"
    );

    let candidate = CandidateCode::from_code(
        "def repeat(n):\n    return ''.join(['a'] * n)\n",
        Language::Python,
        "repeat",
        None,
    )
    .unwrap();
    let judgement = bench
        .judge(&baseline, &candidate, &screened.kept, None, 1, Metric::Time)
        .unwrap();
    assert!(
        matches!(
            judgement.outcome,
            Outcome::Better { .. } | Outcome::Tie { .. } | Outcome::Slower { .. }
        ),
        "{:?}",
        judgement.outcome
    );
}

#[test]
fn a_candidate_that_reorders_the_callers_list_is_refused_and_the_outcome_says_so() {
    let file = "def smallest(xs):\n    return min(xs)\n";
    let baseline = Baseline::new(Language::Python, file.to_string(), "smallest").unwrap();
    let candidate = CandidateCode::from_code(
        "def smallest(xs):\n    xs.sort()\n    return xs[0]\n",
        Language::Python,
        "smallest",
        None,
    )
    .unwrap();
    let bench = workbench(Language::Python);
    let judgement = bench
        .judge(
            &baseline,
            &candidate,
            &[input(&["[3, 1, 2]"])],
            None,
            1,
            Metric::Time,
        )
        .unwrap();
    match judgement.outcome {
        Outcome::WrongOutput {
            expected, actual, ..
        } => {
            assert!(
                expected.starts_with("arguments after the call")
                    && actual.starts_with("arguments after the call"),
                "{expected} / {actual}"
            );
            assert!(actual.contains("[[1, 2, 3]]"), "{actual}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn java_candidate_relying_on_the_drivers_imports_is_refused() {
    let path = support::fixture("optimize/java/Pairs.java");
    let file = std::fs::read_to_string(path).unwrap();
    assert!(!file.contains("java.util.HashMap") && !file.contains("java.util.*"));
    let baseline = Baseline::new(Language::Java, file, "countPairs").unwrap();
    // Faster and correct, but `HashMap` is not imported by the user's file.
    let code = "public static long countPairs(int[] values, int target) {\n    HashMap<Integer, Integer> seen = new HashMap<>();\n    long count = 0;\n    for (int value : values) {\n        count += seen.getOrDefault(target - value, 0);\n        seen.merge(value, 1, Integer::sum);\n    }\n    return count;\n}";
    let candidate = CandidateCode::from_code(code, Language::Java, "countPairs", None).unwrap();
    let bench = workbench(Language::Java);
    let inputs = vec![
        input(&["new int[]{1, 1, 4, 4}", "5"]),
        input(&[
            "java.util.stream.IntStream.range(0, 20000).toArray()",
            "19999",
        ]),
    ];
    let judgement = bench
        .judge(&baseline, &candidate, &inputs, None, 1, Metric::Time)
        .unwrap();
    match &judgement.outcome {
        Outcome::BuildError { detail } => assert!(detail.contains("not in your file"), "{detail}"),
        other => panic!("expected a build error in the user's file, got {other:?}"),
    }
    // With the import it is accepted.
    let with_import = format!("import java.util.HashMap;\n\n{code}");
    let candidate =
        CandidateCode::from_code(&with_import, Language::Java, "countPairs", None).unwrap();
    let judgement = bench
        .judge(&baseline, &candidate, &inputs, None, 1, Metric::Time)
        .unwrap();
    assert!(
        judgement.outcome.is_improvement(),
        "{:?}",
        judgement.outcome
    );
}

#[test]
fn a_go_candidate_that_no_longer_needs_an_import_is_judged_not_refused() {
    // `regexp` is used by `CountWords` alone; the candidate uses `strings`,
    // which the file imports already. Go refuses to build a file with an
    // unused import, so the spliced file must lose `regexp`.
    let file = "package words\n\nimport (\n\t\"regexp\"\n\t\"strings\"\n)\n\nfunc Shout(s string) string {\n\treturn strings.ToUpper(s)\n}\n\nfunc CountWords(lines []string) int {\n\tn := 0\n\tfor _, line := range lines {\n\t\tn += len(regexp.MustCompile(`\\S+`).FindAllString(line, -1))\n\t}\n\treturn n\n}\n";
    let baseline = Baseline::new(Language::Go, file.to_string(), "CountWords").unwrap();
    let code = "func CountWords(lines []string) int {\n\tn := 0\n\tfor _, line := range lines {\n\t\tn += len(strings.Fields(line))\n\t}\n\treturn n\n}";
    let candidate = CandidateCode::from_code(code, Language::Go, "CountWords", None).unwrap();
    let bench = workbench(Language::Go);
    let inputs = vec![
        input(&[r#"[]string{"a b", "  c  ", ""}"#]),
        input(&[r#"[]string{}"#]),
        input(&[r#"strings.Split(strings.Repeat("x y\tz\n", 3000), "\n")"#]),
    ];
    let judgement = bench
        .judge(&baseline, &candidate, &inputs, None, 1, Metric::Time)
        .unwrap();
    assert!(judgement.outcome.is_correct(), "{:?}", judgement.outcome);
}

/// A model's inputs of the wrong type or of another language break a
/// compiled driver's build; they are dropped one by one (the compiler's
/// error lines, or a parse of each argument), never the good ones with them.
#[test]
fn many_unbuildable_inputs_do_not_take_the_good_ones_with_them() {
    let file = "package pairs\n\nfunc CountPairs(values []int, target int) int {\n\tcount := 0\n\tfor i := range values {\n\t\tfor j := i + 1; j < len(values); j++ {\n\t\t\tif values[i]+values[j] == target {\n\t\t\t\tcount++\n\t\t\t}\n\t\t}\n\t}\n\treturn count\n}\n";
    let baseline = Baseline::new(Language::Go, file.to_string(), "CountPairs").unwrap();
    let mut inputs: Vec<TestInput> = (0..25)
        .map(|i| input(&[&format!("[]string{{\"a{i}\"}}"), "1"]))
        .collect();
    inputs.extend((0..10).map(|i| input(&[&format!("[{i}, 2]"), "3"])));
    let good = [
        input(&["[]int{1, 2, 3, 4}", "5"]),
        input(&["[]int{}", "0"]),
        input(&[
            "func() []int { v := make([]int, 300); for k := range v { v[k] = k }; return v }()",
            "299",
        ]),
    ];
    for (at, input) in good.iter().enumerate() {
        inputs.insert(at * 12, input.clone());
    }
    let screened = workbench(Language::Go).screen(&baseline, inputs).unwrap();
    let mut kept: Vec<_> = screened.kept.iter().map(|i| i.args.clone()).collect();
    kept.sort();
    let mut expected: Vec<_> = good.iter().map(|i| i.args.clone()).collect();
    expected.sort();
    assert_eq!(kept, expected);
    assert_eq!(screened.dropped.len(), 35);
    assert!(
        screened
            .dropped
            .iter()
            .any(|d| d.reason.contains("is not a Go expression")),
        "{:?}",
        screened.dropped
    );
}
