//! The messages perforch sends to models, one builder per step. Written for
//! this project; each asks for one fenced code block holding the whole
//! function under its original name and signature, which is what
//! [`super::candidate::CandidateCode`] parses.

use crate::language::Language;
use crate::models::Message;
use crate::routing::{Category, Metric};

use super::evidence::TestInput;
use super::judge::Figures;

fn fence(language: Language) -> &'static str {
    match language {
        Language::Python => "python",
        Language::Java => "java",
        Language::Cpp => "cpp",
        Language::Go => "go",
        Language::Rust => "rust",
    }
}

fn system(language: Language) -> Message {
    Message::system(format!(
        "You are an expert {language} performance engineer. You change one function at a time. \
         Behaviour must stay identical: same name, same signature, same results, same errors, \
         same effects on arguments. Answer with exactly one ```{tag} code block holding the \
         complete function (plus any imports or small helper functions it needs), after at most \
         a few sentences of explanation.",
        tag = fence(language)
    ))
}

fn categories_text(categories: &[Category]) -> String {
    if categories.is_empty() {
        "general".into()
    } else {
        categories
            .iter()
            .map(|category| category.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn code_block(language: Language, code: &str) -> String {
    format!("```{}\n{}\n```", fence(language), code.trim_end())
}

/// Context the function lives in, trimmed so prompts stay small.
pub struct FunctionContext<'a> {
    pub language: Language,
    pub name: &'a str,
    pub code: &'a str,
    /// The file around the function (imports, types, helpers), shortened.
    pub file_excerpt: &'a str,
    pub categories: &'a [Category],
}

impl FunctionContext<'_> {
    fn header(&self) -> String {
        format!(
            "Language: {}. Function: `{}`. Problem categories: {}.\n\nThe file it lives in (for types and helpers; do not repeat it):\n{}\n",
            self.language,
            self.name,
            categories_text(self.categories),
            code_block(self.language, self.file_excerpt)
        )
    }
}

/// A short expression of the language that builds a large argument,
/// shown to the model: small models otherwise write a large input out
/// element by element until the token limit cuts the reply off.
fn large_input_example(language: Language) -> &'static str {
    match language {
        Language::Python => "list(range(10**5))",
        Language::Java => "java.util.stream.IntStream.range(0, 100000).toArray()",
        Language::Cpp => {
            "[] { std::vector<int> v; for (int i = 0; i < 100000; ++i) v.push_back(i % 977); return v; }()"
        }
        Language::Go => "strings.Repeat(\"a b \", 50000)",
        Language::Rust => "(0..100_000).collect::<Vec<i64>>()",
    }
}

/// Ask for inputs to test and time the function on; for a method called on
/// an object of `object_class`, each input starts with one.
pub fn inputs(
    context: &FunctionContext,
    count: usize,
    stress: usize,
    object_class: Option<&str>,
) -> Vec<Message> {
    let object = match object_class {
        Some(class) => format!(
            "`{name}` is a method of `{class}`: the first item of every argument list is an expression \
             that builds the object it is called on ({construction}), in a state that matters to the \
             method; in the large lists, the object holds much data too.\n",
            name = context.name,
            construction = super::evidence::objects::construction(
                context.language,
                class,
                &["...".to_string()]
            ),
        ),
        None => String::new(),
    };
    vec![
        Message::system(format!(
            "You write test inputs for {} functions. Reply with JSON only, without comments.",
            context.language
        )),
        Message::user(format!(
            "{header}\nThe function:\n{code}\n\nWrite {count} different argument lists for `{name}` that \
             probe its behaviour: edge cases such as empty values, a single element, repeated values, \
             negative numbers and invalid values are welcome, including ones the function answers with an \
             error, since a faster version must fail in the same way. Then write {stress} large argument \
             lists, big enough (around 10^4 to 10^5 elements) that a slow implementation takes visibly long.\n\
             {object}Every argument is a {language} source expression inside a JSON string. Build large arguments \
             with a short expression, never by listing the elements; for example, as it appears in the \
             JSON: {example}\n\
             Answer with this JSON object and nothing in it but data (no comments): \
             {{\"inputs\": [[\"arg1\", \"arg2\"], ...], \"stress\": [[\"arg1\", \"arg2\"], ...]}}",
            header = context.header(),
            code = code_block(context.language, context.code),
            name = context.name,
            language = context.language,
            example = serde_json::Value::from(large_input_example(context.language)),
        )),
    ]
}

