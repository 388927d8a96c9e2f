//! Every figure in `server/data/perforch_priors.toml` equals the paper's table it claims to
//! come from: the tables are re-read from the paper's text in `../shared/seeds`, so a figure
//! typed wrong, a row under the wrong model or a column shifted fails here.

use std::collections::BTreeMap;
use std::path::PathBuf;

const PAPER_FILE: &str = "001_b91b4788e692024a.txt";
const LANGUAGES: [&str; 5] = ["python", "java", "cpp", "go", "rust"];
const PAPER_LANGUAGES: [&str; 5] = ["Python", "Java", "C++", "Go", "Rust"];
const METRICS: [&str; 4] = ["time", "mean-memory", "peak-memory", "cpu"];

fn paper_text() -> String {
    let beside_repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/seeds")
        .join(PAPER_FILE);
    let path = if beside_repo.exists() {
        beside_repo
    } else {
        PathBuf::from("/work/shared/seeds").join(PAPER_FILE)
    };
    std::fs::read_to_string(&path).unwrap_or_else(|error| {
        panic!(
            "{}: {error}; this test reads the PerfOrch paper from ../shared/seeds",
            path.display()
        )
    })
}

fn priors() -> toml::Table {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/perforch_priors.toml");
    toml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn key(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase()
}

/// Our model id for a name as the paper's tables print it ("GPT 4o", "CodeGeeX", "Grok").
fn model_id(priors: &toml::Table, paper_name: &str) -> String {
    let wanted = key(paper_name);
    let models = priors["models"].as_table().unwrap();
    let matches: Vec<&String> = models
        .iter()
        .filter(|(_, entry)| key(entry["name"].as_str().unwrap()).starts_with(&wanted))
        .map(|(id, _)| id)
        .collect();
    let exact: Vec<&String> = matches
        .iter()
        .copied()
        .filter(|id| key(models[id.as_str()]["name"].as_str().unwrap()) == wanted)
        .collect();
    match (exact.as_slice(), matches.as_slice()) {
        ([one], _) | ([], [one]) => one.to_string(),
        _ => panic!("paper name `{paper_name}` matches {matches:?}"),
    }
}

/// The rows after the line starting with `caption`: (language column if any, model, numbers).
fn table_rows(text: &str, caption: &str) -> Vec<(Option<String>, String, Vec<f64>)> {
    let mut lines = text.lines().skip_while(|line| !line.starts_with(caption));
    assert!(lines.next().is_some(), "no `{caption}` in the paper");
    let mut rows = Vec::new();
    let mut language = None;
    for line in lines {
        let cells: Vec<&str> = line.split('\t').map(str::trim).collect();
        let first_number = cells.iter().position(|cell| cell.parse::<f64>().is_ok());
        let Some(first_number) = first_number.filter(|at| *at >= 1 && cells.len() >= 6) else {
            if rows.is_empty() {
                continue; // captions and header lines
            }
            break;
        };
        let numbers: Vec<f64> = cells[first_number..]
            .iter()
            .map(|cell| cell.parse().unwrap())
            .collect();
        if first_number == 2 {
            if !cells[0].is_empty() {
                language = Some(cells[0].to_string());
            }
            rows.push((language.clone(), cells[1].to_string(), numbers));
        } else {
            rows.push((None, cells[0].to_string(), numbers));
        }
    }
    rows
}

fn values(priors: &toml::Table, path: &[&str], model: &str) -> Vec<f64> {
    let mut table = priors;
    for part in path {
        table = table[*part]
            .as_table()
            .unwrap_or_else(|| panic!("no table {path:?}"));
    }
    table
        .get(model)
        .unwrap_or_else(|| panic!("{path:?} has no row for {model}"))
        .as_array()
        .unwrap()
        .iter()
        .map(|value| {
            value
                .as_float()
                .or_else(|| value.as_integer().map(|i| i as f64))
                .unwrap()
        })
        .collect()
}

struct Checker {
    priors: toml::Table,
    compared: usize,
}

impl Checker {
    fn same(&mut self, what: &str, ours: &[f64], paper: &[f64]) {
        assert_eq!(
            ours.len(),
            paper.len(),
            "{what}: {ours:?} vs paper {paper:?}"
        );
        for (column, (a, b)) in ours.iter().zip(paper).enumerate() {
            assert!(
                (a - b).abs() < 1e-9,
                "{what}, column {column}: ours {a}, paper {b}"
            );
        }
        self.compared += ours.len();
    }

    /// A table with one row per model and one column per language.
    fn per_language(&mut self, text: &str, caption: &str, path: &[&str]) {
        let rows = table_rows(text, caption);
        assert_eq!(rows.len(), 17, "{caption}");
        for (_, name, numbers) in rows {
            let id = model_id(&self.priors, &name);
            let ours = values(&self.priors, path, &id);
            self.same(&format!("{caption} {name}"), &ours, &numbers);
        }
    }

    /// Tables 3 and 5: five models per language, one column per category.
    fn per_language_and_category(&mut self, text: &str, caption: &str, stage: &str) {
        let rows = table_rows(text, caption);
        assert_eq!(rows.len(), 25, "{caption}");
        for (language, name, numbers) in rows {
            let language = language.unwrap();
            let at = PAPER_LANGUAGES.iter().position(|l| *l == language).unwrap();
            let id = model_id(&self.priors, &name);
            let ours = values(&self.priors, &[stage, "by_category", LANGUAGES[at]], &id);
            self.same(&format!("{caption} {language} {name}"), &ours, &numbers);
        }
        for language in LANGUAGES {
            let table = self.priors[stage]["by_category"][language]
                .as_table()
                .unwrap();
            assert_eq!(
                table.len(),
                5,
                "{stage}.by_category.{language} holds rows the paper does not have"
            );
        }
    }

    /// Tables 6 and 7: four metrics side by side, five languages each.
    fn per_metric_and_language(&mut self, text: &str, caption: &str, section: &str) {
        let rows = table_rows(text, caption);
        assert_eq!(rows.len(), 17, "{caption}");
        for (_, name, numbers) in rows {
            assert_eq!(numbers.len(), 20, "{caption} {name}");
            let id = model_id(&self.priors, &name);
            for (group, metric) in METRICS.iter().enumerate() {
                let ours = values(&self.priors, &["refine", section, metric], &id);
                self.same(
                    &format!("{caption} {name} {metric}"),
                    &ours,
                    &numbers[group * 5..group * 5 + 5],
                );
            }
        }
    }
}

#[test]
fn every_prior_matches_the_paper() {
    let text = paper_text();
    let mut checker = Checker {
        priors: priors(),
        compared: 0,
    };
    checker.per_language(&text, "Table 2. Overall", &["generate", "overall"]);
    checker.per_language_and_category(&text, "Table 3. ", "generate");
    checker.per_language(&text, "Table 4. Overall", &["fix", "overall"]);
    checker.per_language_and_category(&text, "Table 5. ", "fix");
    checker.per_metric_and_language(&text, "Table 6. Number", "successes");
    checker.per_metric_and_language(&text, "Table 7. Median", "median_improvement");
    for (table, language) in (10..=14).zip(LANGUAGES) {
        checker.per_language(
            &text,
            &format!("Table {table}. Number"),
            &["refine", "time_successes_by_category", language],
        );
    }
    checker.per_language(
        &text,
        "Table 15. Sum",
        &["refine", "time_improvement_sum_by_category", "python"],
    );

    // Table 1 prints names and counts on alternating lines.
    let mut counts: BTreeMap<String, f64> = BTreeMap::new();
    let mut lines = text
        .lines()
        .skip_while(|line| !line.starts_with("Table 1."))
        .skip(1)
        .filter(|line| !line.trim().is_empty());
    for _ in 0..2 {
        let names: Vec<&str> = lines.next().unwrap().split('\t').collect();
        let numbers: Vec<&str> = lines.next().unwrap().split('\t').collect();
        for (name, number) in names.iter().zip(numbers) {
            let name = name
                .trim()
                .trim_start_matches(|c: char| c.is_ascii_digit() || c == '.')
                .trim();
            counts.insert(key(name), number.trim().parse().unwrap());
        }
    }
    let ours = checker.priors["category_problems"]
        .as_table()
        .unwrap()
        .clone();
    assert_eq!(ours.len(), 10);
    for (category, count) in &ours {
        let paper_key = match category.as_str() {
            "number_theory" => "numtheory".to_string(),
            "hash_table" => "hashtable".to_string(),
            other => key(other),
        };
        let paper = counts
            .get(&paper_key)
            .unwrap_or_else(|| panic!("Table 1 has no {category}: {counts:?}"));
        checker.same(
            &format!("Table 1 {category}"),
            &[count.as_integer().unwrap() as f64],
            &[*paper],
        );
    }

    // 85 + 250 + 85 + 250 + 340 + 340 + 5 × 170 + 170 + 10
    assert_eq!(checker.compared, 2380);
}
