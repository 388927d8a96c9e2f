//! `function_at`: what perforch knows about the function under the cursor.
//! Each case is source with a `$0` cursor and the expected description.

use expect_test::{Expect, expect};
use perforch::analysis::function_at;
use perforch::document::Document;
use perforch::language::Language;

fn check(language: Language, fixture: &str, expected: Expect) {
    let offset = fixture.find("$0").expect("fixture has a $0 cursor");
    let text = fixture.replacen("$0", "", 1);
    let document = Document::new(language, 1, &text);
    let actual = match function_at(&document, offset) {
        None => "no function\n".to_string(),
        Some(f) => format!(
            "name: {}\nkind: {}\ncontainer: {}\nparameters: {:?}\nreturns: {}\nstub: {}\ndoc: {:?}\nbody: {:?}\n",
            f.name,
            f.kind.as_str(),
            f.container.as_deref().unwrap_or("-"),
            f.parameters,
            f.return_type.as_deref().unwrap_or("-"),
            f.is_stub,
            f.doc.as_deref().unwrap_or(""),
            &text[f.body_range.as_range()].lines().next().unwrap_or(""),
        ),
    };
    expected.assert_eq(&actual);
}

#[test]
fn python_method_with_docstring() {
    check(
        Language::Python,
        r#"
class Ledger:
    def balance(self, entries: list[int], *, start: int = 0) -> int:
        """Sum of entries.

        Starts from `start`.
        """
        return start + sum(e for e in entr$0ies)
"#,
        expect![[r#"
            name: balance
            kind: method
            container: Ledger
            parameters: ["self", "entries: list[int]", "*", "start: int = 0"]
            returns: int
            stub: false
            doc: "Sum of entries.\n\nStarts from `start`."
            body: "\"\"\"Sum of entries."
        "#]],
    );
}

#[test]
fn python_nested_function_is_innermost_and_not_a_method() {
    check(
        Language::Python,
        "class A:\n    def outer(self):\n        def inner(x):\n            return x$0 * 2\n        return inner\n",
        expect![[r#"
            name: inner
            kind: function
            container: -
            parameters: ["x"]
            returns: -
            stub: false
            doc: ""
            body: "return x * 2"
        "#]],
    );
}

#[test]
fn python_docstring_only_body_is_a_stub() {
    check(
        Language::Python,
        "def plan(tasks):\n    '''Order tasks by deadline.'''$0\n",
        expect![[r#"
            name: plan
            kind: function
            container: -
            parameters: ["tasks"]
            returns: -
            stub: true
            doc: "Order tasks by deadline."
            body: "'''Order tasks by deadline.'''"
        "#]],
    );
}

#[test]
fn python_cursor_between_functions_has_no_function() {
    check(
        Language::Python,
        "def a():\n    return 1\n\n$0\ndef b():\n    return 2\n",
        expect![[r#"
        no function
    "#]],
    );
}

#[test]
fn java_static_method_with_javadoc() {
    check(
        Language::Java,
        r#"
class Stats {
    /**
     * Mean of the values.
     * @param xs the values
     */
    public static double mean(int[] xs) {
        long s = 0; for (int x : xs) s += x;$0
        return (double) s / xs.length;
    }
}
"#,
        expect![[r#"
            name: mean
            kind: method
            container: Stats
            parameters: ["int[] xs"]
            returns: double
            stub: false
            doc: "Mean of the values.\n@param xs the values"
            body: "{"
        "#]],
    );
}

#[test]
fn java_unsupported_operation_is_a_stub() {
    check(
        Language::Java,
        "class A { int f(int x) { $0throw new UnsupportedOperationException(); } }",
        expect![[r#"
            name: f
            kind: method
            container: A
            parameters: ["int x"]
            returns: int
            stub: true
            doc: ""
            body: "{ throw new UnsupportedOperationException(); }"
        "#]],
    );
}

#[test]
fn cpp_out_of_class_method_and_template() {
    check(
        Language::Cpp,
        "template <typename T>\nstd::vector<T> Grid<T>::row(std::size_t r) const {\n    return {cells_.begin() + r * w_, $0cells_.begin() + (r + 1) * w_};\n}\n",
        expect![[r#"
            name: row
            kind: method
            container: Grid
            parameters: ["std::size_t r"]
            returns: std::vector<T>
            stub: false
            doc: ""
            body: "{"
        "#]],
    );
}

#[test]
fn cpp_reference_returning_function_with_comment() {
    check(
        Language::Cpp,
        "// Largest element; v must not be empty.\nconst int& largest(const std::vector<int>& v) {\n    return *std::max_$0element(v.begin(), v.end());\n}\n",
        expect![[r#"
            name: largest
            kind: function
            container: -
            parameters: ["const std::vector<int>& v"]
            returns: int
            stub: false
            doc: "Largest element; v must not be empty."
            body: "{"
        "#]],
    );
}

#[test]
fn go_method_on_generic_receiver() {
    check(
        Language::Go,
        "package q\n\n// Pop removes the top.\nfunc (q *Queue[T]) Pop() (T, bool) {\n\tvar zero T\n$0\treturn zero, false\n}\n",
        expect![[r#"
            name: Pop
            kind: method
            container: Queue
            parameters: []
            returns: (T, bool)
            stub: false
            doc: "Pop removes the top."
            body: "{"
        "#]],
    );
}

#[test]
fn go_panic_todo_is_a_stub() {
    check(
        Language::Go,
        "package a\nfunc F(n int) int {\n\tpanic(\"TODO\")$0\n}\n",
        expect![[r#"
        name: F
        kind: function
        container: -
        parameters: ["n int"]
        returns: int
        stub: true
        doc: ""
        body: "{"
    "#]],
    );
}

#[test]
fn rust_trait_impl_method_with_attributes_between_doc_and_fn() {
    check(
        Language::Rust,
        "impl Iterator for Counter {\n    type Item = u32;\n    /// Next count.\n    #[inline]\n    fn next(&mut self) -> Option<u32> {\n        self.n += 1;$0\n        Some(self.n)\n    }\n}\n",
        expect![[r#"
            name: next
            kind: method
            container: Counter
            parameters: ["&mut self"]
            returns: Option<u32>
            stub: false
            doc: "Next count."
            body: "{"
        "#]],
    );
}

#[test]
fn rust_todo_is_a_stub() {
    check(
        Language::Rust,
        "fn solve(grid: &[Vec<u8>]) -> usize {\n    todo!($0)\n}\n",
        expect![[r#"
        name: solve
        kind: function
        container: -
        parameters: ["grid: &[Vec<u8>]"]
        returns: usize
        stub: true
        doc: ""
        body: "{"
    "#]],
    );
}
