//! The VS Code extension's settings (`editors/vscode/package.json`) stay in
//! step with the server's `Config`: the same keys, the same fields, the same
//! defaults and enum values, so a setting a user writes in VS Code means what
//! the same field means in perforch.toml.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use perforch::config::{
    Config, HintsConfig, ModelConfig, PipelineConfig, ProviderKind, RefineMode, RetryConfig,
    SearchConfig, SearchDepth,
};
use perforch::discovery::{ConfiguredSuite, TestsConfig};
use perforch::language::Language;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

/// Settings only the client reads; the server never sees them.
const CLIENT_ONLY: &[&str] = &["perforch.path", "perforch.trace.server"];

fn extension_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../editors/vscode")
}

fn settings() -> Map<String, Value> {
    let path = extension_dir().join("package.json");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
    let manifest: Value = serde_json::from_str(&text)
        .unwrap_or_else(|error| panic!("{} is not JSON: {error}", path.display()));
    manifest["contributes"]["configuration"]["properties"]
        .as_object()
        .expect("package.json has contributes.configuration.properties")
        .clone()
}

fn setting(name: &str) -> Value {
    settings()
        .get(name)
        .unwrap_or_else(|| panic!("package.json has no setting {name}"))
        .clone()
}

fn fields_of(value: &impl Serialize) -> Map<String, Value> {
    match serde_json::to_value(value).expect("serializes") {
        Value::Object(fields) => fields,
        other => panic!("expected a struct, got {other}"),
    }
}

/// A model entry and a suite have no `Default`; deserialize the smallest
/// valid one so every field (with its serde default) shows up.
fn minimal<T: DeserializeOwned + Serialize>(value: Value) -> Map<String, Value> {
    let parsed: T = serde_json::from_value(value).expect("the minimal entry deserializes");
    fields_of(&parsed)
}

fn model_fields() -> Map<String, Value> {
    minimal::<ModelConfig>(json!({"name": "m", "provider": "builtin"}))
}

fn suite_fields() -> Map<String, Value> {
    minimal::<ConfiguredSuite>(json!({"name": "s", "language": "python", "command": ["true"]}))
}

fn schema_properties(schema: &Value, what: &str) -> Map<String, Value> {
    schema["properties"]
        .as_object()
        .unwrap_or_else(|| panic!("{what} has no `properties` in package.json"))
        .clone()
}

fn keys(map: &Map<String, Value>) -> BTreeSet<String> {
    map.keys().cloned().collect()
}

/// The object schemas of package.json, each with the server struct it mirrors.
fn object_schemas() -> Vec<(&'static str, Value, Map<String, Value>)> {
    let tests = setting("perforch.tests");
    vec![
        (
            "perforch.models[]",
            setting("perforch.models")["items"].clone(),
            model_fields(),
        ),
        (
            "perforch.search",
            setting("perforch.search"),
            fields_of(&SearchConfig::default()),
        ),
        (
            "perforch.retry",
            setting("perforch.retry"),
            fields_of(&RetryConfig::default()),
        ),
        (
            "perforch.pipeline",
            setting("perforch.pipeline"),
            fields_of(&PipelineConfig::default()),
        ),
        (
            "perforch.hints",
            setting("perforch.hints"),
            fields_of(&HintsConfig::default()),
        ),
        (
            "perforch.tests",
            tests.clone(),
            fields_of(&TestsConfig::default()),
        ),
        (
            "perforch.tests.suites[]",
            tests["properties"]["suites"]["items"].clone(),
            suite_fields(),
        ),
    ]
}

#[test]
fn every_config_key_has_a_setting_and_every_setting_a_config_key() {
    let server: BTreeSet<String> = fields_of(&Config::default())
        .keys()
        .map(|key| format!("perforch.{key}"))
        .collect();
    let contributed: BTreeSet<String> = settings()
        .keys()
        .filter(|name| !CLIENT_ONLY.contains(&name.as_str()))
        .cloned()
        .collect();
    let missing: Vec<_> = server.difference(&contributed).collect();
    let unknown: Vec<_> = contributed.difference(&server).collect();
    assert!(
        missing.is_empty(),
        "Config fields without a VS Code setting: {missing:?}; add them to editors/vscode/package.json"
    );
    assert!(
        unknown.is_empty(),
        "VS Code settings the server does not know: {unknown:?}; the server would reject them"
    );
    for name in CLIENT_ONLY {
        assert!(
            settings().contains_key(*name),
            "package.json lacks the client setting {name}"
        );
    }
}

