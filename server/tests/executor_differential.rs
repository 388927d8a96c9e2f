//! Differential drivers: original vs candidate on generated inputs.

mod common;

use perforch::executor::compare::{Implementation, MismatchKind, Tolerance, compare_records};
use perforch::executor::differential::{build_driver, check_equivalence, run_driver};
use perforch::executor::driver::{DiffSpec, DriverMode};
use perforch::executor::sandbox::SandboxLimits;
use perforch::executor::{Language, detect};

fn spec(
    language: Language,
    function: &str,
    original: &str,
    candidate: &str,
    inputs: &[&[&str]],
) -> DiffSpec {
    DiffSpec {
        language,
        function: function.to_string(),
        class_name: None,
        receiver: false,
        prelude: String::new(),
        original: original.to_string(),
        candidate: candidate.to_string(),
        inputs: inputs
            .iter()
            .map(|args| args.iter().map(|a| a.to_string()).collect())
            .collect(),
        repeats: 2,
    }
}

/// Run the check; return the mismatch kinds (empty = equivalent).
fn mismatches(spec: &DiffSpec) -> Vec<MismatchKind> {
    let config = common::prepared_config();
    let tmp = common::TestDir::new();
    let outcome = check_equivalence(
        &config,
        &detect(spec.language).unwrap(),
        spec,
        &tmp.run_dir("w"),
        Tolerance::default(),
        SandboxLimits::for_run(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        outcome.incomplete.is_none(),
        "driver did not finish: {:?}\nstderr: {}",
        outcome.incomplete,
        outcome.run.stderr_text()
    );
    // Thread CPU time is measured (a clock of ~1 µs resolution or better).
    assert!(outcome.records.iter().map(|r| r.cpu_ns).sum::<u64>() > 0);
    let kinds: Vec<MismatchKind> = outcome.mismatches.iter().map(|m| m.kind).collect();
    // (Which differences, not whether, may depend on the order: a cache
    // keyed by `id(self)` hits objects freed by the other side.)
    assert_eq!(
        candidate_first_kinds(spec, &config, &tmp).is_empty(),
        kinds.is_empty(),
        "calling the candidate first on each input tells the versions apart alike"
    );
    kinds
}

/// The same driver run with the candidate called first on each input, as
/// every other round of a measurement does: the order holds, and so do
/// the differences.
fn candidate_first_kinds(
    spec: &DiffSpec,
    config: &perforch::executor::ExecutorConfig,
    tmp: &common::TestDir,
) -> Vec<MismatchKind> {
    let built = build_driver(
        config,
        &detect(spec.language).unwrap(),
        spec,
        &tmp.run_dir("candidate-first"),
    )
    .unwrap();
    let (run, records) = run_driver(
        config,
        &built,
        DriverMode::BothCandidateFirst,
        SandboxLimits::for_run(),
    )
    .unwrap();
    assert!(run.succeeded(), "{}", run.stderr_text());
    for call in 0..spec.inputs.len() {
        let order: Vec<Implementation> = records
            .iter()
            .filter(|r| r.call == call)
            .map(|r| r.implementation)
            .collect();
        assert_eq!(
            order,
            vec![Implementation::Candidate, Implementation::Original],
            "input {call}"
        );
    }
    compare_records(&records, spec.inputs.len(), Tolerance::default())
        .iter()
        .map(|m| m.kind)
        .collect()
}

#[test]
fn python_differential() {
    let original = "def f(xs, k):\n    if k < 0:\n        raise ValueError('negative')\n    total = 0.0\n    for x in xs:\n        total += x * 0.1\n    return {'sum': total, 'n': len(xs), 'pair': (k, None), 'set': {1, 2}}\n";
    let same = "def f(xs, k):\n    if k < 0:\n        raise ValueError('k must be >= 0')\n    return {'n': len(xs), 'sum': sum(x * 0.1 for x in reversed(xs)), 'pair': (k, None), 'set': {2, 1}}\n";
    let inputs: &[&[&str]] = &[
        &["[1, 2, 3]", "1"],
        &["list(range(100))", "0"],
        &["[]", "-1"],
    ];
    assert_eq!(
        mismatches(&spec(Language::Python, "f", original, same, inputs)),
        vec![]
    );
    let wrong = "def f(xs, k):\n    if k < 0:\n        raise IndexError()\n    return {'sum': 0.0, 'n': len(xs), 'pair': (k, None), 'set': {1, 2}}\n";
    assert_eq!(
        mismatches(&spec(Language::Python, "f", original, wrong, inputs)),
        vec![
            MismatchKind::Result,
            MismatchKind::Result,
            MismatchKind::Exception
        ]
    );
    // In-place sort versus sorted copy: same result, different mutation.
    let mutating = "def g(xs):\n    xs.sort()\n    return xs[0]\n";
    let pure = "def g(xs):\n    return min(xs)\n";
    assert_eq!(
        mismatches(&spec(
            Language::Python,
            "g",
            mutating,
            pure,
            &[&["[3, 1, 2]"]]
        )),
        vec![MismatchKind::Arguments]
    );
    // NaN results are equal to each other.
    let nan = "def h(x):\n    return float('nan') if x else 1.5\n";
    assert_eq!(
        mismatches(&spec(
            Language::Python,
            "h",
            nan,
            nan,
            &[&["True"], &["False"]]
        )),
        vec![]
    );
}

#[test]
fn cpp_differential() {
    let original = "#include <vector>\n#include <map>\n#include <stdexcept>\nstd::map<int,int> counts(std::vector<int>& v, int limit) {\n    if (limit < 0) throw std::invalid_argument(\"neg\");\n    std::map<int,int> m;\n    for (int x : v) if (x < limit) m[x]++;\n    std::sort(v.begin(), v.end());\n    return m;\n}\n";
    let same = "std::map<int,int> counts(std::vector<int>& v, int limit) {\n    if (limit < 0) throw std::invalid_argument(\"negative\");\n    std::sort(v.begin(), v.end());\n    std::map<int,int> m;\n    for (int x : v) { if (x >= limit) break; m[x]++; }\n    return m;\n}\n";
    let inputs: &[&[&str]] = &[&["{3, 1, 2, 3}", "3"], &["{}", "1"], &["{1}", "-1"]];
    assert_eq!(
        mismatches(&spec(Language::Cpp, "counts", original, same, inputs)),
        vec![]
    );
    let no_sort = "std::map<int,int> counts(std::vector<int>& v, int limit) {\n    if (limit < 0) throw std::out_of_range(\"x\");\n    std::map<int,int> m;\n    for (int x : v) if (x < limit) m[x]++;\n    return m;\n}\n";
    assert_eq!(
        mismatches(&spec(Language::Cpp, "counts", original, no_sort, inputs)),
        vec![MismatchKind::Arguments, MismatchKind::Exception]
    );
    let float_original = "double mean(const std::vector<double>& v) { double s = 0; for (double x : v) s += x; return s / v.size(); }\n";
    let float_candidate = "double mean(const std::vector<double>& v) { double s = 0; for (size_t i = v.size(); i-- > 0;) s += v[i]; return s / v.size(); }\n";
    assert_eq!(
        mismatches(&spec(
            Language::Cpp,
            "mean",
            float_original,
            float_candidate,
            &[&["{0.1, 0.2, 0.3, 1e-3}"], &["{}"]]
        )),
        vec![]
    );
}

#[test]
fn java_differential() {
    let original = "import java.util.*;\nclass Solution {\n    public List<Integer> evens(int[] xs) {\n        if (xs.length == 0) throw new IllegalArgumentException();\n        List<Integer> out = new ArrayList<>();\n        for (int x : xs) if (x % 2 == 0) out.add(x);\n        return out;\n    }\n}\n";
    let same = "class Solution {\n    public List<Integer> evens(int[] xs) {\n        if (xs.length == 0) throw new IllegalArgumentException(\"empty\");\n        List<Integer> out = new LinkedList<>();\n        for (int i = 0; i < xs.length; i++) if ((xs[i] & 1) == 0) out.add(xs[i]);\n        return out;\n    }\n}\n";
    let mutates = "class Solution {\n    public List<Integer> evens(int[] xs) {\n        if (xs.length == 0) throw new IllegalArgumentException();\n        Arrays.sort(xs);\n        List<Integer> out = new ArrayList<>();\n        for (int x : xs) if (x % 2 == 0) out.add(x);\n        return out;\n    }\n}\n";
    let inputs: &[&[&str]] = &[&["new int[]{1, 2, 4}"], &["new int[]{}"]];
    let mut s = spec(Language::Java, "evens", original, same, inputs);
    s.class_name = Some("Solution".into());
    assert_eq!(mismatches(&s), vec![]);
    let mut s = spec(
        Language::Java,
        "evens",
        original,
        mutates,
        &[&["new int[]{4, 2, 1}"]],
    );
    s.class_name = Some("Solution".into());
    assert_eq!(mismatches(&s), vec![MismatchKind::Result]);
}

/// A method's spec: the sources are whole modules (Python) or classes
/// (Java), and each input starts with the object's expression.
fn method_spec(
    language: Language,
    class: &str,
    method: &str,
    original: &str,
    candidate: &str,
    inputs: &[&[&str]],
) -> DiffSpec {
    let mut spec = spec(language, method, original, candidate, inputs);
    spec.class_name = Some(class.into());
    spec.receiver = true;
    spec
}

#[test]
fn python_methods_compare_the_object_and_a_second_call() {
    let original = "class Ledger:\n    def __init__(self, entries):\n        self.entries = list(entries)\n\n    def total(self, account):\n        if not account:\n            raise ValueError('no account')\n        return sum(amount for name, amount in self.entries if name == account)\n";
    let same = original.replace(
        "return sum(amount for name, amount in self.entries if name == account)",
        "total = 0\n        for name, amount in self.entries:\n            if name == account:\n                total += amount\n        return total",
    );
    let sorts_in_place =
        original.replace("return sum(", "self.entries.sort()\n        return sum(");
    // Remembers the first answer for the object, whatever the account.
    let stale_cache = original.replace(
        "        if not account:",
        "        memo = Ledger.__dict__.get('memo') or {}\n        Ledger.memo = memo\n        if id(self) in memo:\n            return memo[id(self)]\n        if not account:",
    ).replace(
        "return sum(amount for name, amount in self.entries if name == account)",
        "memo[id(self)] = sum(amount for name, amount in self.entries if name == account)\n        return memo[id(self)]",
    );
    let inputs: &[&[&str]] = &[
        &["Ledger([('b', 2), ('a', 1), ('b', 5)])", "'b'"],
        &["Ledger([('a', 1)])", "'a'"],
        &["Ledger([])", "''"],
    ];
    let run = |candidate: &str| {
        mismatches(&method_spec(
            Language::Python,
            "Ledger",
            "total",
            original,
            candidate,
            inputs,
        ))
    };
    assert_eq!(run(&same), vec![]);
    assert_eq!(run(&sorts_in_place), vec![MismatchKind::Receiver]);
    assert_eq!(run(&stale_cache)[0], MismatchKind::Again);
}

#[test]
fn java_instance_methods_compare_the_object() {
    let original = "import java.util.*;\nclass Ledger {\n    private final List<Integer> amounts;\n    Ledger(List<Integer> amounts) { this.amounts = new ArrayList<>(amounts); }\n    int largest() {\n        if (amounts.isEmpty()) throw new IllegalStateException();\n        int best = amounts.get(0);\n        for (int a : amounts) best = Math.max(best, a);\n        return best;\n    }\n}\n";
    let same = original.replace(
        "int best = amounts.get(0);\n        for (int a : amounts) best = Math.max(best, a);\n        return best;",
        "return Collections.max(amounts);",
    );
    let sorts_in_place = original.replace(
        "int best = amounts.get(0);\n        for (int a : amounts) best = Math.max(best, a);\n        return best;",
        "Collections.sort(amounts);\n        return amounts.get(amounts.size() - 1);",
    );
    let inputs: &[&[&str]] = &[
        &["new Ledger(List.of(3, 9, 1))"],
        &["new Ledger(List.of())"],
        &["new Ledger(List.of(-2))"],
    ];
    let run = |candidate: &str| {
        mismatches(&method_spec(
            Language::Java,
            "Ledger",
            "largest",
            original,
            candidate,
            inputs,
        ))
    };
    assert_eq!(run(&same), vec![]);
    assert_eq!(run(&sorts_in_place), vec![MismatchKind::Receiver]);
}

#[test]
fn go_differential() {
    let original = "func Div(xs []int, d int) (int, []int) {\n\tout := []int{}\n\tfor _, x := range xs {\n\t\tout = append(out, x/d)\n\t}\n\txs[0] = 0\n\treturn len(out), out\n}\n";
    let same = "func Div(xs []int, d int) (int, []int) {\n\tout := make([]int, len(xs))\n\tfor i := range xs {\n\t\tout[i] = xs[i] / d\n\t}\n\txs[0] = 0\n\treturn len(out), out\n}\n";
    let inputs: &[&[&str]] = &[&["[]int{4, 8}", "2"], &["[]int{1}", "0"]];
    assert_eq!(
        mismatches(&spec(Language::Go, "Div", original, same, inputs)),
        vec![]
    );
    let no_mutation = "func Div(xs []int, d int) (int, []int) {\n\tout := []int{}\n\tfor _, x := range xs {\n\t\tout = append(out, x/d)\n\t}\n\treturn len(out), out\n}\n";
    assert_eq!(
        mismatches(&spec(Language::Go, "Div", original, no_mutation, inputs)),
        vec![MismatchKind::Arguments]
    );
}

/// The Go driver calls a method on the object each input's first
/// expression builds, compares its fields afterwards and calls it again.
#[test]
fn go_methods_compare_the_receiver_and_a_second_call() {
    let original = "type Tally struct {\n\tcounts map[string]int\n\tseen   []string\n}\n\nfunc NewTally(words ...string) *Tally {\n\tt := &Tally{counts: map[string]int{}}\n\tfor _, w := range words {\n\t\tt.Add(w)\n\t}\n\treturn t\n}\n\nfunc (t *Tally) Add(w string) {\n\tif t.counts[w] == 0 {\n\t\tt.seen = append(t.seen, w)\n\t}\n\tt.counts[w]++\n}\n\nfunc (t *Tally) Top() string {\n\tbest := \"\"\n\tfor _, w := range t.seen {\n\t\tif best == \"\" || t.counts[w] > t.counts[best] {\n\t\t\tbest = w\n\t\t}\n\t}\n\treturn best\n}\n";
    let top = |body: &str| format!("func (t *Tally) Top() string {{\n{body}\n}}\n");
    let same = top(
        "\tbest, most := \"\", 0\n\tfor _, w := range t.seen {\n\t\tif c := t.counts[w]; c > most {\n\t\t\tbest, most = w, c\n\t\t}\n\t}\n\treturn best",
    );
    // Sorts the object's own list: same answer, changed object.
    let sorts_in_place = top(
        "\tsort.Strings(t.seen)\n\tbest := \"\"\n\tfor _, w := range t.seen {\n\t\tif best == \"\" || t.counts[w] > t.counts[best] {\n\t\t\tbest = w\n\t\t}\n\t}\n\treturn best",
    );
    let inputs: &[&[&str]] = &[
        &["NewTally(\"b\", \"a\", \"b\")"],
        &["NewTally()"],
        &["&Tally{counts: map[string]int{\"x\": 1}, seen: []string{\"x\"}}"],
    ];
    let run = |candidate: &str| {
        let mut spec = spec(Language::Go, "Top", original, candidate, inputs);
        spec.receiver = true;
        spec.prelude = "import \"sort\"".into();
        mismatches(&spec)
    };
    assert_eq!(run(&same), vec![]);
    assert_eq!(run(&sorts_in_place), vec![MismatchKind::Receiver]);
}

#[test]
fn rust_differential() {
    let original = "use std::collections::HashMap;\nfn tally(v: &mut Vec<i32>, words: Vec<String>) -> Option<HashMap<String, usize>> {\n    if words.is_empty() { return None; }\n    if v.is_empty() { panic!(\"empty\"); }\n    v.push(1);\n    let mut m = HashMap::new();\n    for w in words { *m.entry(w).or_insert(0) += 1; }\n    Some(m)\n}\n";
    let same = "fn tally(v: &mut Vec<i32>, words: Vec<String>) -> Option<HashMap<String, usize>> {\n    if words.is_empty() { return None; }\n    assert!(!v.is_empty());\n    v.extend([1]);\n    let mut m = HashMap::with_capacity(words.len());\n    for w in words.into_iter().rev() { *m.entry(w).or_default() += 1; }\n    Some(m)\n}\n";
    let inputs: &[&[&str]] = &[
        &[
            "&mut vec![1]",
            "vec![\"a\".to_string(), \"b\".into(), \"a\".into()]",
        ],
        &["&mut vec![]", "vec![\"x\".to_string()]"],
        &["&mut vec![]", "vec![]"],
    ];
    let mut s = spec(Language::Rust, "tally", original, same, inputs);
    s.prelude = "use std::collections::HashMap;".into();
    s.original = s.original.replace("use std::collections::HashMap;\n", "");
    assert_eq!(mismatches(&s), vec![]);
    let no_push = "fn tally(v: &mut Vec<i32>, words: Vec<String>) -> Option<HashMap<String, usize>> {\n    if words.is_empty() { return None; }\n    if v.is_empty() { return None; }\n    let mut m = HashMap::new();\n    for w in words { *m.entry(w).or_insert(0) += 1; }\n    Some(m)\n}\n";
    let mut s = spec(Language::Rust, "tally", original, no_push, inputs);
    s.prelude = "use std::collections::HashMap;".into();
    s.original = s.original.replace("use std::collections::HashMap;\n", "");
    assert_eq!(
        mismatches(&s),
        vec![MismatchKind::Arguments, MismatchKind::Exception]
    );
}

#[test]
fn a_hanging_candidate_ends_the_batch_with_a_timeout_at_its_input() {
    let config = common::config();
    let tmp = common::TestDir::new();
    let original = "def f(n):\n    return n * 2\n";
    let candidate = "def f(n):\n    while n == 7:\n        pass\n    return n + n\n";
    let s = spec(
        Language::Python,
        "f",
        original,
        candidate,
        &[&["1"], &["7"], &["3"]],
    );
    let mut limits = SandboxLimits::for_run();
    limits.wall = std::time::Duration::from_secs(2);
    let outcome = check_equivalence(
        &config,
        &detect(Language::Python).unwrap(),
        &s,
        &tmp.run_dir("w"),
        Tolerance::default(),
        limits,
    )
    .unwrap();
    assert!(!outcome.equivalent);
    let (status, first_missing) = outcome.incomplete.clone().unwrap();
    assert_eq!(status, perforch::executor::RunStatus::Timeout);
    assert_eq!(first_missing, 1);
    // The input that finished before the hang was still checked.
    assert!(outcome.records.iter().any(|r| r.call == 0));
}

#[test]
fn rust_user_structs_compare_by_debug_text() {
    let prelude = "#[derive(Debug, Clone, PartialEq)]\npub struct Point { x: i32, y: f64 }\n";
    let original = "fn mirror(p: Point) -> Point { Point { x: -p.x, y: p.y } }\n";
    let same = "fn mirror(p: Point) -> Point { let mut q = p.clone(); q.x = 0 - q.x; q }\n";
    let wrong = "fn mirror(p: Point) -> Point { Point { x: p.x, y: p.y } }\n";
    let inputs: &[&[&str]] = &[&["Point { x: 3, y: 0.5 }"]];
    let mut s = spec(Language::Rust, "mirror", original, same, inputs);
    s.prelude = prelude.into();
    assert_eq!(mismatches(&s), vec![]);
    let mut s = spec(Language::Rust, "mirror", original, wrong, inputs);
    s.prelude = prelude.into();
    assert_eq!(mismatches(&s), vec![MismatchKind::Result]);
}
