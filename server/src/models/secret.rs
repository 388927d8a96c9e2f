//! API keys: read from the environment, never printed.

use std::fmt;

/// An API key. `Debug` and `Display` are redacted so a key inside any
/// struct cannot reach a log line or error message by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    pub fn new(key: impl Into<String>) -> Self {
        ApiKey(key.into())
    }

    /// Read the key from `env_name`; `None` when unset or blank.
    pub fn from_env(env_name: &str) -> Option<ApiKey> {
        std::env::var(env_name)
            .ok()
            .map(|value| value.trim().to_string())
            .filter(|value| !value.is_empty())
            .map(ApiKey)
    }

    /// The raw key, for building the auth header only.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }

    /// Remove the key from text that came from elsewhere (e.g. a server
    /// error body that echoes the key back) before we show or log it.
    pub fn scrub(&self, text: &str) -> String {
        if self.0.len() < 4 {
            return text.to_string();
        }
        text.replace(&self.0, "[redacted]")
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey([redacted])")
    }
}

impl fmt::Display for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// Scrub with an optional key.
pub(crate) fn scrub(key: Option<&ApiKey>, text: &str) -> String {
    match key {
        Some(key) => key.scrub(text),
        None => text.to_string(),
    }
}
