//! perforch configuration: one schema for the CLI and the editor.
//!
//! The CLI reads `perforch.toml` from the user's config directory and from
//! the workspace root (the workspace file wins). The editor sends the same
//! structure as JSON in `initializationOptions` or `workspace/configuration`.
//! Both paths deserialize into [`Config`], so field names are identical
//! (snake_case) everywhere and a setting documented once works in both.
//!
//! Every error names the source (file name or "editor settings") and the
//! field path, e.g. `perforch.toml: models[1].temperature: ...`, because a
//! bare serde message ("expected f32") does not tell the user where to look.

mod hints;
mod locate;
mod merge;
mod pipeline;
mod validate;

pub use hints::HintsConfig;
pub use pipeline::{PipelineConfig, RefineMode};

use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// File name looked up in the workspace root and in the user config dir.
pub const CONFIG_FILE_NAME: &str = "perforch.toml";

/// Source name used in errors for settings that came from the editor.
pub const EDITOR_SOURCE_NAME: &str = "editor settings";

/// The whole perforch configuration.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Language models perforch may call. Each entry is addressed by its
    /// `name`; the pipeline picks models by name per stage.
    pub models: Vec<ModelConfig>,
    /// Optional web search used to look up optimization techniques.
    /// Absent or `enabled = false` means no search is ever made.
    pub search: Option<SearchConfig>,
    /// How failed HTTP calls (rate limits, server errors, network errors)
    /// are retried. Applies to every HTTP model and to search.
    pub retry: RetryConfig,
    /// How optimisation jobs search and when they stop.
    pub pipeline: PipelineConfig,
    /// Test suites named explicitly, and whether to look for others
    /// (`[tests]`, see `discovery::config`).
    pub tests: crate::discovery::TestsConfig,
    /// Static performance hints shown in the editor as you type.
    pub hints: HintsConfig,
}

/// Which wire protocol (or offline source) a model entry uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProviderKind {
    /// OpenAI chat-completions format; also vLLM, llama.cpp server, Ollama
    /// (`/v1`), LM Studio, OpenRouter, DeepSeek, selected by `base_url`.
    #[serde(rename = "openai")]
    OpenAi,
    /// Anthropic Messages API.
    Anthropic,
    /// Answers from a file recorded earlier with `--record`; no network.
    Replay,
    /// perforch's built-in offline optimizer (no language model).
    Builtin,
}

impl ProviderKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ProviderKind::OpenAi => "openai",
            ProviderKind::Anthropic => "anthropic",
            ProviderKind::Replay => "replay",
            ProviderKind::Builtin => "builtin",
        }
    }

    /// Base URL used when an entry does not set `base_url`.
    pub fn default_base_url(self) -> Option<&'static str> {
        match self {
            ProviderKind::OpenAi => Some("https://api.openai.com/v1"),
            ProviderKind::Anthropic => Some("https://api.anthropic.com"),
            ProviderKind::Replay | ProviderKind::Builtin => None,
        }
    }

    /// Environment variable read for the key when `api_key_env` is unset.
    /// OpenAI-format entries have none, because local servers need no key.
    pub fn default_api_key_env(self) -> Option<&'static str> {
        match self {
            ProviderKind::Anthropic => Some("ANTHROPIC_API_KEY"),
            _ => None,
        }
    }
}

