//! Configuration: TOML and JSON into one schema, errors naming field and
//! file, user + workspace merge.

use std::path::Path;

use perforch::config::{Config, ConfigError, ProviderKind, SearchDepth};
use serde_json::json;

const EXAMPLE: &str = r#"
[[models]]
name = "gpt"
provider = "openai"
model = "gpt-4o-mini"
api_key_env = "OPENAI_API_KEY"
price_input_per_mtok = 0.15
price_output_per_mtok = 0.60

[[models]]
name = "claude"
provider = "anthropic"
model = "claude-sonnet-4-5"
api_key_env = "ANTHROPIC_API_KEY"
price_input_per_mtok = 3.0
price_output_per_mtok = 15.0
max_tokens = 8192
temperature = 0.3

[[models]]
name = "local"
provider = "openai"
model = "qwen2.5-coder:7b"
base_url = "http://localhost:11434/v1"
timeout_secs = 300
max_concurrent = 1

[search]
enabled = true
search_depth = "advanced"

[retry]
max_attempts = 6
"#;

fn toml_error(text: &str) -> String {
    Config::from_toml_str(text, "perforch.toml")
        .unwrap_err()
        .to_string()
}

#[test]
fn parses_a_full_example_with_defaults_filled_in() {
    let config = Config::from_toml_str(EXAMPLE, "perforch.toml").unwrap();
    assert_eq!(config.models.len(), 3);
    let gpt = config.model("gpt").unwrap();
    assert_eq!(gpt.provider, ProviderKind::OpenAi);
    assert_eq!(
        gpt.effective_base_url().as_deref(),
        Some("https://api.openai.com/v1")
    );
    assert_eq!(gpt.max_tokens, 4096);
    assert_eq!(gpt.temperature, 0.2, "the default");
    assert_eq!(gpt.max_concurrent, 4);
    let claude = config.model("claude").unwrap();
    assert_eq!(
        claude.effective_base_url().as_deref(),
        Some("https://api.anthropic.com")
    );
    assert_eq!(claude.temperature, 0.3);
    let local = config.model("local").unwrap();
    assert_eq!(local.timeout_secs, 300.0);
    assert_eq!(
        local.effective_api_key_env(),
        None,
        "local servers need no key"
    );
    let search = config.enabled_search().unwrap();
    assert_eq!(search.search_depth, SearchDepth::Advanced);
    assert_eq!(search.max_results, 5);
    assert_eq!(config.retry.max_attempts, 6);
    assert_eq!(config.retry.initial_backoff_ms, 500);
}

#[test]
fn empty_file_gives_defaults_with_search_off() {
    let config = Config::from_toml_str("", "perforch.toml").unwrap();
    assert!(config.models.is_empty());
    assert!(config.enabled_search().is_none());
    assert_eq!(config.retry.max_attempts, 4);
}

#[test]
fn wrong_type_names_field_path_file_and_line() {
    let text = EXAMPLE.replace("temperature = 0.3", "temperature = \"hot\"");
    let message = toml_error(&text);
    assert!(
        message.starts_with("perforch.toml: models[1].temperature: "),
        "{message}"
    );
    assert!(message.contains("expected a number"), "{message}");
    assert!(message.contains("line 18"), "{message}");
}

#[test]
fn typo_in_field_name_is_caught() {
    let text = EXAMPLE.replace("max_concurrent = 1", "max_concurent = 1");
    let message = toml_error(&text);
    assert!(message.starts_with("perforch.toml: models[2]"), "{message}");
    assert!(message.contains("max_concurent"), "{message}");
}

#[test]
fn typo_at_top_level_is_caught() {
    let message = toml_error("[serch]\nenabled = true\n");
    assert!(
        message.contains("serch") && message.starts_with("perforch.toml: "),
        "{message}"
    );
}

#[test]
fn unknown_provider_is_caught() {
    let text = EXAMPLE.replace("provider = \"anthropic\"", "provider = \"gemini\"");
    let message = toml_error(&text);
    assert!(
        message.starts_with("perforch.toml: models[1].provider: "),
        "{message}"
    );
    assert!(
        message.contains("gemini") && message.contains("openai"),
        "{message}"
    );
}