#[test]
fn object_settings_list_exactly_the_server_fields() {
    for (what, schema, server) in object_schemas() {
        let properties = keys(&schema_properties(&schema, what));
        let fields = keys(&server);
        let missing: Vec<_> = fields.difference(&properties).collect();
        let unknown: Vec<_> = properties.difference(&fields).collect();
        assert!(
            missing.is_empty() && unknown.is_empty(),
            "{what}: fields the schema lacks {missing:?}, schema fields the server lacks {unknown:?}"
        );
        // The server denies unknown fields; the editor should flag them too.
        assert_eq!(
            schema["additionalProperties"],
            json!(false),
            "{what}: set \"additionalProperties\": false, the server rejects unknown fields"
        );
    }
}

/// Equal as JSON, with 120 and 120.0 counting as the same number.
fn same_json(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same_json(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(key, value)| y.get(key).is_some_and(|other| same_json(value, other)))
        }
        _ => a == b,
    }
}

#[test]
fn shown_defaults_are_the_server_defaults() {
    for (what, schema, server) in object_schemas() {
        for (field, property) in schema_properties(&schema, what) {
            let actual = &server[&field];
            match property.get("default") {
                Some(shown) => assert!(
                    same_json(shown, actual),
                    "{what}.{field}: package.json shows default {shown}, the server uses {actual}"
                ),
                // Numbers and switches need their default in the settings UI;
                // unset strings (e.g. `base_url`) are documented in words.
                None => assert!(
                    !(actual.is_number() || actual.is_boolean()),
                    "{what}.{field}: add \"default\": {actual} to package.json"
                ),
            }
        }
    }
    let config = fields_of(&Config::default());
    for key in ["models", "search"] {
        let shown = &setting(&format!("perforch.{key}"))["default"];
        assert!(
            same_json(shown, &config[key]),
            "perforch.{key}: default {shown}, the server's is {}",
            config[key]
        );
    }
}

/// A value of the right type for a schema property, to build entries with.
fn sample(property: &Value) -> Value {
    if let Some(first) = property["enum"]
        .as_array()
        .and_then(|values| values.first())
    {
        return first.clone();
    }
    match property["type"].as_str() {
        Some("array") => json!(["x"]),
        Some("integer") | Some("number") => json!(1),
        Some("boolean") => json!(true),
        _ => json!("x"),
    }
}

fn check_required<T: DeserializeOwned>(what: &str, schema: &Value) {
    let properties = schema_properties(schema, what);
    let required: Vec<String> = schema["required"]
        .as_array()
        .unwrap_or_else(|| panic!("{what}: list the required fields in package.json"))
        .iter()
        .map(|name| name.as_str().expect("field names are strings").to_string())
        .collect();
    let entry: Map<String, Value> = required
        .iter()
        .map(|name| (name.clone(), sample(&properties[name])))
        .collect();
    if let Err(error) = serde_json::from_value::<T>(Value::Object(entry.clone())) {
        panic!("{what}: an entry with only the required fields {required:?} is rejected: {error}");
    }
    for name in &required {
        let mut without = entry.clone();
        without.remove(name);
        assert!(
            serde_json::from_value::<T>(Value::Object(without)).is_err(),
            "{what}: `{name}` is marked required in package.json but the server has a default for it"
        );
    }
}

#[test]
fn required_fields_are_those_the_server_requires() {
    check_required::<ModelConfig>("perforch.models[]", &setting("perforch.models")["items"]);
    check_required::<ConfiguredSuite>(
        "perforch.tests.suites[]",
        &setting("perforch.tests")["properties"]["suites"]["items"],
    );
}

fn enum_values(property: &Value, what: &str) -> BTreeSet<String> {
    property["enum"]
        .as_array()
        .unwrap_or_else(|| panic!("{what}: list the allowed values as an enum in package.json"))
        .iter()
        .map(|value| value.as_str().expect("enum values are strings").to_string())
        .collect()
}

