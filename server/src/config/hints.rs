//! `[hints]`: the static performance hints an editor shows as you type.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HintsConfig {
    /// Show static performance hints as diagnostics in the editor.
    pub enabled: bool,
    /// Wait this long after the last edit before looking again, in
    /// milliseconds, so a burst of typing costs one pass.
    pub debounce_ms: u64,
}

impl Default for HintsConfig {
    fn default() -> Self {
        HintsConfig {
            enabled: true,
            debounce_ms: 250,
        }
    }
}