#[test]
fn missing_required_field_is_caught() {
    let message = toml_error("[[models]]\nname = \"x\"\nmodel = \"m\"\n");
    assert!(
        message.contains("models[0]") && message.contains("provider"),
        "{message}"
    );
}

#[test]
fn semantic_errors_name_the_field() {
    let cases = [
        (
            EXAMPLE.replace("price_input_per_mtok = 3.0", "price_input_per_mtok = -3.0"),
            "models[1].price_input_per_mtok",
            "zero or more",
        ),
        (
            EXAMPLE.replace("name = \"local\"", "name = \"gpt\""),
            "models[2].name",
            "unique",
        ),
        (
            EXAMPLE.replace("model = \"gpt-4o-mini\"", "model = \"\""),
            "models[0].model",
            "model id",
        ),
        (
            EXAMPLE.replace("temperature = 0.3", "temperature = 3.5"),
            "models[1].temperature",
            "between 0 and 2",
        ),
        (
            EXAMPLE.replace("max_concurrent = 1", "max_concurrent = 0"),
            "models[2].max_concurrent",
            "at least 1",
        ),
        (
            EXAMPLE.replace("timeout_secs = 300", "timeout_secs = 0"),
            "models[2].timeout_secs",
            "positive",
        ),
        (
            EXAMPLE.replace("http://localhost:11434/v1", "localhost:11434"),
            "models[2].base_url",
            "http://",
        ),
        (
            EXAMPLE.replace("max_attempts = 6", "max_attempts = 0"),
            "retry.max_attempts",
            "at least 1",
        ),
    ];
    for (text, field, hint) in cases {
        let message = toml_error(&text);
        assert!(
            message.starts_with(&format!("perforch.toml: {field}: ")),
            "{message}"
        );
        assert!(message.contains(hint), "{message}");
    }
}

#[test]
fn pasted_key_in_api_key_env_is_rejected_without_echoing_it() {
    let text = EXAMPLE.replace(
        "api_key_env = \"OPENAI_API_KEY\"",
        "api_key_env = \"sk-proj-PASTED123\"",
    );
    let message = toml_error(&text);
    assert!(
        message.starts_with("perforch.toml: models[0].api_key_env: "),
        "{message}"
    );
    assert!(
        message.contains("NAME of an environment variable"),
        "{message}"
    );
    assert!(
        !message.contains("PASTED123"),
        "the key must not be repeated: {message}"
    );
}

#[test]
fn syntax_error_gives_file_line_and_column() {
    let error = Config::from_toml_str(
        "[[models]]\nname = \"x\nprovider = \"openai\"\n",
        "ws/perforch.toml",
    )
    .unwrap_err();
    assert!(
        matches!(error, ConfigError::Syntax { line: 2, .. }),
        "{error:?}"
    );
    assert!(
        error.to_string().starts_with("ws/perforch.toml:2:"),
        "{error}"
    );
}

#[test]
fn json_settings_use_the_same_schema() {
    let from_toml = Config::from_toml_str(EXAMPLE, "perforch.toml").unwrap();
    let as_json = serde_json::to_value(&from_toml).unwrap();
    let from_json = Config::from_json_value(as_json).unwrap();
    assert_eq!(from_json, from_toml);

    let editor = json!({
        "models": [{ "name": "fast", "provider": "openai", "model": "gpt-4o-mini", "base_url": null, "temperature": 1 }],
        "search": null
    });
    let config = Config::from_json_value(editor).unwrap();
    assert_eq!(config.models[0].temperature, 1.0);
    assert_eq!(config.models[0].base_url, None, "null means unset");
    assert!(config.search.is_none());
}