impl fmt::Display for ProviderKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One language model perforch may call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelConfig {
    /// Your name for this entry, unique across `models`; used in reports,
    /// recordings and when choosing a model per stage.
    pub name: String,
    /// Wire protocol: "openai", "anthropic", "replay" or "builtin".
    pub provider: ProviderKind,
    /// Model id sent to the provider, e.g. "gpt-4o-mini",
    /// "claude-sonnet-4-5", "qwen2.5-coder:7b".
    #[serde(default)]
    pub model: String,
    /// API root. Defaults: openai "https://api.openai.com/v1", anthropic
    /// "https://api.anthropic.com". For Ollama use "http://localhost:11434/v1".
    #[serde(default)]
    pub base_url: Option<String>,
    /// NAME of the environment variable holding the API key (never the key
    /// itself), e.g. "OPENAI_API_KEY". Unset for openai means no key is sent
    /// (local servers); anthropic defaults to "ANTHROPIC_API_KEY".
    #[serde(default)]
    pub api_key_env: Option<String>,
    /// Price in USD per million input (prompt) tokens; 0 for local models.
    #[serde(default)]
    pub price_input_per_mtok: f64,
    /// Price in USD per million output (completion) tokens.
    #[serde(default)]
    pub price_output_per_mtok: f64,
    /// Upper bound on tokens generated per reply.
    #[serde(default = "defaults::max_tokens")]
    pub max_tokens: u32,
    /// Sampling temperature (0 to 2), sent with every request so jobs and
    /// evaluations can be repeated; 0 is the most deterministic. Reasoning
    /// models that accept only their own default need it set to that (1).
    #[serde(default = "defaults::temperature")]
    pub temperature: f64,
    /// Time limit for one HTTP attempt in seconds, from sending the request
    /// to the end of the reply body. Fractions allowed.
    #[serde(default = "defaults::timeout_secs")]
    pub timeout_secs: f64,
    /// Time limit for opening the connection in seconds.
    #[serde(default = "defaults::connect_timeout_secs")]
    pub connect_timeout_secs: f64,
    /// Most requests in flight to this model at once; more wait in line.
    #[serde(default = "defaults::max_concurrent")]
    pub max_concurrent: usize,
    /// For provider "replay": the JSON-lines file written by `--record`.
    #[serde(default)]
    pub replay_file: Option<PathBuf>,
}

impl ModelConfig {
    /// The base URL in effect, without a trailing slash.
    pub fn effective_base_url(&self) -> Option<String> {
        self.base_url
            .as_deref()
            .or(self.provider.default_base_url())
            .map(|url| url.trim_end_matches('/').to_string())
    }

    /// The environment variable name in effect for the API key.
    pub fn effective_api_key_env(&self) -> Option<&str> {
        self.api_key_env
            .as_deref()
            .or(self.provider.default_api_key_env())
    }
}

/// How retries back off. Delays use "full jitter": a random wait between 0
/// and `min(max_backoff_ms, initial_backoff_ms * 2^attempt)`, so many
/// clients hitting one rate limit do not retry in lockstep.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RetryConfig {
    /// Attempts per call including the first; 1 disables retries.
    pub max_attempts: u32,
    /// Backoff ceiling for the first retry, in milliseconds.
    pub initial_backoff_ms: u64,
    /// Largest single wait between attempts, in milliseconds; also caps a
    /// server's `Retry-After`.
    pub max_backoff_ms: u64,
    /// Give up once the waits of one call would add up to more than this.
    pub max_total_delay_ms: u64,
}

impl Default for RetryConfig {
    fn default() -> Self {
        RetryConfig {
            max_attempts: 4,
            initial_backoff_ms: 500,
            max_backoff_ms: 30_000,
            max_total_delay_ms: 90_000,
        }
    }
}

/// Depth of a web search; "advanced" costs more credits and takes longer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum SearchDepth {
    #[default]
    Basic,
    Advanced,
}

/// Web search through a Tavily-compatible API. Off unless `enabled = true`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SearchConfig {
    /// Turn web search on. Queries contain a summary of your code's
    /// hot spot, so this is off by default.
    pub enabled: bool,
    /// API root; requests go to `{base_url}/search`.
    pub base_url: String,
    /// NAME of the environment variable holding the search API key.
    pub api_key_env: String,
    /// "basic" or "advanced".
    pub search_depth: SearchDepth,
    /// Most results per query (1 to 20).
    pub max_results: u32,
    /// Only search these sites; empty means the whole web.
    pub include_domains: Vec<String>,
    /// Ask the service for a short synthesized answer as well.
    pub include_answer: bool,
    /// Time limit for one search request in seconds.
    pub timeout_secs: f64,
    /// Longest text handed to a prompt from one search, in characters.
    pub max_context_chars: usize,
}

impl Default for SearchConfig {
    fn default() -> Self {
        SearchConfig {
            enabled: false,
            base_url: "https://api.tavily.com".to_string(),
            api_key_env: "TAVILY_API_KEY".to_string(),
            search_depth: SearchDepth::Basic,
            max_results: 5,
            include_domains: vec![
                "arxiv.org".to_string(),
                "acm.org".to_string(),
                "ieee.org".to_string(),
            ],
            include_answer: true,
            timeout_secs: 30.0,
            max_context_chars: 2_000,
        }
    }
}

