//! Preallocation and hoisting of loop-invariant regular expressions: the
//! exact text offered, and the near misses where nothing is offered.

use super::*;

/// The first offer's function text (all rewrites together).
fn offered(language: Language, file: &str, function: &str) -> String {
    offers(language, file, function)
        .into_iter()
        .next()
        .map(|offer| offer.function)
        .unwrap_or_else(|| panic!("no offer for {function} in:\n{file}"))
}

fn hints_of(language: Language, file: &str, function: &str) -> Vec<&'static str> {
    rewrites(language, file, function)
        .into_iter()
        .map(|rewrite| rewrite.hint)
        .collect()
}

// ---------------------------------------------------------------- Go

#[test]
fn go_append_in_a_range_loop_makes_the_slice_with_capacity() {
    let file = "package p\n\nfunc Doubled(xs []int) []int {\n\tout := []int{}\n\tfor _, x := range xs {\n\t\tout = append(out, x*2)\n\t}\n\treturn out\n}\n";
    assert_eq!(
        offered(Language::Go, file, "Doubled"),
        "func Doubled(xs []int) []int {\n\tout := make([]int, 0, len(xs))\n\tfor _, x := range xs {\n\t\tout = append(out, x*2)\n\t}\n\treturn out\n}"
    );
}

#[test]
fn go_nil_slice_stays_nil_when_the_loop_does_not_run() {
    let file = "package p\n\nfunc Names(xs []string) []string {\n\tvar out []string\n\tfor _, x := range xs {\n\t\tout = append(out, x+\"!\")\n\t}\n\treturn out\n}\n";
    assert_eq!(
        offered(Language::Go, file, "Names"),
        "func Names(xs []string) []string {\n\tvar out []string\n\tif len(xs) > 0 {\n\t\tout = make([]string, 0, len(xs))\n\t}\n\tfor _, x := range xs {\n\t\tout = append(out, x+\"!\")\n\t}\n\treturn out\n}"
    );
}

#[test]
fn go_two_appends_per_iteration_make_twice_the_room() {
    let file = "package p\n\nfunc Pairs(xs []int) []int {\n\tout := make([]int, 0)\n\tfor _, x := range xs {\n\t\tout = append(out, x)\n\t\tout = append(out, -x)\n\t}\n\treturn out\n}\n";
    assert!(offered(Language::Go, file, "Pairs").contains("\tout := make([]int, 0, 2*len(xs))\n"),);
}

#[test]
fn go_preallocation_is_left_alone_when_its_precondition_is_false() {
    // Conditional append: the hint does not fire, nothing is offered.
    let filtered = "package p\n\nfunc Even(xs []int) []int {\n\tout := []int{}\n\tfor _, x := range xs {\n\t\tif x%2 == 0 {\n\t\t\tout = append(out, x)\n\t\t}\n\t}\n\treturn out\n}\n";
    assert!(rewrites(Language::Go, filtered, "Even").is_empty());
    // The slice is used between its declaration and the loop.
    let touched = "package p\n\nfunc Seeded(xs []int) []int {\n\tout := []int{}\n\tkeep(out)\n\tfor _, x := range xs {\n\t\tout = append(out, x)\n\t}\n\treturn out\n}\n\nfunc keep(s []int) {}\n";
    assert!(!hints_of(Language::Go, touched, "Seeded").contains(&"go-append-without-prealloc"));
    // The ranged slice is reassigned between the declaration and the loop.
    let resized = "package p\n\nfunc Tail(xs []int) []int {\n\tout := []int{}\n\txs = xs[1:]\n\tfor _, x := range xs {\n\t\tout = append(out, x)\n\t}\n\treturn out\n}\n";
    assert!(!hints_of(Language::Go, resized, "Tail").contains(&"go-append-without-prealloc"));
    // A counted loop: the hint fires, the rewrite is only for `range`.
    let counted = "package p\n\nfunc Upto(n int) []int {\n\tout := []int{}\n\tfor i := 0; i < n; i++ {\n\t\tout = append(out, i)\n\t}\n\treturn out\n}\n";
    assert!(rewrites(Language::Go, counted, "Upto").is_empty());
}

#[test]
fn go_must_compile_in_a_loop_is_compiled_once_before_the_outer_loop() {
    let file = "package p\n\nimport \"regexp\"\n\nfunc Count(rows [][]string) int {\n\tn := 0\n\tfor _, row := range rows {\n\t\tfor _, w := range row {\n\t\t\tif regexp.MustCompile(`^[a-z]+\\d$`).MatchString(w) {\n\t\t\t\tn++\n\t\t\t}\n\t\t}\n\t}\n\treturn n\n}\n";
    assert_eq!(
        offered(Language::Go, file, "Count"),
        "func Count(rows [][]string) int {\n\tn := 0\n\tre := regexp.MustCompile(`^[a-z]+\\d$`)\n\tfor _, row := range rows {\n\t\tfor _, w := range row {\n\t\t\tif re.MatchString(w) {\n\t\t\t\tn++\n\t\t\t}\n\t\t}\n\t}\n\treturn n\n}"
    );
}

