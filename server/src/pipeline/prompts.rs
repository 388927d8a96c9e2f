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

/// Ask for inputs to test and time the function on.
pub fn inputs(context: &FunctionContext, count: usize, stress: usize) -> Vec<Message> {
    vec![
        Message::system(format!(
            "You write test inputs for {} functions. Reply with JSON only.",
            context.language
        )),
        Message::user(format!(
            "{header}\nThe function:\n{code}\n\nPropose {count} varied, valid argument lists for `{name}` \
             (edge cases included: empty, single element, duplicates, negative numbers where the types allow), \
             and {stress} large ones that make a slow implementation visibly slow (sizes around 10^4 to 10^5 \
             elements, built with a short {language} expression rather than written out). Each argument is a \
             {language} source expression in a JSON string. Do not include inputs the function rejects.\n\
             Shape: {{\"inputs\": [[\"arg1\", \"arg2\"], ...], \"stress\": [[\"arg1\", \"arg2\"], ...]}}",
            header = context.header(),
            code = code_block(context.language, context.code),
            name = context.name,
            language = context.language,
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