mod defaults {
    pub fn max_tokens() -> u32 {
        4_096
    }
    /// Low, so replies vary little between runs, but not 0, which makes
    /// some small models repeat themselves.
    pub fn temperature() -> f64 {
        0.2
    }
    pub fn timeout_secs() -> f64 {
        120.0
    }
    pub fn connect_timeout_secs() -> f64 {
        10.0
    }
    pub fn max_concurrent() -> usize {
        4
    }
}

/// Why a configuration could not be used. Every variant names its source.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("could not read {}: {source}; check that the file exists and is readable", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{source_name}:{line}:{column}: {message}; fix the TOML syntax there")]
    Syntax {
        source_name: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{source_name}: {field}: {message}{}", location_suffix(*location))]
    Invalid {
        source_name: String,
        /// Path of the offending field, e.g. `models[1].temperature`;
        /// empty when the error concerns the whole document.
        field: String,
        message: String,
        /// 1-based line and column, when the source has lines.
        location: Option<(usize, usize)>,
    },
}

fn location_suffix(location: Option<(usize, usize)>) -> String {
    match location {
        Some((line, column)) => format!(" (line {line}, column {column})"),
        None => String::new(),
    }
}

impl ConfigError {
    pub(crate) fn invalid(
        source_name: &str,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        ConfigError::Invalid {
            source_name: source_name.to_string(),
            field: field.into(),
            message: message.into(),
            location: None,
        }
    }
}

impl Config {
    /// Load the user-level file (`<config dir>/perforch/perforch.toml`)
    /// and then `<workspace_root>/perforch.toml`; the workspace overrides.
    /// Missing files are fine: defaults apply.
    pub fn load(workspace_root: Option<&Path>) -> Result<Config, ConfigError> {
        let user_file = user_config_path();
        let workspace_file = workspace_root.map(|root| root.join(CONFIG_FILE_NAME));
        Config::load_files(user_file.as_deref(), workspace_file.as_deref())
    }

    /// Like [`Config::load`] with explicit file paths (used by tests and by
    /// a CLI `--config` flag). A path that does not exist is skipped.
    pub fn load_files(
        user_file: Option<&Path>,
        workspace_file: Option<&Path>,
    ) -> Result<Config, ConfigError> {
        let user = read_optional(user_file)?;
        let workspace = read_optional(workspace_file)?;
        match (user, workspace) {
            (None, None) => Ok(Config::default()),
            (Some((path, text)), None) | (None, Some((path, text))) => {
                Config::from_toml_str(&text, &path.display().to_string())
            }
            (Some((user_path, user_text)), Some((ws_path, ws_text))) => {
                // Check each file on its own first so errors name the file
                // the user has to edit, then merge the raw tables.
                let user_name = user_path.display().to_string();
                let ws_name = ws_path.display().to_string();
                Config::from_toml_str(&user_text, &user_name)?;
                Config::from_toml_str(&ws_text, &ws_name)?;
                let user_table: toml::Table = parse_table(&user_text, &user_name)?;
                let ws_table: toml::Table = parse_table(&ws_text, &ws_name)?;
                let merged = merge::merge_tables(user_table, ws_table);
                let merged_name = format!("{user_name} + {ws_name}");
                let config = Config::deserialize(toml::Value::Table(merged))
                    .map_err(|error| ConfigError::invalid(&merged_name, "", error.to_string()))?;
                config.validate(&merged_name)?;
                Ok(config)
            }
        }
    }