#[test]
fn go_regexp_calls_that_return_errors_or_use_variables_are_left_alone() {
    let file = "package p\n\nimport \"regexp\"\n\nfunc Count(words []string, p string) int {\n\tn := 0\n\tfor _, w := range words {\n\t\tif ok, _ := regexp.MatchString(\"^a\", w); ok {\n\t\t\tn++\n\t\t}\n\t\tif regexp.MustCompile(p).MatchString(w) {\n\t\t\tn++\n\t\t}\n\t\tgo func() { regexp.MustCompile(\"b\") }()\n\t}\n\treturn n\n}\n";
    assert!(!hints_of(Language::Go, file, "Count").contains(&"go-regexp-compile-in-loop"));
}

// ---------------------------------------------------------------- C++

#[test]
fn cpp_push_back_in_a_range_for_reserves_before_the_loop() {
    let file = "#include <vector>\nstd::vector<int> squares(const std::vector<int>& xs) {\n    std::vector<int> out;\n    for (int x : xs) {\n        out.push_back(x * x);\n    }\n    return out;\n}\n";
    assert_eq!(
        offered(Language::Cpp, file, "squares"),
        "std::vector<int> squares(const std::vector<int>& xs) {\n    std::vector<int> out;\n    out.reserve(xs.size());\n    for (int x : xs) {\n        out.push_back(x * x);\n    }\n    return out;\n}"
    );
}

#[test]
fn cpp_reserve_is_left_alone_when_its_precondition_is_false() {
    // A counted loop (the hint fires, the rewrite is for range-for only).
    let counted = "#include <vector>\nstd::vector<int> upto(int n) {\n    std::vector<int> out;\n    for (int i = 0; i < n; ++i) {\n        out.push_back(i);\n    }\n    return out;\n}\n";
    assert!(rewrites(Language::Cpp, counted, "upto").is_empty());
    // The loop is the body of an `if` without braces: a line before it
    // would become the `if`'s body.
    let unbraced = "#include <vector>\nstd::vector<int> copy(const std::vector<int>& xs, bool on) {\n    std::vector<int> out;\n    if (on)\n        for (int x : xs) {\n            out.push_back(x);\n        }\n    return out;\n}\n";
    assert!(!hints_of(Language::Cpp, unbraced, "copy").contains(&"cpp-push-back-without-reserve"));
    // Pushes under an `if`: not one per element.
    let filtered = "#include <vector>\nstd::vector<int> even(const std::vector<int>& xs) {\n    std::vector<int> out;\n    for (int x : xs) {\n        if (x % 2 == 0) out.push_back(x);\n    }\n    return out;\n}\n";
    assert!(rewrites(Language::Cpp, filtered, "even").is_empty());
}

// ---------------------------------------------------------------- Rust

#[test]
fn rust_vec_new_pushed_in_a_for_loop_is_created_with_capacity() {
    let file = "pub fn lengths(words: &[String]) -> Vec<usize> {\n    let mut out: Vec<usize> = Vec::new();\n    for w in words.iter() {\n        out.push(w.len());\n    }\n    out\n}\n\npub fn doubled(xs: &Vec<i64>) -> Vec<i64> {\n    let mut out = vec![];\n    for x in xs {\n        out.push(x * 2);\n    }\n    out\n}\n";
    assert_eq!(
        offered(Language::Rust, file, "lengths"),
        "pub fn lengths(words: &[String]) -> Vec<usize> {\n    let mut out: Vec<usize> = Vec::with_capacity(words.len());\n    for w in words.iter() {\n        out.push(w.len());\n    }\n    out\n}"
    );
    assert_eq!(
        offered(Language::Rust, file, "doubled"),
        "pub fn doubled(xs: &Vec<i64>) -> Vec<i64> {\n    let mut out = Vec::with_capacity(xs.len());\n    for x in xs {\n        out.push(x * 2);\n    }\n    out\n}"
    );
}

