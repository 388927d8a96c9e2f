//! Merge the user-level file with the workspace file.
//!
//! Tables merge key by key (workspace wins). `models` merges by `name`: a
//! workspace entry replaces the user entry of the same name whole (mixing
//! fields of two entries would silently pair a URL with the wrong key
//! variable), and new names are appended after the user's entries.

use toml::{Table, Value};

pub(super) fn merge_tables(mut base: Table, overlay: Table) -> Table {
    for (key, overlay_value) in overlay {
        let merged = match (key.as_str(), base.remove(&key), overlay_value) {
            ("models", Some(Value::Array(base_models)), Value::Array(overlay_models)) => {
                Value::Array(merge_models(base_models, overlay_models))
            }
            (_, Some(Value::Table(base_table)), Value::Table(overlay_table)) => {
                Value::Table(merge_tables(base_table, overlay_table))
            }
            (_, _, overlay_value) => overlay_value,
        };
        base.insert(key, merged);
    }
    base
}

fn merge_models(mut base: Vec<Value>, overlay: Vec<Value>) -> Vec<Value> {
    for entry in overlay {
        let name = model_name(&entry).map(str::to_string);
        let existing = name.as_deref().and_then(|name| {
            base.iter()
                .position(|candidate| model_name(candidate) == Some(name))
        });
        match existing {
            Some(index) => base[index] = entry,
            None => base.push(entry),
        }
    }
    base
}

fn model_name(entry: &Value) -> Option<&str> {
    entry.get("name").and_then(Value::as_str)
}
