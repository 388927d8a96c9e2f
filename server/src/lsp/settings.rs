//! The configuration the editor sends: `initializationOptions` at start,
//! then the `perforch` section of `workspace/configuration` whenever the
//! editor says settings changed. Same schema as perforch.toml.
//!
//! Invariant: a bad value never replaces a good one. The error is shown to
//! the user (naming the field) and jobs keep using the last good settings.
//! Without editor settings, jobs read perforch.toml (user and workspace
//! files) when they start.

use std::sync::{Mutex, RwLock};

use serde_json::Value;

use crate::config::{Config, ConfigError};

#[derive(Default)]
pub(crate) struct EditorSettings {
    config: RwLock<Option<Config>>,
    /// An error found during `initialize`, before the client may be sent
    /// messages; shown once `initialized` arrives.
    deferred_error: Mutex<Option<String>>,
}

/// What applying a settings value did.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Applied {
    Replaced,
    /// Empty or null: editors send that when the user set nothing, or when
    /// settings came only through `initializationOptions`. Kept as they were.
    Unchanged,
}

impl EditorSettings {
    /// The last good editor settings, if the editor sent any.
    pub fn config(&self) -> Option<Config> {
        self.config
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    pub fn apply(&self, value: Value) -> Result<Applied, ConfigError> {
        if is_empty(&value) {
            return Ok(Applied::Unchanged);
        }
        let config = Config::from_json_value(value)?;
        *self
            .config
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(config);
        Ok(Applied::Replaced)
    }

    pub fn defer_error(&self, message: String) {
        *self
            .deferred_error
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(message);
    }

    pub fn take_deferred_error(&self) -> Option<String> {
        self.deferred_error
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .take()
    }
}

/// The perforch part of pushed settings: editors send either the whole
/// settings tree (`{"perforch": {...}}`) or just the section.
pub(crate) fn perforch_section(settings: Value) -> Value {
    match settings {
        Value::Object(mut map) if map.contains_key("perforch") => {
            map.remove("perforch").unwrap_or(Value::Null)
        }
        other => other,
    }
}

/// The message shown for settings that were not applied.
pub(crate) fn rejected_message(error: &ConfigError) -> String {
    format!("perforch: {error}. The previous settings stay in use until this is fixed.")
}

fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Object(map) => map.values().all(Value::is_null),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_bad_value_keeps_the_last_good_settings() {
        let settings = EditorSettings::default();
        assert_eq!(settings.apply(json!(null)).unwrap(), Applied::Unchanged);
        assert!(settings.config().is_none());
        let good = json!({"models": [{"name": "a", "provider": "openai", "model": "m", "base_url": "http://127.0.0.1:1/v1"}]});
        assert_eq!(settings.apply(good).unwrap(), Applied::Replaced);
        let bad = json!({"pipeline": {"top_k": "five"}});
        let error = settings.apply(bad).unwrap_err();
        assert!(
            rejected_message(&error).contains("pipeline.top_k"),
            "{error}"
        );
        assert_eq!(settings.config().unwrap().models[0].name, "a");
        assert_eq!(settings.apply(json!({})).unwrap(), Applied::Unchanged);
        assert_eq!(settings.config().unwrap().models.len(), 1);
    }

    #[test]
    fn the_section_is_taken_out_of_a_whole_settings_tree() {
        assert_eq!(
            perforch_section(json!({"perforch": {"models": []}})),
            json!({"models": []})
        );
        assert_eq!(
            perforch_section(json!({"models": []})),
            json!({"models": []})
        );
    }
}