#[test]
fn json_errors_name_the_field_and_the_editor() {
    let editor = json!({ "models": [
        { "name": "a", "provider": "openai", "model": "m" },
        { "name": "b", "provider": "openai", "model": "m", "max_tokens": "lots" }
    ]});
    let message = Config::from_json_value(editor).unwrap_err().to_string();
    assert!(
        message.starts_with("editor settings: models[1].max_tokens: "),
        "{message}"
    );
    assert!(message.contains("whole number"), "{message}");

    let message = Config::from_json_value(json!({ "models": [{ "name": "a", "provider": "openai", "model": "m", "price_output_per_mtok": -1 }] }))
        .unwrap_err()
        .to_string();
    assert!(
        message.starts_with("editor settings: models[0].price_output_per_mtok: "),
        "{message}"
    );

    let message = Config::from_json_value(json!(["not", "an", "object"]))
        .unwrap_err()
        .to_string();
    assert!(message.contains("expected an object"), "{message}");
}

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn workspace_file_overrides_user_file() {
    let dir = tempfile::tempdir().unwrap();
    let user = write(
        dir.path(),
        "user.toml",
        r#"
[[models]]
name = "gpt"
provider = "openai"
model = "gpt-4o"
api_key_env = "OPENAI_API_KEY"
price_input_per_mtok = 2.5

[[models]]
name = "claude"
provider = "anthropic"
model = "claude-sonnet-4-5"

[search]
enabled = true
max_results = 8
"#,
    );
    let workspace = write(
        dir.path(),
        "perforch.toml",
        r#"
[[models]]
name = "gpt"
provider = "openai"
model = "gpt-4o-mini"

[[models]]
name = "local"
provider = "openai"
model = "llama"
base_url = "http://127.0.0.1:8080/v1"

[search]
enabled = false
"#,
    );
    let config = Config::load_files(Some(&user), Some(&workspace)).unwrap();
    let names: Vec<&str> = config
        .models
        .iter()
        .map(|model| model.name.as_str())
        .collect();
    assert_eq!(names, ["gpt", "claude", "local"]);
    let gpt = config.model("gpt").unwrap();
    assert_eq!(
        gpt.model, "gpt-4o-mini",
        "workspace entry replaces the user entry"
    );
    assert_eq!(
        gpt.price_input_per_mtok, 0.0,
        "entries are replaced whole, not mixed"
    );
    let search = config.search.as_ref().unwrap();
    assert!(!search.enabled, "workspace turned search off");
    assert_eq!(
        search.max_results, 8,
        "other search fields come from the user file"
    );
}

#[test]
fn load_reports_errors_against_the_right_file_and_skips_missing_files() {
    let dir = tempfile::tempdir().unwrap();
    let user = write(dir.path(), "user.toml", "[retry]\nmax_attempts = 3\n");
    let workspace = write(
        dir.path(),
        "perforch.toml",
        "[retry]\nmax_attempts = \"many\"\n",
    );
    let message = Config::load_files(Some(&user), Some(&workspace))
        .unwrap_err()
        .to_string();
    assert!(
        message.starts_with(&format!("{}: retry.max_attempts: ", workspace.display())),
        "{message}"
    );

    let missing = dir.path().join("nope.toml");
    let config = Config::load_files(Some(&missing), Some(&user)).unwrap();
    assert_eq!(config.retry.max_attempts, 3);
    assert_eq!(
        Config::load_files(Some(&missing), None).unwrap(),
        Config::default()
    );
}

#[test]
fn load_reads_perforch_toml_from_the_workspace_root() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "perforch.toml",
        "[[models]]\nname = \"w\"\nprovider = \"openai\"\nmodel = \"m\"\n",
    );
    let config = Config::load(Some(dir.path())).unwrap();
    assert!(config.model("w").is_some());
}

#[test]
fn documented_example_parses() {
    let text = include_str!("../../docs/perforch.example.toml");
    let config = Config::from_toml_str(text, "perforch.example.toml").unwrap();
    let names: Vec<&str> = config
        .models
        .iter()
        .map(|model| model.name.as_str())
        .collect();
    assert_eq!(
        names,
        ["gpt", "claude", "ollama", "local-qwen", "vllm", "builtin"]
    );
    assert!(config.enabled_search().is_none());
    assert_eq!(config.retry, perforch::config::RetryConfig::default());
    assert_eq!(
        config.search.unwrap(),
        perforch::config::SearchConfig::default()
    );
}
