//! The static hints pass on a 10,000-line file per language, built from the
//! hint fixtures (`fixtures/hints/<lang>/`), so the file is dense with both
//! hints and near misses: far more candidates than ordinary code has.
//!
//! Run with `cargo bench --bench hints`. Prints, per language, the median
//! and 90th percentile of two passes on an already parsed document:
//! - cold: `analysis::hints`, every function analysed (opening a file);
//! - after an edit: `HintCache::hints` once one line of one function changed,
//!   what the editor pays after each debounced keystroke (the other
//!   functions' hints come from the cache).
//!
//! Target, printed not asserted: median below 5 ms after an edit.

use std::hint::black_box;
use std::time::{Duration, Instant};

#[path = "../tests/hint_support/large_source.rs"]
mod large_source;

use large_source::{LINES, large_source};
use perforch::analysis::{HintCache, hints};
use perforch::document::{Document, Position, PositionEncoding, Range, TextChange};
use perforch::language::Language;

const TARGET: Duration = Duration::from_millis(5);
/// Measured runs per language, after warm-up.
const RUNS: usize = 60;

/// A line in the middle of the file that starts inside a function body.
fn edit_line(text: &str) -> u32 {
    let lines: Vec<&str> = text.lines().collect();
    (lines.len() / 2..lines.len())
        .find(|&index| lines[index].starts_with("        ") || lines[index].starts_with("\t\t"))
        .expect("an indented line in the second half") as u32
}

/// Times `run` `runs` times after three warm-up calls; sorted.
fn time(runs: usize, mut run: impl FnMut() -> Duration) -> Vec<Duration> {
    for _ in 0..3 {
        run();
    }
    let mut times: Vec<Duration> = (0..runs).map(|_| run()).collect();
    times.sort();
    times
}

fn percentile(sorted: &[Duration], fraction: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * fraction).round() as usize]
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` runs this too,
    // with fewer runs, as a smoke test.
    let quick = !std::env::args().any(|arg| arg == "--bench");
    let runs = if quick { 3 } else { RUNS };
    println!(
        "static hints on {LINES}-line files ({runs} runs each, after warm-up); target: median < {TARGET:?} after an edit"
    );
    println!(
        "  {:<7} {:>7} {:>9} {:>6}  {:>16} {:>16}",
        "lang", "lines", "bytes", "hints", "cold median/p90", "edit median/p90"
    );
    for language in Language::ALL {
        let text = large_source(language);
        let mut document = Document::new(language, 0, &text);
        assert!(
            !document.tree().root_node().has_error(),
            "the {} benchmark file does not parse cleanly",
            language.name()
        );
        let found = hints(&document).len();
        let cold = time(runs, || {
            let start = Instant::now();
            black_box(hints(&document));
            start.elapsed()
        });

        // Alternately insert and remove a blank line inside a function in
        // the middle of the file; only the hints pass is timed.
        let mut cache = HintCache::new();
        cache.hints(&document);
        let at = Position::new(edit_line(&text), 0);
        let mut version = 0;
        let edited = time(runs, || {
            version += 1;
            let change = if version % 2 == 1 {
                TextChange {
                    range: Some(Range { start: at, end: at }),
                    text: "\n".into(),
                }
            } else {
                TextChange {
                    range: Some(Range {
                        start: at,
                        end: Position::new(at.line + 1, 0),
                    }),
                    text: String::new(),
                }
            };
            document.apply_changes(version, &[change], PositionEncoding::Utf16);
            let start = Instant::now();
            black_box(cache.hints(&document));
            start.elapsed()
        });
        let ms = |duration: Duration| duration.as_secs_f64() * 1e3;
        let edit_median = percentile(&edited, 0.5);
        println!(
            "  {:<7} {:>7} {:>9} {:>6}  {:>7.2}/{:>6.2}ms {:>7.2}/{:>6.2}ms  {}",
            language.name(),
            text.lines().count(),
            text.len(),
            found,
            ms(percentile(&cold, 0.5)),
            ms(percentile(&cold, 0.9)),
            ms(edit_median),
            ms(percentile(&edited, 0.9)),
            if edit_median < TARGET {
                "ok"
            } else {
                "over target"
            }
        );
    }
}