#[test]
fn rust_capacity_is_left_alone_when_its_precondition_is_false() {
    // The vector is read in the loop.
    let read = "pub fn running(xs: &[i64]) -> Vec<i64> {\n    let mut out = Vec::new();\n    for x in xs {\n        let last = out.last().copied().unwrap_or(0);\n        out.push(last + x);\n    }\n    out\n}\n";
    assert!(rewrites(Language::Rust, read, "running").is_empty());
    // The collection changes between the declaration and the loop.
    let changed = "pub fn tail(mut xs: Vec<i64>) -> Vec<i64> {\n    let mut out = Vec::new();\n    xs.retain(|x| *x > 0);\n    for x in xs.iter() {\n        out.push(*x);\n    }\n    out\n}\n";
    assert!(!hints_of(Language::Rust, changed, "tail").contains(&"rust-push-without-capacity"));
    // A filtered iterator has no known length.
    let filtered = "pub fn big(xs: &[i64]) -> Vec<i64> {\n    let mut out = Vec::new();\n    for x in xs.iter().filter(|x| **x > 2) {\n        out.push(*x);\n    }\n    out\n}\n";
    assert!(!hints_of(Language::Rust, filtered, "big").contains(&"rust-push-without-capacity"));
}

#[test]
fn rust_regex_new_unwrap_in_a_loop_is_built_once() {
    let file = "use regex::Regex;\n\npub fn count(words: &[String]) -> usize {\n    let mut n = 0;\n    for w in words {\n        let re = Regex::new(r\"^[a-z]+\\d$\").unwrap();\n        if re.is_match(w) || Regex::new(r\"^[a-z]+\\d$\").unwrap().is_match(&w.to_lowercase()) {\n            n += 1;\n        }\n    }\n    n\n}\n";
    assert_eq!(
        offered(Language::Rust, file, "count"),
        "pub fn count(words: &[String]) -> usize {\n    let mut n = 0;\n    let re2 = Regex::new(r\"^[a-z]+\\d$\").unwrap();\n    for w in words {\n        let re = &re2;\n        if re.is_match(w) || re2.is_match(&w.to_lowercase()) {\n            n += 1;\n        }\n    }\n    n\n}"
    );
}

#[test]
fn rust_regex_with_question_mark_or_a_variable_pattern_is_left_alone() {
    let file = "use regex::Regex;\n\npub fn count(words: &[String], p: &str) -> Result<usize, regex::Error> {\n    let mut n = 0;\n    for w in words {\n        if Regex::new(\"^a\")?.is_match(w) || Regex::new(p).unwrap().is_match(w) {\n            n += 1;\n        }\n    }\n    Ok(n)\n}\n";
    assert!(!hints_of(Language::Rust, file, "count").contains(&"rust-regex-in-loop"));
}

// ---------------------------------------------------------------- Java

#[test]
fn java_pattern_compile_and_matches_in_a_loop_compile_once() {
    let file = "import java.util.regex.Pattern;\nclass A {\n    static int f(String[] words) {\n        int n = 0;\n        for (String w : words) {\n            if (Pattern.compile(\"^[a-z]+\\\\d$\", Pattern.CASE_INSENSITIVE).matcher(w).find()) n++;\n            if (Pattern.matches(\"x+\", w)) n++;\n        }\n        return n;\n    }\n}\n";
    let all = offers(Language::Java, file, "f");
    // Both pick the name `pattern` before one loop, so they are offered
    // one at a time.
    assert_eq!(
        all[0].function,
        "static int f(String[] words) {\n    int n = 0;\n    Pattern pattern = Pattern.compile(\"^[a-z]+\\\\d$\", Pattern.CASE_INSENSITIVE);\n    for (String w : words) {\n        if (pattern.matcher(w).find()) n++;\n        if (Pattern.matches(\"x+\", w)) n++;\n    }\n    return n;\n}"
    );
    assert!(
        all.iter().any(|offer| offer.function.contains(
            "    Pattern pattern = Pattern.compile(\"x+\");\n    for (String w : words) {\n        if (Pattern.compile(\"^[a-z]+\\\\d$\", Pattern.CASE_INSENSITIVE).matcher(w).find()) n++;\n        if (pattern.matcher(w).matches()) n++;"
        )),
        "{all:#?}"
    );
}

#[test]
fn java_patterns_built_from_variables_or_string_methods_are_left_alone() {
    let file = "import java.util.regex.Pattern;\nclass A {\n    static int f(String[] words, String p) {\n        int n = 0;\n        for (String w : words) {\n            if (Pattern.compile(p).matcher(w).find()) n++;\n            if (w.matches(\"a+\")) n++;\n            if (Pattern.compile(\"a\" + w).matcher(w).find()) n++;\n        }\n        return n;\n    }\n}\n";
    assert!(!hints_of(Language::Java, file, "f").contains(&"java-regex-in-loop"));
}

// ---------------------------------------------------------------- Python