/// Write the body of a stub from its signature and documentation.
pub fn generate(context: &FunctionContext, tests: &str) -> Vec<Message> {
    vec![
        system(context.language),
        Message::user(format!(
            "{header}\nThis function is only a stub. Implement it, efficiently, from its signature, name and \
             documentation:\n{code}\n{tests}",
            header = context.header(),
            code = code_block(context.language, context.code),
            tests = if tests.is_empty() {
                String::new()
            } else {
                format!("\nIt must pass these tests:\n{tests}\n")
            }
        )),
    ]
}

/// The failing test, for both steps of the fix exchange.
pub struct Failure<'a> {
    pub test: &'a str,
    pub error: &'a str,
}

/// First step of the fix exchange: explain the failure, no code yet.
pub fn reflect(context: &FunctionContext, failure: &Failure) -> Vec<Message> {
    vec![
        system(context.language),
        Message::user(format!(
            "{header}\nThis function fails a test:\n{code}\n\nFailing test: {test}\nError:\n{error}\n\n\
             Before writing any code, explain in a few sentences what the function does wrong and what \
             must change.",
            header = context.header(),
            code = code_block(context.language, context.code),
            test = failure.test,
            error = failure.error,
        )),
    ]
}

/// Second step: the explanation is in the history; now the code.
pub fn fix_after_reflection(mut exchange: Vec<Message>, reflection: &str) -> Vec<Message> {
    exchange.push(Message::assistant(reflection));
    exchange.push(Message::user(
        "Now write the corrected function, keeping its name and signature, as one code block.",
    ));
    exchange
}

/// What the previous refine attempt did, for the next prompt.
pub struct PreviousAttempt<'a> {
    pub code: &'a str,
    pub outcome: &'a str,
}

/// Ask for a better version, with the overhead analysis: the current
/// figures, the costliest input, the last attempt and any search findings.
pub fn refine(
    context: &FunctionContext,
    metric: Metric,
    figures: Option<&Figures>,
    costliest: Option<&TestInput>,
    previous: Option<&PreviousAttempt>,
    findings: Option<&str>,
) -> Vec<Message> {
    let goal = match metric {
        Metric::Time => "run faster (less CPU time)",
        Metric::PeakMemory => "use less peak memory",
        Metric::MeanMemory => "use less memory on average",
        Metric::Cpu => "use fewer CPUs (lower CPU utilisation)",
    };
    let mut analysis = String::new();
    if let Some(figures) = figures {
        analysis.push_str(&format!(
            "Current figures over all test inputs: {:.3} ms CPU per run, {:.1} ms wall, {} KB peak memory, {:.2} CPUs utilised.\n",
            figures.original.cpu_ms, figures.original.wall_ms, figures.original.peak_rss_kb, figures.original.cpu_utilization
        ));
    }
    if let Some(input) = costliest {
        analysis.push_str(&format!(
            "The most expensive test input is: {}\n",
            input.call_text(context.name)
        ));
    }
    if let Some(previous) = previous {
        analysis.push_str(&format!(
            "The previous attempt was:\n{}\nResult: {}. Do something different.\n",
            code_block(context.language, previous.code),
            previous.outcome
        ));
    }
    if let Some(findings) = findings.filter(|f| !f.trim().is_empty()) {
        analysis.push_str(&format!("Techniques found by a web search:\n{findings}\n"));
    }
    vec![
        system(context.language),
        Message::user(format!(
            "{header}\nMake this function {goal} without changing its behaviour on any input:\n{code}\n\n\
             Overhead analysis:\n{analysis}\nThink about the algorithm and data structures first, then \
             constant factors. Return the complete improved function.",
            header = context.header(),
            code = code_block(context.language, context.code),
            analysis = if analysis.is_empty() {
                "no measurements yet.\n".to_string()
            } else {
                analysis
            },
        )),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::evidence::parse_inputs_reply;

    /// The example of a large input is shown as it must be written in the
    /// JSON (quotes escaped), so copying its form gives a reply that reads
    /// back as the expression itself.
    #[test]
    fn each_language_is_shown_a_large_input_written_as_json() {
        for language in [
            Language::Python,
            Language::Java,
            Language::Cpp,
            Language::Go,
            Language::Rust,
        ] {
            let context = FunctionContext {
                language,
                name: "f",
                code: "f",
                file_excerpt: "f",
                categories: &[],
            };
            let prompt = &inputs(&context, 5, 2, None)[1].content;
            let shown = serde_json::Value::from(large_input_example(language)).to_string();
            assert!(prompt.contains(&shown), "{language}: {prompt}");
            let reply = format!("{{\"stress\": [[{shown}]]}}");
            let parsed = parse_inputs_reply(&reply).unwrap();
            assert_eq!(parsed.inputs[0].args, [large_input_example(language)]);
        }
    }
}
