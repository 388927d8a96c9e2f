//! Map a byte offset in TOML text to the field path a user would write,
//! e.g. `models[1].temperature`, using the spans of toml's parse tree.

use toml::de::{DeTable, DeValue};

/// 1-based line and column (in characters) of a byte offset.
pub(super) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..floor_char_boundary(text, offset)];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map(|index| index + 1).unwrap_or(0);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// The deepest key path whose key or value span contains `offset`.
pub(super) fn field_path_at(table: &DeTable<'_>, offset: usize) -> String {
    let mut path = String::new();
    walk_table(table, offset, &mut path);
    path
}

fn walk_table(table: &DeTable<'_>, offset: usize, path: &mut String) -> bool {
    for (key, value) in table.iter() {
        let in_key = key.span().contains(&offset);
        let in_value = value.span().contains(&offset);
        if !in_key && !in_value {
            continue;
        }
        push_key(path, key.get_ref());
        if in_value {
            walk_value(value.get_ref(), offset, path);
        }
        return true;
    }
    // Array-of-tables headers (`[[models]]`) give each table a span that
    // may not cover its body, so fall back to the last entry starting
    // before the offset.
    let mut best: Option<(&str, &toml::Spanned<DeValue<'_>>)> = None;
    for (key, value) in table.iter() {
        if key.span().start <= offset {
            match best {
                Some((_, current)) if current.span().start > value.span().start => {}
                _ => best = Some((key.get_ref(), value)),
            }
        }
    }
    if let Some((key, value)) = best
        && matches!(value.get_ref(), DeValue::Table(_) | DeValue::Array(_))
    {
        push_key(path, key);
        walk_value(value.get_ref(), offset, path);
        return true;
    }
    false
}

fn walk_value(value: &DeValue<'_>, offset: usize, path: &mut String) {
    match value {
        DeValue::Table(table) => {
            walk_table(table, offset, path);
        }
        DeValue::Array(items) => {
            let mut chosen = None;
            for (index, item) in items.iter().enumerate() {
                if item.span().contains(&offset) {
                    chosen = Some(index);
                    break;
                }
                if item.span().start <= offset {
                    chosen = Some(index);
                }
            }
            if let Some(index) = chosen {
                path.push_str(&format!("[{index}]"));
                walk_value(items[index].get_ref(), offset, path);
            }
        }
        _ => {}
    }
}

fn push_key(path: &mut String, key: &str) {
    if !path.is_empty() {
        path.push('.');
    }
    path.push_str(key);
}