    /// Parse TOML text; `source_name` (usually the file name) is used in
    /// error messages.
    pub fn from_toml_str(text: &str, source_name: &str) -> Result<Config, ConfigError> {
        let document = toml::de::DeTable::parse(text).map_err(|error| {
            let (line, column) = error
                .span()
                .map(|span| locate::line_column(text, span.start))
                .unwrap_or((1, 1));
            ConfigError::Syntax {
                source_name: source_name.to_string(),
                line,
                column,
                message: first_line(error.message()),
            }
        })?;
        let config: Config = toml::from_str(text).map_err(|error| {
            let span = error.span();
            let field = span
                .as_ref()
                .map(|span| locate::field_path_at(document.get_ref(), span.start))
                .unwrap_or_default();
            ConfigError::Invalid {
                source_name: source_name.to_string(),
                field: if field.is_empty() {
                    "(top level)".to_string()
                } else {
                    field
                },
                message: explain_serde_message(error.message()),
                location: span.map(|span| locate::line_column(text, span.start)),
            }
        })?;
        config.validate(source_name)?;
        Ok(config)
    }

    /// Deserialize settings sent by the editor. `null` values count as
    /// unset, because editors send `null` for settings the user left empty.
    pub fn from_json_value(value: serde_json::Value) -> Result<Config, ConfigError> {
        Config::from_json_value_named(value, EDITOR_SOURCE_NAME)
    }

    /// Like [`Config::from_json_value`] with a custom source name.
    pub fn from_json_value_named(
        value: serde_json::Value,
        source_name: &str,
    ) -> Result<Config, ConfigError> {
        let value = strip_nulls(value);
        if !value.is_object() {
            return Err(ConfigError::invalid(
                source_name,
                "(top level)",
                "expected an object with fields such as `models` and `search`",
            ));
        }
        match serde_json::from_value::<Config>(value.clone()) {
            Ok(config) => {
                config.validate(source_name)?;
                Ok(config)
            }
            Err(json_error) => {
                // serde_json's message has no field path. Re-run the same
                // data through the TOML path, whose spans locate the field.
                let located = toml::to_string(&value)
                    .ok()
                    .and_then(|text| Config::from_toml_str(&text, source_name).err());
                Err(match located {
                    Some(ConfigError::Invalid { field, message, .. }) => ConfigError::Invalid {
                        source_name: source_name.to_string(),
                        field,
                        message,
                        location: None,
                    },
                    _ => ConfigError::invalid(
                        source_name,
                        "(top level)",
                        explain_serde_message(&json_error.to_string()),
                    ),
                })
            }
        }
    }

    /// Check what types alone cannot: unique names, sane numbers, and that
    /// `api_key_env` holds a variable name rather than a pasted key.
    pub fn validate(&self, source_name: &str) -> Result<(), ConfigError> {
        validate::validate(self, source_name)
    }

    /// The model entry with this name.
    pub fn model(&self, name: &str) -> Option<&ModelConfig> {
        self.models.iter().find(|model| model.name == name)
    }

    /// Search settings when search is turned on.
    pub fn enabled_search(&self) -> Option<&SearchConfig> {
        self.search.as_ref().filter(|search| search.enabled)
    }
}

/// `<platform config dir>/perforch/perforch.toml`, e.g.
/// `~/.config/perforch/perforch.toml` on Linux.
pub fn user_config_path() -> Option<PathBuf> {
    dirs::config_dir().map(|dir| dir.join("perforch").join(CONFIG_FILE_NAME))
}

fn read_optional(path: Option<&Path>) -> Result<Option<(PathBuf, String)>, ConfigError> {
    let Some(path) = path else { return Ok(None) };
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some((path.to_path_buf(), text))),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(ConfigError::Read {
            path: path.to_path_buf(),
            source,
        }),
    }
}

fn parse_table(text: &str, source_name: &str) -> Result<toml::Table, ConfigError> {
    toml::from_str(text).map_err(|error| {
        ConfigError::invalid(source_name, "(top level)", error.message().to_string())
    })
}

fn strip_nulls(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, strip_nulls(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(strip_nulls).collect()),
        other => other,
    }
}

fn first_line(message: &str) -> String {
    message.lines().next().unwrap_or(message).trim().to_string()
}

/// Turn serde's type jargon into words a user knows from the docs.
fn explain_serde_message(message: &str) -> String {
    let message = first_line(message);
    message
        .replace("expected f32", "expected a number (float)")
        .replace("expected f64", "expected a number (float)")
        .replace("expected u32", "expected a whole number")
        .replace("expected u64", "expected a whole number")
        .replace("expected usize", "expected a whole number")
        .replace("expected a boolean", "expected true or false")
}
