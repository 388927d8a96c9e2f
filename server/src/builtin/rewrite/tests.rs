//! Each rewrite on a small function: the exact text offered, and the near
//! misses where its precondition does not hold and nothing is offered.

use super::*;

/// The first offer's function text (all rewrites together).
fn offered(language: Language, file: &str, function: &str) -> Option<String> {
    offers(language, file, function)
        .into_iter()
        .next()
        .map(|offer| offer.function)
}

#[test]
fn python_list_membership_becomes_a_set_built_before_the_outer_loop() {
    let file = "def f(rows: list[list[str]], banned: list[str]) -> int:\n    n = 0\n    for row in rows:\n        for w in row:\n            if w not in banned and w.upper() in banned:\n                n += 1\n    return n\n";
    assert_eq!(
        offered(Language::Python, file, "f").unwrap(),
        "def f(rows: list[list[str]], banned: list[str]) -> int:\n    n = 0\n    banned_set = set(banned)\n    for row in rows:\n        for w in row:\n            if w not in banned_set and w.upper() in banned_set:\n                n += 1\n    return n"
    );
}

#[test]
fn python_membership_is_left_alone_when_the_list_changes_in_the_loop() {
    let file = "def f(words: list[str]) -> int:\n    seen = []\n    for w in words:\n        if w not in seen:\n            seen.append(w)\n    return len(seen)\n";
    assert!(rewrites(Language::Python, file, "f").is_empty());
}

#[test]
fn python_set_name_does_not_clash() {
    let file = "def f(words: list[str], banned: list[str]) -> int:\n    banned_set = 1\n    n = 0\n    for w in words:\n        if w in banned:\n            n += banned_set\n    return n\n";
    let text = offered(Language::Python, file, "f").unwrap();
    assert!(
        text.contains(
            "    banned_set2 = set(banned)\n    for w in words:\n        if w in banned_set2:"
        ),
        "{text}"
    );
}

#[test]
fn python_sorted_first_and_last_become_min_and_max() {
    let file = "def f(xs: list[int]) -> int:\n    return sorted(xs)[0] + sorted(xs)[-1] + sorted(xs, reverse=True)[0]\n";
    assert_eq!(
        offered(Language::Python, file, "f").unwrap(),
        "def f(xs: list[int]) -> int:\n    return min(xs) + max(xs) + sorted(xs, reverse=True)[0]"
    );
}

#[test]
fn java_string_concatenation_goes_through_a_string_builder() {
    let file = "class A {\n    static String f(int[] ids) {\n        String s = \"\";\n        for (int id : ids) {\n            s += id;\n            s = s + \",\";\n        }\n        return s;\n    }\n}\n";
    assert_eq!(
        offered(Language::Java, file, "f").unwrap(),
        "static String f(int[] ids) {\n    String s = \"\";\n    StringBuilder sBuilder = new StringBuilder(s);\n    for (int id : ids) {\n        sBuilder.append(id);\n        sBuilder.append(\",\");\n    }\n    s = sBuilder.toString();\n    return s;\n}"
    );
}

#[test]
fn java_concatenation_that_reads_the_string_is_left_alone() {
    let file = "class A {\n    static String f(int[] ids) {\n        String s = \"\";\n        for (int id : ids) {\n            if (s.length() < 10) s += id;\n        }\n        return s;\n    }\n}\n";
    assert!(rewrites(Language::Java, file, "f").is_empty());
}

#[test]
fn java_list_contains_becomes_a_hash_set() {
    let file = "import java.util.List;\nclass A {\n    static int f(List<String> words, List<String> known) {\n        int n = 0;\n        for (String w : words) {\n            if (known.contains(w)) n++;\n        }\n        return n;\n    }\n}\n";
    assert_eq!(
        offered(Language::Java, file, "f").unwrap(),
        "static int f(List<String> words, List<String> known) {\n    int n = 0;\n    java.util.Set<Object> knownSet = new java.util.HashSet<Object>(known);\n    for (String w : words) {\n        if (knownSet.contains(w)) n++;\n    }\n    return n;\n}"
    );
}

