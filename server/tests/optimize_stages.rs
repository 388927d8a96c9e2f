//! The generate and fix stages end to end in Java, C++, Go and Rust (Python
//! has them in optimize_python.rs): the real `perforch optimize` binary, a
//! fake model server speaking the OpenAI wire format, the language's own
//! test runner in the sandbox (JUnit 5, GoogleTest, `go test`, `cargo
//! test`) and the differential judge.
//!
//! Each fixture project (`fixtures/optimize/<lang>_workspace/`) holds one
//! stub and one buggy, slow function, with tests that fix what both must
//! do. A stub is generated from its tests, then refined; the buggy function
//! is fixed (the first model's attempt still fails its test), then refined.

#[path = "pipeline_support/mod.rs"]
mod support;

use perforch::analysis::functions;
use perforch::document::Document;
use perforch::language::Language;
use perforch::models::fake_server::{FakeModelServer, ScriptedReply};
use serde_json::Value;
use support::*;

/// A fixture project and the names in it.
struct Project {
    dir: &'static str,
    /// The file holding both functions, relative to `dir`.
    file: &'static str,
    language: Language,
    fence: &'static str,
    stub: &'static str,
    buggy: &'static str,
    /// The runner's names of the test of each function.
    stub_test: &'static str,
    buggy_test: &'static str,
}

impl Project {
    fn source(&self) -> String {
        std::fs::read_to_string(fixture(self.dir).join(self.file)).unwrap()
    }

    /// The text of `name` in the fixture file, as the analysis finds it.
    fn function_text(&self, name: &str) -> String {
        let source = self.source();
        let document = Document::new(self.language, 0, &source);
        let function = functions(&document)
            .into_iter()
            .find(|function| function.name == name)
            .unwrap_or_else(|| panic!("no `{name}` in {}", self.file));
        source[function.range.as_range()].to_string()
    }
}

