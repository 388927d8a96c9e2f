//! Code extraction from model replies of many shapes.

use perforch::language::Language;
use perforch::models::{ExtractError, extract_code};

#[test]
fn tagged_block_for_the_target_language() {
    let reply = "Here is a faster version:\n\n```python\ndef total(xs):\n    return sum(xs)\n```\n\nIt uses the builtin sum.";
    assert_eq!(
        extract_code(reply, Language::Python).unwrap(),
        "def total(xs):\n    return sum(xs)\n"
    );
}

#[test]
fn language_aliases_are_accepted() {
    let cases = [
        ("py", Language::Python, "def f():\n    return 1"),
        ("Python3", Language::Python, "def f():\n    return 1"),
        ("c++", Language::Cpp, "int f() { return 1; }"),
        ("cc", Language::Cpp, "int f() { return 1; }"),
        ("cxx", Language::Cpp, "int f() { return 1; }"),
        ("c", Language::Cpp, "int f() { return 1; }"),
        ("golang", Language::Go, "func f() int { return 1 }"),
        ("rs", Language::Rust, "fn f() -> i32 { 1 }"),
        ("java", Language::Java, "static int f() { return 1; }"),
        ("{.rust}", Language::Rust, "fn f() -> i32 { 1 }"),
    ];
    for (tag, language, code) in cases {
        let reply = format!("Sure.\n```{tag}\n{code}\n```\n");
        assert_eq!(
            extract_code(&reply, language).unwrap(),
            format!("{code}\n"),
            "tag {tag}"
        );
    }
    assert_eq!(Language::from_fence_tag("GO"), Some(Language::Go));
    assert_eq!(Language::from_fence_tag("javascript"), None);
}

#[test]
fn target_language_wins_over_other_blocks() {
    let reply = "Build with:\n```bash\ng++ -O2 main.cpp\n```\nCode:\n```cpp\n#include <vector>\nint f(const std::vector<int>& v) { return v.size(); }\n```\nTest in Python:\n```python\nprint(f([1]))\n```";
    assert_eq!(
        extract_code(reply, Language::Cpp).unwrap(),
        "#include <vector>\nint f(const std::vector<int>& v) { return v.size(); }\n"
    );
}

#[test]
fn longest_tagged_block_is_the_solution_not_the_usage_example() {
    let reply = "```go\nfunc Sum(xs []int) int {\n\ttotal := 0\n\tfor _, x := range xs {\n\t\ttotal += x\n\t}\n\treturn total\n}\n```\nUsage:\n```go\nSum(nums)\n```";
    assert!(
        extract_code(reply, Language::Go)
            .unwrap()
            .starts_with("func Sum")
    );
}

#[test]
fn single_untagged_block_is_taken() {
    let reply = "Optimized:\n```\nfn square(x: u64) -> u64 { x * x }\n```";
    assert_eq!(
        extract_code(reply, Language::Rust).unwrap(),
        "fn square(x: u64) -> u64 { x * x }\n"
    );
}

#[test]
fn among_several_untagged_blocks_the_one_in_the_language_wins() {
    let reply = "Output:\n```\n42\n```\nCode:\n```\npublic static int answer() {\n    return 42;\n}\n```\nA shorter note:\n```\nsee above for the details\n```";
    assert_eq!(
        extract_code(reply, Language::Java).unwrap(),
        "public static int answer() {\n    return 42;\n}\n"
    );
}

#[test]
fn bare_code_reply_is_taken_whole() {
    let reply = "def fib(n):\n    a, b = 0, 1\n    for _ in range(n):\n        a, b = b, a + b\n    return a\n";
    assert_eq!(extract_code(reply, Language::Python).unwrap(), reply);
}

#[test]
fn prose_without_code_is_rejected() {
    let reply = "I cannot make this function faster because it is already optimal.\nThe loop is bounded by the input size and does constant work per element.";
    let error = extract_code(reply, Language::Python).unwrap_err();
    assert_eq!(
        error,
        ExtractError::NoCode {
            language: Language::Python
        }
    );
    assert_eq!(
        error.to_string(),
        "the reply holds no code block and does not look like Python code"
    );
}

#[test]
fn empty_reply_is_rejected() {
    assert_eq!(
        extract_code("  \n ", Language::Go).unwrap_err(),
        ExtractError::Empty
    );
}

#[test]
fn unclosed_fence_means_truncated_but_keeps_the_partial_code() {
    let reply = "```rust\nfn long() {\n    let x = 1;\n";
    match extract_code(reply, Language::Rust).unwrap_err() {
        ExtractError::Truncated { partial, .. } => {
            assert_eq!(partial, "fn long() {\n    let x = 1;\n")
        }
        other => panic!("expected Truncated, got {other:?}"),
    }
    let message = extract_code(reply, Language::Rust).unwrap_err().to_string();
    assert!(message.contains("max_tokens"), "{message}");
}

#[test]
fn closed_block_beats_a_truncated_trailing_block() {
    let reply = "```python\ndef f():\n    return 1\n```\nAnd an alternative:\n```python\ndef g(";
    assert_eq!(
        extract_code(reply, Language::Python).unwrap(),
        "def f():\n    return 1\n"
    );
}

#[test]
fn only_other_languages_is_reported_as_such() {
    let reply = "```javascript\nconst add = (a, b) => a + b;\n```";
    let error = extract_code(reply, Language::Python).unwrap_err();
    assert_eq!(
        error,
        ExtractError::WrongLanguage {
            language: Language::Python,
            found: "javascript".to_string()
        }
    );
}

#[test]
fn mislabelled_block_that_is_clearly_the_language_is_used() {
    let reply = "```text\ndef f(xs):\n    return sorted(xs)\n```";
    assert_eq!(
        extract_code(reply, Language::Python).unwrap(),
        "def f(xs):\n    return sorted(xs)\n"
    );
}

#[test]
fn inner_fence_with_info_string_does_not_close_the_block() {
    let reply = "````python\ndef doc():\n    \"\"\"Example:\n    ```python\n    doc()\n    ```\n    \"\"\"\n    return 1\n````";
    let code = extract_code(reply, Language::Python).unwrap();
    assert!(code.ends_with("    return 1\n"), "{code}");
    assert!(code.contains("```python"), "{code}");
}

#[test]
fn tilde_fences_and_indented_fences_work() {
    let reply = "~~~java\nint f() { return 2; }\n~~~";
    assert_eq!(
        extract_code(reply, Language::Java).unwrap(),
        "int f() { return 2; }\n"
    );
    let indented = "1. Replace the function:\n   ```python\n   def f():\n       return 2\n   ```";
    assert_eq!(
        extract_code(indented, Language::Python).unwrap(),
        "def f():\n    return 2\n"
    );
}

#[test]
fn windows_line_endings_and_surrounding_blank_lines() {
    let reply = "```go\r\n\r\nfunc f() int {\r\n\treturn 3\r\n}\r\n\r\n```\r\n";
    assert_eq!(
        extract_code(reply, Language::Go).unwrap(),
        "func f() int {\n\treturn 3\n}\n"
    );
}

#[test]
fn inline_triple_backticks_are_not_a_block() {
    let reply = "Use ```sum(xs)``` instead of the loop.";
    assert!(matches!(
        extract_code(reply, Language::Python),
        Err(ExtractError::NoCode { .. })
    ));
}

#[test]
fn blank_tagged_block_is_ignored() {
    let reply = "```python\n\n```\n```\ndef f():\n    return 4\n```";
    assert_eq!(
        extract_code(reply, Language::Python).unwrap(),
        "def f():\n    return 4\n"
    );
}