#[test]
fn python_re_functions_in_a_loop_use_one_compiled_pattern() {
    let file = "import re\n\ndef f(lines: list[str]) -> int:\n    n = 0\n    for line in lines:\n        if re.match(r\"\\d+-\\d+\", line):\n            n += len(re.findall(r\"\\d+-\\d+\", line))\n        line = re.sub(r\"\\s+\", \" \", line)\n    return n\n";
    let all = offers(Language::Python, file, "f");
    assert_eq!(
        all[0].function,
        "def f(lines: list[str]) -> int:\n    n = 0\n    pattern = re.compile(r\"\\d+-\\d+\")\n    for line in lines:\n        if pattern.match(line):\n            n += len(pattern.findall(line))\n        line = re.sub(r\"\\s+\", \" \", line)\n    return n"
    );
    assert!(all.iter().any(|offer| offer.function.contains(
        "    pattern = re.compile(r\"\\s+\")\n    for line in lines:\n        if re.match(r\"\\d+-\\d+\", line):\n            n += len(re.findall(r\"\\d+-\\d+\", line))\n        line = pattern.sub(\" \", line)\n"
    )));
}

#[test]
fn python_re_compile_with_flags_moves_whole() {
    let file = "import re\n\ndef f(lines: list[str]) -> int:\n    n = 0\n    while lines:\n        line = lines.pop()\n        if re.compile(\"abc\", re.I | re.M).search(line):\n            n += 1\n    return n\n";
    assert_eq!(
        offered(Language::Python, file, "f"),
        "def f(lines: list[str]) -> int:\n    n = 0\n    pattern = re.compile(\"abc\", re.I | re.M)\n    while lines:\n        line = lines.pop()\n        if pattern.search(line):\n            n += 1\n    return n"
    );
}

#[test]
fn python_regex_in_a_comprehension_is_compiled_before_its_statement() {
    let file = "import re\n\ndef f(lines: list[str]) -> list[str]:\n    if lines:\n        return [re.sub(r\"\\s+\", \" \", line) for line in lines if re.search(\"a\", line)]\n    return []\n";
    assert_eq!(
        offered(Language::Python, file, "f"),
        "def f(lines: list[str]) -> list[str]:\n    if lines:\n        pattern = re.compile(r\"\\s+\")\n        return [pattern.sub(\" \", line) for line in lines if re.search(\"a\", line)]\n    return []"
    );
}

#[test]
fn python_regex_calls_that_would_change_meaning_are_left_alone() {
    let cases = [
        // A pattern built in the loop.
        "import re\n\ndef f(lines, words):\n    n = 0\n    for w in words:\n        if re.search(f\"{w}$\", lines[0]):\n            n += 1\n    return n\n",
        // A third positional argument is flags on `re.match`, `pos` on a pattern.
        "import re\n\ndef f(lines):\n    n = 0\n    for line in lines:\n        if re.match(\"a\", line, re.I):\n            n += 1\n    return n\n",
        // Keyword arguments.
        "import re\n\ndef f(lines):\n    n = 0\n    for line in lines:\n        n += len(re.sub(\"a\", \"b\", line, count=1))\n    return n\n",
        // `re` is not the module here.
        "import re\n\ndef f(lines, re):\n    n = 0\n    for line in lines:\n        if re.match(\"a\", line):\n            n += 1\n    return n\n",
        // No loop.
        "import re\n\ndef f(line):\n    return re.match(\"a\", line)\n",
        // Inside a lambda in the loop: it may run at another time.
        "import re\n\ndef f(rows):\n    out = []\n    for row in rows:\n        out.append(sorted(row, key=lambda w: re.sub(\"a\", \"\", w)))\n    return out\n",
    ];
    for file in cases {
        assert!(rewrites(Language::Python, file, "f").is_empty(), "{file}");
    }
    // Without `import re` nothing is known about `re`.
    let unimported = "from x import re\n\ndef f(lines):\n    n = 0\n    for line in lines:\n        if re.match(\"a\", line):\n            n += 1\n    return n\n";
    assert!(rewrites(Language::Python, unimported, "f").is_empty());
}

// ---------------------------------------------------------------- docs

#[test]
fn docs_list_exactly_the_hints_the_builtin_rewrites() {
    let docs = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/hints.md"))
        .expect("docs/hints.md");
    let start = docs
        .find("<!-- builtin:begin")
        .expect("a builtin:begin marker");
    let end = docs
        .find("<!-- builtin:end -->")
        .expect("a builtin:end marker");
    let listed: Vec<&str> = docs[start..end]
        .lines()
        .filter_map(|row| row.strip_prefix("| `"))
        .filter_map(|row| row.split('`').next())
        .collect();
    assert_eq!(listed, FIXED_HINTS, "update the table in docs/hints.md");
    for id in FIXED_HINTS {
        assert!(
            crate::analysis::hints::info(id).is_some(),
            "{id} is not a catalog hint"
        );
    }
}