/// Generate scenario: the model writes a correct but quadratic body for the
/// stub, then an O(n log n) one.
struct Generate {
    project: Project,
    naive: &'static str,
    fast: &'static str,
    /// A piece of the fast version that must end up in the file.
    fast_marker: &'static str,
    /// What marks the stub's body (gone once generated).
    stub_marker: &'static str,
    inputs: &'static [&'static [&'static str]],
    stress: &'static [&'static [&'static str]],
    /// A line of the stub's test that the generate prompt must show.
    test_line: &'static str,
}

/// Fix scenario: the first model's correction still fails the test, the
/// second one's passes but is slow, then refine makes it fast.
struct Fix {
    project: Project,
    still_wrong: &'static str,
    fixed_but_slow: &'static str,
    fast: &'static str,
    fast_marker: &'static str,
    inputs: &'static [&'static [&'static str]],
    stress: &'static [&'static [&'static str]],
    /// What the runner says about the original's failure (it reaches the model).
    failure_detail: &'static str,
}

fn names(values: &Value) -> Vec<String> {
    values
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {values}"))
        .iter()
        .map(|value| value.as_str().unwrap().to_string())
        .collect()
}

/// The figures behind the verdict, for `--nocapture` runs and HANDOFF notes.
fn print_figures(scenario: &str, project: &Project, report: &Value) {
    let figures = &report["figures"];
    eprintln!(
        "{} {scenario}: speedup {:.1}, CPU per run over all inputs {} ms -> {} ms, job {} ms",
        project.fence,
        report["speedup"].as_f64().unwrap_or(f64::NAN),
        figures["original"]["cpu_ms"],
        figures["candidate"]["cpu_ms"],
        report["wall_ms"]
    );
}

async fn stub_is_generated_then_refined(case: Generate) {
    let project = &case.project;
    let server = FakeModelServer::start().await.unwrap();
    let workspace = Workspace::project(project.dir, project.file, &server, &["alpha"]);
    let untouched = project.function_text(project.buggy);
    push_all(
        &server,
        vec![
            code_reply(project.fence, case.naive),
            inputs_reply(case.inputs, case.stress),
            code_reply(project.fence, case.fast),
        ],
    );
    let report = workspace.optimize(project.stub, &["--write"]).await;
    assert_eq!(stages(&report), ["generate", "refine"], "{report:#}");
    assert_eq!(outcome_kinds(&report), ["passes", "better"], "{report:#}");
    assert_eq!(report["accepted"], true, "{report:#}");
    let speedup = report["speedup"].as_f64().unwrap();
    assert!(
        speedup > 1.5,
        "merge sort against the quadratic count: {speedup}\n{report:#}"
    );
    print_figures("generate+refine", project, &report);
    // The generated version passed the stub's own test, found in the project.
    assert_eq!(
        names(&report["evidence"]["workspace_tests"]),
        [project.stub_test],
        "{report:#}"
    );
    let written = workspace.text();
    assert!(written.contains(case.fast_marker), "{written}");
    assert!(!written.contains(case.stub_marker), "{written}");
    // The other function of the file is untouched, byte for byte.
    assert!(written.contains(&untouched), "{written}");
    // The generate prompt showed the model the test it must pass.
    let first = server.requests()[0].body.clone();
    assert!(first.contains(case.test_line), "{first}");
}

async fn failing_function_is_fixed_then_refined(case: Fix) {
    let project = &case.project;
    let server = FakeModelServer::start().await.unwrap();
    let workspace = Workspace::project(project.dir, project.file, &server, &["alpha", "beta"]);
    let untouched = project.function_text(project.stub);
    push_all(
        &server,
        vec![
            ScriptedReply::openai_text(
                "The loop starts at index 1, so the smallest value is skipped.",
                300,
                40,
            ),
            code_reply(project.fence, case.still_wrong),
            ScriptedReply::openai_text(
                "The loop skips the first sorted value: start it at index 0.",
                300,
                40,
            ),
            code_reply(project.fence, case.fixed_but_slow),
            inputs_reply(case.inputs, case.stress),
            code_reply(project.fence, case.fast),
        ],
    );
    let report = workspace.optimize(project.buggy, &["--write"]).await;
    assert_eq!(stages(&report), ["fix", "fix", "refine"], "{report:#}");
    assert_eq!(
        outcome_kinds(&report),
        ["failing_test", "passes", "better"],
        "{report:#}"
    );
    assert_eq!(report["iterations"][0]["model"], "alpha");
    assert_eq!(report["iterations"][1]["model"], "beta");
    // alpha's correction was run against the project's test, which caught it.
    let caught = report["iterations"][0]["outcome"]["test"].as_str().unwrap();
    assert!(caught.contains(project.buggy_test), "{report:#}");
    // Each fix iteration counts both calls of its reflect-then-fix exchange.
    assert_eq!(report["iterations"][1]["input_tokens"], 1200);
    assert_eq!(report["accepted"], true, "{report:#}");
    let speedup = report["speedup"].as_f64().unwrap();
    assert!(
        speedup > 1.5,
        "sort-and-skip against a linear scan per value: {speedup}\n{report:#}"
    );
    print_figures("fix+refine", project, &report);
    assert_eq!(
        names(&report["evidence"]["workspace_tests"]),
        [project.buggy_test],
        "{report:#}"
    );
    assert!(
        report["code"].as_str().unwrap().contains(case.fast_marker),
        "{report:#}"
    );
    let written = workspace.text();
    assert!(written.contains(case.fast_marker), "{written}");
    assert!(
        written.contains(&untouched),
        "the stub must stay as it was:\n{written}"
    );
    // The first call showed the model the failing test and what its runner said.
    let reflect = server.requests()[0].body.clone();
    assert!(reflect.contains(project.buggy_test), "{reflect}");
    assert!(reflect.contains(case.failure_detail), "{reflect}");
    // The second call of beta's exchange carries beta's own explanation.
    let fix_call = server.requests()[3].body.clone();
    assert!(fix_call.contains("start it at index 0"), "{fix_call}");
}

// ---------------------------------------------------------------- Java

fn java_project() -> Project {
    Project {
        dir: "optimize/java_workspace",
        file: "src/main/java/com/acme/scores/Scores.java",
        language: Language::Java,
        fence: "java",
        stub: "countInversions",
        buggy: "uniqueSorted",
        stub_test: "com.acme.scores.ScoresTest#countsPairsOutOfOrder",
        buggy_test: "com.acme.scores.ScoresTest#keepsEachValueOnceInOrder",
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn java_stub_is_generated_then_refined() {
    stub_is_generated_then_refined(Generate {
        project: java_project(),
        naive: "public static long countInversions(int[] values) {\n    long count = 0;\n    for (int i = 0; i < values.length; i++) {\n        for (int j = i + 1; j < values.length; j++) {\n            if (values[i] > values[j]) {\n                count++;\n            }\n        }\n    }\n    return count;\n}",
        fast: "public static long countInversions(int[] values) {\n    int[] work = values.clone();\n    return sortAndCount(work, new int[work.length], 0, work.length);\n}\n\nprivate static long sortAndCount(int[] items, int[] buffer, int from, int to) {\n    if (to - from < 2) {\n        return 0;\n    }\n    int middle = (from + to) >>> 1;\n    long count = sortAndCount(items, buffer, from, middle) + sortAndCount(items, buffer, middle, to);\n    int i = from, j = middle, k = from;\n    while (i < middle && j < to) {\n        if (items[j] < items[i]) {\n            count += middle - i;\n            buffer[k++] = items[j++];\n        } else {\n            buffer[k++] = items[i++];\n        }\n    }\n    while (i < middle) {\n        buffer[k++] = items[i++];\n    }\n    while (j < to) {\n        buffer[k++] = items[j++];\n    }\n    System.arraycopy(buffer, from, items, from, to - from);\n    return count;\n}",
        fast_marker: "sortAndCount(items, buffer, from, middle)",
        stub_marker: "UnsupportedOperationException",
        inputs: &[&["new int[]{5, 1, 4, 2}"], &["new int[]{1, 1, 1}"], &["new int[]{9, -3, 0, 2, 2}"]],
        stress: &[&["java.util.stream.IntStream.range(0, 20000).map(i -> 20000 - i).toArray()"]],
        test_line: "Scores.countInversions(new int[] {2, 4, 1, 3, 5})",
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn java_failing_function_is_fixed_then_refined() {
    failing_function_is_fixed_then_refined(Fix {
        project: java_project(),
        still_wrong: "public static List<Integer> uniqueSorted(int[] values) {\n    List<Integer> result = new ArrayList<>();\n    for (int value : values) {\n        if (!result.contains(value)) {\n            result.add(value);\n        }\n    }\n    return result;\n}",
        fixed_but_slow: "public static List<Integer> uniqueSorted(int[] values) {\n    int[] sorted = values.clone();\n    Arrays.sort(sorted);\n    List<Integer> result = new ArrayList<>();\n    for (int i = 0; i < sorted.length; i++) {\n        if (!result.contains(sorted[i])) {\n            result.add(sorted[i]);\n        }\n    }\n    return result;\n}",
        fast: "public static List<Integer> uniqueSorted(int[] values) {\n    int[] sorted = values.clone();\n    Arrays.sort(sorted);\n    List<Integer> result = new ArrayList<>();\n    for (int i = 0; i < sorted.length; i++) {\n        if (i == 0 || sorted[i] != sorted[i - 1]) {\n            result.add(sorted[i]);\n        }\n    }\n    return result;\n}",
        fast_marker: "sorted[i] != sorted[i - 1]",
        inputs: &[&["new int[]{3, 3, 1}"], &["new int[]{}"], &["new int[]{-1, 5, -1, 0}"]],
        stress: &[&["java.util.stream.IntStream.range(0, 12000).map(i -> (i * 7919) % 12000).toArray()"]],
        failure_detail: "expected: <[1, 2, 3]> but was: <[2, 3]>",
    })
    .await;
}

// ---------------------------------------------------------------- C++

fn cpp_project() -> Project {
    Project {
        dir: "optimize/cpp_workspace",
        file: "scores.cpp",
        language: Language::Cpp,
        fence: "cpp",
        stub: "count_inversions",
        buggy: "unique_sorted",
        stub_test: "CountInversions.CountsPairsOutOfOrder",
        buggy_test: "UniqueSorted.KeepsEachValueOnceInOrder",
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn cpp_stub_is_generated_then_refined() {
    stub_is_generated_then_refined(Generate {
        project: cpp_project(),
        naive: "long long count_inversions(const std::vector<int>& values) {\n    long long count = 0;\n    for (std::size_t i = 0; i < values.size(); ++i) {\n        for (std::size_t j = i + 1; j < values.size(); ++j) {\n            if (values[i] > values[j]) {\n                ++count;\n            }\n        }\n    }\n    return count;\n}",
        fast: "static long long sort_and_count(std::vector<int>& items, std::vector<int>& buffer, std::size_t from, std::size_t to) {\n    if (to - from < 2) {\n        return 0;\n    }\n    std::size_t middle = from + (to - from) / 2;\n    long long count = sort_and_count(items, buffer, from, middle) + sort_and_count(items, buffer, middle, to);\n    std::size_t i = from, j = middle, k = from;\n    while (i < middle && j < to) {\n        if (items[j] < items[i]) {\n            count += static_cast<long long>(middle - i);\n            buffer[k++] = items[j++];\n        } else {\n            buffer[k++] = items[i++];\n        }\n    }\n    while (i < middle) buffer[k++] = items[i++];\n    while (j < to) buffer[k++] = items[j++];\n    std::copy(buffer.begin() + from, buffer.begin() + to, items.begin() + from);\n    return count;\n}\n\nlong long count_inversions(const std::vector<int>& values) {\n    std::vector<int> items = values;\n    std::vector<int> buffer(items.size());\n    return sort_and_count(items, buffer, 0, items.size());\n}",
        fast_marker: "sort_and_count(items, buffer, 0, items.size())",
        stub_marker: "not implemented",
        inputs: &[&["{5, 1, 4, 2}"], &["{1, 1, 1}"], &["{9, -3, 0, 2, 2}"]],
        stress: &[&["[] { std::vector<int> v(20000); for (int i = 0; i < 20000; ++i) v[i] = 20000 - i; return v; }()"]],
        test_line: "count_inversions({2, 4, 1, 3, 5})",
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn cpp_failing_function_is_fixed_then_refined() {
    failing_function_is_fixed_then_refined(Fix {
        project: cpp_project(),
        still_wrong: "std::vector<int> unique_sorted(const std::vector<int>& values) {\n    std::vector<int> sorted = values;\n    std::sort(sorted.begin(), sorted.end());\n    return sorted;\n}",
        fixed_but_slow: "std::vector<int> unique_sorted(const std::vector<int>& values) {\n    std::vector<int> sorted = values;\n    std::sort(sorted.begin(), sorted.end());\n    std::vector<int> result;\n    for (int value : sorted) {\n        if (std::find(result.begin(), result.end(), value) == result.end()) {\n            result.push_back(value);\n        }\n    }\n    return result;\n}",
        fast: "#include <algorithm>\n\nstd::vector<int> unique_sorted(const std::vector<int>& values) {\n    std::vector<int> sorted = values;\n    std::sort(sorted.begin(), sorted.end());\n    sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());\n    return sorted;\n}",
        fast_marker: "std::unique(sorted.begin(), sorted.end())",
        inputs: &[&["{3, 3, 1}"], &["{}"], &["{-1, 5, -1, 0}"]],
        stress: &[&["[] { std::vector<int> v(20000); for (int i = 0; i < 20000; ++i) v[i] = (i * 7919) % 20000; return v; }()"]],
        failure_detail: "Which is: { 2, 3 }",
    })
    .await;
}

// ---------------------------------------------------------------- Go

fn go_project() -> Project {
    Project {
        dir: "optimize/go_workspace",
        file: "scores.go",
        language: Language::Go,
        fence: "go",
        stub: "CountInversions",
        buggy: "UniqueSorted",
        stub_test: "TestCountInversions",
        buggy_test: "TestUniqueSorted",
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn go_stub_is_generated_then_refined() {
    stub_is_generated_then_refined(Generate {
        project: go_project(),
        naive: "func CountInversions(values []int) int {\n\tcount := 0\n\tfor i := range values {\n\t\tfor j := i + 1; j < len(values); j++ {\n\t\t\tif values[i] > values[j] {\n\t\t\t\tcount++\n\t\t\t}\n\t\t}\n\t}\n\treturn count\n}",
        fast: "func CountInversions(values []int) int {\n\twork := append([]int(nil), values...)\n\treturn mergeCount(work, make([]int, len(work)))\n}\n\n// mergeCount sorts values (using buffer, of the same length) and counts its inversions.\nfunc mergeCount(values, buffer []int) int {\n\tif len(values) < 2 {\n\t\treturn 0\n\t}\n\tmiddle := len(values) / 2\n\tcount := mergeCount(values[:middle], buffer[:middle]) + mergeCount(values[middle:], buffer[middle:])\n\ti, j, k := 0, middle, 0\n\tfor i < middle && j < len(values) {\n\t\tif values[j] < values[i] {\n\t\t\tcount += middle - i\n\t\t\tbuffer[k] = values[j]\n\t\t\tj++\n\t\t} else {\n\t\t\tbuffer[k] = values[i]\n\t\t\ti++\n\t\t}\n\t\tk++\n\t}\n\tk += copy(buffer[k:], values[i:middle])\n\tcopy(buffer[k:], values[j:])\n\tcopy(values, buffer)\n\treturn count\n}",
        fast_marker: "mergeCount(work, make([]int, len(work)))",
        stub_marker: "panic(\"TODO\")",
        inputs: &[&["[]int{5, 1, 4, 2}"], &["[]int{1, 1, 1}"], &["[]int{9, -3, 0, 2, 2}"]],
        stress: &[&["func() []int { v := make([]int, 20000); for i := range v { v[i] = 20000 - i }; return v }()"]],
        test_line: "{[]int{2, 4, 1, 3, 5}, 3}",
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn go_failing_function_is_fixed_then_refined() {
    failing_function_is_fixed_then_refined(Fix {
        project: go_project(),
        still_wrong: "func UniqueSorted(values []int) []int {\n\tsorted := append([]int{}, values...)\n\tsort.Ints(sorted)\n\treturn sorted\n}",
        fixed_but_slow: "func UniqueSorted(values []int) []int {\n\tsorted := append([]int(nil), values...)\n\tsort.Ints(sorted)\n\tresult := []int{}\n\tfor _, value := range sorted {\n\t\tseen := false\n\t\tfor _, kept := range result {\n\t\t\tif kept == value {\n\t\t\t\tseen = true\n\t\t\t\tbreak\n\t\t\t}\n\t\t}\n\t\tif !seen {\n\t\t\tresult = append(result, value)\n\t\t}\n\t}\n\treturn result\n}",
        fast: "func UniqueSorted(values []int) []int {\n\tsorted := append([]int(nil), values...)\n\tsort.Ints(sorted)\n\tresult := make([]int, 0, len(sorted))\n\tfor i, value := range sorted {\n\t\tif i == 0 || value != sorted[i-1] {\n\t\t\tresult = append(result, value)\n\t\t}\n\t}\n\treturn result\n}",
        fast_marker: "value != sorted[i-1]",
        inputs: &[&["[]int{3, 3, 1}"], &["[]int{}"], &["[]int{-1, 5, -1, 0}"]],
        stress: &[&["func() []int { v := make([]int, 20000); for i := range v { v[i] = (i * 7919) % 20000 }; return v }()"]],
        failure_detail: "UniqueSorted([3 1 3 2]) = [2 3], want [1 2 3]",
    })
    .await;
}

// ---------------------------------------------------------------- Rust

fn rust_project() -> Project {
    Project {
        dir: "optimize/rust_workspace",
        file: "src/lib.rs",
        language: Language::Rust,
        fence: "rust",
        stub: "count_inversions",
        buggy: "unique_sorted",
        stub_test: "tests::counts_pairs_out_of_order",
        buggy_test: "tests::keeps_each_value_once_in_order",
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn rust_stub_is_generated_then_refined() {
    stub_is_generated_then_refined(Generate {
        project: rust_project(),
        naive: "pub fn count_inversions(values: &[i64]) -> u64 {\n    let mut count = 0;\n    for i in 0..values.len() {\n        for j in i + 1..values.len() {\n            if values[i] > values[j] {\n                count += 1;\n            }\n        }\n    }\n    count\n}",
        fast: "pub fn count_inversions(values: &[i64]) -> u64 {\n    fn sort_count(items: &mut [i64], buffer: &mut Vec<i64>) -> u64 {\n        if items.len() < 2 {\n            return 0;\n        }\n        let middle = items.len() / 2;\n        let mut count = sort_count(&mut items[..middle], buffer) + sort_count(&mut items[middle..], buffer);\n        buffer.clear();\n        let (mut i, mut j) = (0, middle);\n        while i < middle && j < items.len() {\n            if items[j] < items[i] {\n                count += (middle - i) as u64;\n                buffer.push(items[j]);\n                j += 1;\n            } else {\n                buffer.push(items[i]);\n                i += 1;\n            }\n        }\n        buffer.extend_from_slice(&items[i..middle]);\n        buffer.extend_from_slice(&items[j..]);\n        items.copy_from_slice(buffer);\n        count\n    }\n    let mut items = values.to_vec();\n    let mut buffer = Vec::with_capacity(items.len());\n    sort_count(&mut items, &mut buffer)\n}",
        fast_marker: "sort_count(&mut items, &mut buffer)",
        stub_marker: "todo!()",
        inputs: &[&["&[5, 1, 4, 2]"], &["&[1, 1, 1]"], &["&[9, -3, 0, 2, 2]"]],
        stress: &[&["&(0..20000).rev().collect::<Vec<i64>>()"]],
        test_line: "count_inversions(&[2, 4, 1, 3, 5])",
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn rust_failing_function_is_fixed_then_refined() {
    failing_function_is_fixed_then_refined(Fix {
        project: rust_project(),
        still_wrong: "pub fn unique_sorted(values: &[i64]) -> Vec<i64> {\n    let mut sorted = values.to_vec();\n    sorted.sort();\n    sorted\n}",
        fixed_but_slow: "pub fn unique_sorted(values: &[i64]) -> Vec<i64> {\n    let mut sorted = values.to_vec();\n    sorted.sort();\n    let mut result = Vec::new();\n    for value in sorted {\n        if !result.contains(&value) {\n            result.push(value);\n        }\n    }\n    result\n}",
        fast: "pub fn unique_sorted(values: &[i64]) -> Vec<i64> {\n    let mut sorted = values.to_vec();\n    sorted.sort_unstable();\n    sorted.dedup();\n    sorted\n}",
        fast_marker: "sorted.dedup()",
        inputs: &[&["&[3, 3, 1]"], &["&[]"], &["&[-1, 5, -1, 0]"]],
        stress: &[&["&(0..20000).map(|i| (i * 7919) % 20000).collect::<Vec<i64>>()"]],
        failure_detail: "left: [2, 3]",
    })
    .await;
}