#[test]
fn cpp_self_concatenation_appends_in_place_and_containers_are_taken_by_reference() {
    let file = "#include <string>\n#include <vector>\nstd::string f(std::vector<std::string> parts) {\n    std::string s;\n    for (const auto& p : parts) {\n        s = s + p;\n    }\n    return s;\n}\n";
    assert_eq!(
        offered(Language::Cpp, file, "f").unwrap(),
        "std::string f(const std::vector<std::string>& parts) {\n    std::string s;\n    for (const auto& p : parts) {\n        s += p;\n    }\n    return s;\n}"
    );
    // Each rewrite is also offered alone, after the combination.
    let all = offers(Language::Cpp, file, "f");
    assert_eq!(all.len(), 3);
    assert!(
        all[1]
            .function
            .contains("const std::vector<std::string>& parts")
            && all[1].function.contains("s = s + p")
    );
}

#[test]
fn cpp_sum_of_several_parts_is_left_alone() {
    // `s += a + b` would add the two parts first.
    let file = "#include <string>\nstd::string f(int n, const char* a, const char* b) {\n    std::string s;\n    for (int i = 0; i < n; ++i) {\n        s = s + a + b;\n    }\n    return s;\n}\n";
    assert!(rewrites(Language::Cpp, file, "f").is_empty());
}

#[test]
fn go_string_concatenation_goes_through_a_strings_builder() {
    let file = "package p\n\nfunc F(ids []string) string {\n\tout := \"\"\n\tfor _, id := range ids {\n\t\tout += id\n\t\tout = out + \";\"\n\t}\n\treturn out\n}\n";
    let offer = offers(Language::Go, file, "F").remove(0);
    assert_eq!(
        offer.function,
        "func F(ids []string) string {\n\tout := \"\"\n\tvar outBuilder strings.Builder\n\toutBuilder.WriteString(out)\n\tfor _, id := range ids {\n\t\toutBuilder.WriteString(id)\n\t\toutBuilder.WriteString(\";\")\n\t}\n\tout = outBuilder.String()\n\treturn out\n}"
    );
    assert!(
        offer.code.starts_with("import \"strings\"\n\nfunc F("),
        "{}",
        offer.code
    );
}

#[test]
fn go_concatenation_that_reads_the_string_is_left_alone() {
    let file = "package p\n\nfunc F(ids []string) string {\n\tout := \"\"\n\tfor _, id := range ids {\n\t\tout = id + out\n\t\tout += id\n\t}\n\treturn out\n}\n";
    assert!(rewrites(Language::Go, file, "F").is_empty());
}

#[test]
fn rust_vec_contains_becomes_a_hash_set_of_references() {
    let file = "pub fn f(words: &[String], banned: &[String]) -> usize {\n    let mut n = 0;\n    for w in words {\n        if !banned.contains(w) {\n            n += 1;\n        }\n    }\n    n\n}\n";
    assert_eq!(
        offered(Language::Rust, file, "f").unwrap(),
        "pub fn f(words: &[String], banned: &[String]) -> usize {\n    let mut n = 0;\n    let banned_set: std::collections::HashSet<_> = banned.iter().collect();\n    for w in words {\n        if !banned_set.contains(w) {\n            n += 1;\n        }\n    }\n    n\n}"
    );
}

#[test]
fn rust_vec_pushed_in_the_loop_is_left_alone() {
    let file = "pub fn f(words: &[String]) -> usize {\n    let mut seen: Vec<&String> = Vec::new();\n    for w in words {\n        if !seen.contains(&w) {\n            seen.push(w);\n        }\n    }\n    seen.len()\n}\n";
    assert!(rewrites(Language::Rust, file, "f").is_empty());
}

#[test]
fn rust_collect_then_len_becomes_count() {
    let file = "pub fn f(xs: &[i64]) -> usize {\n    let big = xs.iter().filter(|x| **x > 2).collect::<Vec<_>>().len();\n    let none = xs.iter().filter(|x| **x < 0).collect::<Vec<&i64>>().is_empty();\n    big + none as usize\n}\n";
    assert_eq!(
        offered(Language::Rust, file, "f").unwrap(),
        "pub fn f(xs: &[i64]) -> usize {\n    let big = xs.iter().filter(|x| **x > 2).count();\n    let none = xs.iter().filter(|x| **x < 0).next().is_none();\n    big + none as usize\n}"
    );
}

#[test]
fn a_function_without_hints_gets_no_offer() {
    assert!(
        offers(
            Language::Python,
            "def f(x: int) -> int:\n    return x + 1\n",
            "f"
        )
        .is_empty()
    );
    assert!(
        offers(
            Language::Python,
            "def f(x: int) -> int:\n    return x + 1\n",
            "missing"
        )
        .is_empty()
    );
}
