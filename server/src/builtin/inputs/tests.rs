//! Inputs from parameter types: the exact expressions for a small case and
//! a large one, per language, and a clear refusal for unknown types.

use super::*;
use crate::pipeline::evidence::{InputSource, parse_inputs_reply};

/// (small inputs, stress inputs) as the pipeline parses the reply.
fn generated(
    language: Language,
    file: &str,
    function: &str,
) -> (Vec<Vec<String>>, Vec<Vec<String>>) {
    let reply = inputs_reply(language, file, function).unwrap();
    let inputs = parse_inputs_reply(&reply).unwrap().inputs;
    let pick = |source: InputSource| {
        inputs
            .iter()
            .filter(|input| input.source == source)
            .map(|input| input.args.clone())
            .collect::<Vec<_>>()
    };
    (pick(InputSource::Generated), pick(InputSource::Stress))
}

#[test]
fn python_lists_of_strings_and_ints() {
    let (small, stress) = generated(
        Language::Python,
        "def f(words: list[str], limit: int = 3, flag: bool = False) -> int:\n    return 0\n",
        "f",
    );
    assert_eq!(small.len(), 5);
    assert_eq!(small[0], ["[]", "1", "False"]);
    assert_eq!(
        small[2],
        [r#"["w3", "z1", "w3", "w0", "w7", "z1"]"#, "4", "True"]
    );
    assert_eq!(stress.len(), 2);
    assert_eq!(
        stress[0],
        [r#"[f"w{k}" for k in range(0, 3000, 1)]"#, "3000", "False"]
    );
}

#[test]
fn java_arrays_lists_and_chars() {
    let (small, stress) = generated(
        Language::Java,
        "class A {\n    static int f(long[] xs, java.util.List<String> names, char c) { return 0; }\n}\n",
        "f",
    );
    assert_eq!(
        small[1],
        [
            "new long[]{1L}",
            r#"new java.util.ArrayList<String>(java.util.Arrays.asList("w2"))"#,
            "' '"
        ]
    );
    assert_eq!(
        stress[1][0],
        "java.util.stream.IntStream.range(0, 10000).mapToLong(perforchK -> (long) (0 + perforchK * 1)).toArray()"
    );
    assert_eq!(
        stress[0][1],
        r#"java.util.stream.IntStream.range(0, 10000).mapToObj(perforchK -> "w" + (0 + perforchK * 2)).collect(java.util.stream.Collectors.toCollection(java.util.ArrayList::new))"#
    );
}

#[test]
fn cpp_vectors_by_reference_and_strings() {
    let (small, stress) = generated(
        Language::Cpp,
        "#include <string>\n#include <vector>\nint f(const std::vector<int>& xs, const std::string& s) { return 0; }\n",
        "f",
    );
    assert_eq!(small[1], ["std::vector<int>{1}", r#"std::string("ab")"#]);
    assert_eq!(
        stress[0],
        [
            "[] { std::vector<int> v; v.reserve(10000); for (long long k = 0; k < 10000; ++k) v.push_back(static_cast<int>(0 + k * 1)); return v; }()",
            "std::string(10000, 'a')"
        ]
    );
}

#[test]
fn go_slices_without_imports() {
    let (small, stress) = generated(
        Language::Go,
        "package p\n\nfunc F(ids []int64, name string) int {\n\treturn 0\n}\n",
        "F",
    );
    assert_eq!(small[2], ["[]int64{3, -1, 3, 0, 7, -1}", r#""ababab""#]);
    assert_eq!(
        stress[0][0],
        "func() []int64 { v := make([]int64, 10000); for k := range v { v[k] = int64(0 + k*1) }; return v }()"
    );
}

#[test]
fn rust_slices_vecs_and_unsigned_numbers() {
    let (small, stress) = generated(
        Language::Rust,
        "pub fn f(words: &[String], counts: Vec<u32>, k: usize) -> usize {\n    0\n}\n",
        "f",
    );
    assert_eq!(
        small[2],
        [
            r#"&vec!["w3".to_string(), "z1".to_string(), "w3".to_string(), "w0".to_string(), "w7".to_string(), "z1".to_string()]"#,
            "vec![4, 0, 4, 1, 8, 0]",
            "5"
        ]
    );
    assert_eq!(
        stress[0][0],
        r#"&(0..10000i64).map(|k| format!("w{}", (0 + k * 1))).collect::<Vec<String>>()"#
    );
    assert_eq!(
        stress[0][1],
        "(0..10000i64).map(|k| (0 + k * 2) as u32).collect::<Vec<u32>>()"
    );
}

#[test]
fn unknown_types_are_refused_by_name() {
    let error = inputs_reply(
        Language::Python,
        "def f(x, y: int) -> int:\n    return y\n",
        "f",
    )
    .unwrap_err();
    assert_eq!(error, InputsError::UnknownType("x".into()));
    assert!(error.to_string().contains("parameter `x`"));
    assert_eq!(
        inputs_reply(
            Language::Python,
            "def f(y: int) -> int:\n    return y\n",
            "g"
        )
        .unwrap_err(),
        InputsError::NoFunction("g".into())
    );
}