fn names<T: Serialize>(variants: &[T]) -> BTreeSet<String> {
    variants
        .iter()
        .map(|variant| {
            serde_json::to_value(variant)
                .expect("serializes")
                .as_str()
                .expect("unit variants serialize as strings")
                .to_string()
        })
        .collect()
}

#[test]
fn enum_settings_offer_exactly_the_server_values() {
    // Exhaustive matches: adding a variant fails to compile here until the
    // list (and package.json) is updated.
    let providers = [
        ProviderKind::OpenAi,
        ProviderKind::Anthropic,
        ProviderKind::Replay,
        ProviderKind::Builtin,
    ];
    for provider in providers {
        match provider {
            ProviderKind::OpenAi
            | ProviderKind::Anthropic
            | ProviderKind::Replay
            | ProviderKind::Builtin => {}
        }
    }
    let modes = [RefineMode::Sequential, RefineMode::BestOfN];
    for mode in modes {
        match mode {
            RefineMode::Sequential | RefineMode::BestOfN => {}
        }
    }
    let depths = [SearchDepth::Basic, SearchDepth::Advanced];
    for depth in depths {
        match depth {
            SearchDepth::Basic | SearchDepth::Advanced => {}
        }
    }
    let models = &setting("perforch.models")["items"]["properties"];
    let search = &setting("perforch.search")["properties"];
    let pipeline = &setting("perforch.pipeline")["properties"];
    let suites = &setting("perforch.tests")["properties"]["suites"]["items"]["properties"];
    let cases = [
        (
            "perforch.models[].provider",
            &models["provider"],
            names(&providers),
        ),
        ("perforch.pipeline.mode", &pipeline["mode"], names(&modes)),
        (
            "perforch.search.search_depth",
            &search["search_depth"],
            names(&depths),
        ),
        (
            "perforch.tests.suites[].language",
            &suites["language"],
            names(&Language::ALL),
        ),
    ];
    for (what, property, server) in cases {
        assert_eq!(enum_values(property, what), server, "{what}");
    }
}

/// The ```json block after `heading` in a README, as a user would paste it.
fn settings_example(readme: &Path, heading: &str) -> Map<String, Value> {
    let text = std::fs::read_to_string(readme)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", readme.display()));
    let section = text
        .find(heading)
        .unwrap_or_else(|| panic!("{} has no `{heading}`", readme.display()));
    let start = section
        + text[section..]
            .find("```json\n")
            .unwrap_or_else(|| panic!("{} has no ```json example", readme.display()))
        + "```json\n".len();
    let end = start
        + text[start..]
            .find("```")
            .expect("the example block is closed");
    match serde_json::from_str(&text[start..end]) {
        Ok(Value::Object(example)) => example,
        other => panic!(
            "the settings example in {} is not a JSON object: {other:?}",
            readme.display()
        ),
    }
}

/// The example's server settings, as the extension sends them.
fn server_settings_of(example: Map<String, Value>, readme: &Path) -> Value {
    let contributed = settings();
    let mut server_settings = Map::new();
    for (name, value) in example {
        assert!(
            contributed.contains_key(&name),
            "the example in {} uses {name}, which package.json does not contribute",
            readme.display()
        );
        if CLIENT_ONLY.contains(&name.as_str()) {
            continue;
        }
        let key = name.strip_prefix("perforch.").expect("perforch settings");
        server_settings.insert(key.to_string(), value);
    }
    Value::Object(server_settings)
}

#[test]
fn the_readme_settings_examples_are_valid_server_configurations() {
    let examples = [
        (extension_dir().join("README.md"), "## Settings", 2),
        (
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../README.md"),
            "### VS Code",
            1,
        ),
    ];
    for (readme, heading, model_count) in examples {
        let example = settings_example(&readme, heading);
        let config =
            Config::from_json_value(server_settings_of(example, &readme)).unwrap_or_else(|error| {
                panic!(
                    "the settings example in {} is rejected: {error}",
                    readme.display()
                )
            });
        assert_eq!(config.models.len(), model_count, "{}", readme.display());
    }
}
