//! Go refuses to build a file with an unused import, so a correct
//! candidate that stops using a package (a `regexp` loop rewritten with
//! `strings`) would fail as a build error if the spliced file kept the
//! import. Other languages only warn, so only Go's imports are pruned.

use crate::analysis::ByteRange;
use crate::document::Document;
use crate::executor::gofix::{package_name, uses};
use crate::executor::source_scan::blank_comments_and_literals;
use crate::language::Language;

use super::candidate::{TextEdit, apply_edits};

/// `text` without the imports nothing outside the import declarations
/// uses. Blank (`_`) and dot imports, cgo's `"C"` and imports whose name
/// the path does not tell (`go-yaml`) are always kept.
pub(crate) fn without_unused_imports(text: &str) -> String {
    let document = Document::new(Language::Go, 0, text);
    let root = document.tree().root_node();
    let mut cursor = root.walk();
    let declarations: Vec<_> = root
        .named_children(&mut cursor)
        .filter(|node| node.kind() == "import_declaration")
        .collect();
    let mut code = text.to_string();
    for declaration in &declarations {
        let range = declaration.start_byte()..declaration.end_byte();
        code.replace_range(range.clone(), &" ".repeat(range.len()));
    }
    let code = blank_comments_and_literals(&code);
    let mut cuts = Vec::new();
    for declaration in &declarations {
        let specs = import_specs(declaration);
        let unused: Vec<_> = specs
            .iter()
            .filter(|spec| !is_needed(text, spec, &code))
            .collect();
        if unused.is_empty() {
            continue;
        }
        let whole = if unused.len() == specs.len() {
            vec![ByteRange {
                start: declaration.start_byte(),
                end: declaration.end_byte(),
            }]
        } else {
            unused
                .iter()
                .map(|spec| ByteRange {
                    start: spec.start_byte(),
                    end: spec.end_byte(),
                })
                .collect()
        };
        cuts.extend(whole.into_iter().map(|range| own_lines(text, range)));
    }
    cuts.sort_by_key(|cut| cut.start);
    // Neighbouring cuts (two single-line imports in a row) are one, so the
    // blank line that follows them is judged once.
    let mut merged: Vec<ByteRange> = Vec::new();
    for cut in cuts {
        match merged.last_mut() {
            Some(last) if last.end == cut.start => last.end = cut.end,
            _ => merged.push(cut),
        }
    }
    let edits: Vec<TextEdit> = merged
        .into_iter()
        .map(|cut| TextEdit {
            range: with_blank_line_after(text, cut),
            text: String::new(),
        })
        .collect();
    apply_edits(text, &edits)
}

fn import_specs<'t>(declaration: &tree_sitter::Node<'t>) -> Vec<tree_sitter::Node<'t>> {
    let mut specs = Vec::new();
    let mut cursor = declaration.walk();
    for child in declaration.named_children(&mut cursor) {
        match child.kind() {
            "import_spec" => specs.push(child),
            "import_spec_list" => {
                let mut inner = child.walk();
                specs.extend(
                    child
                        .named_children(&mut inner)
                        .filter(|spec| spec.kind() == "import_spec"),
                );
            }
            _ => {}
        }
    }
    specs
}

fn is_needed(text: &str, spec: &tree_sitter::Node, code: &str) -> bool {
    let Some(path) = spec.child_by_field_name("path") else {
        return true;
    };
    let path = text[path.byte_range()].trim_matches(['"', '`']);
    let name = match spec.child_by_field_name("name") {
        Some(alias) => &text[alias.byte_range()],
        None => package_name(path),
    };
    let is_identifier = !name.is_empty()
        && name.chars().all(|c| c.is_alphanumeric() || c == '_')
        && !name.starts_with(|c: char| c.is_ascii_digit());
    name == "_" || name == "." || path == "C" || !is_identifier || uses(code, name)
}

/// `range` widened to the whole lines it sits on, when nothing else is on
/// them (besides a trailing comment), so no ragged line is left.
fn own_lines(text: &str, range: ByteRange) -> ByteRange {
    let start = text[..range.start].rfind('\n').map_or(0, |at| at + 1);
    let end = text[range.end..]
        .find('\n')
        .map_or(text.len(), |at| range.end + at + 1);
    let after = text[range.end..end].trim();
    if !text[start..range.start].trim().is_empty() || !(after.is_empty() || after.starts_with("//"))
    {
        return range;
    }
    ByteRange { start, end }
}

/// A cut of whole lines that has a blank line before and after takes the
/// one after along, so no double blank line is left where imports were.
fn with_blank_line_after(text: &str, cut: ByteRange) -> ByteRange {
    let whole_lines =
        (cut.start == 0 || text[..cut.start].ends_with('\n')) && text[..cut.end].ends_with('\n');
    let blank_before = cut.start == 0 || text[..cut.start].ends_with("\n\n");
    if whole_lines && blank_before && text[cut.end..].starts_with('\n') {
        ByteRange {
            start: cut.start,
            end: cut.end + 1,
        }
    } else {
        cut
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_package_only_the_old_function_used_goes() {
        let file = "package words\n\nimport \"regexp\"\n\nfunc Count(s string) int {\n\treturn len(s)\n}\n";
        assert_eq!(
            without_unused_imports(file),
            "package words\n\nfunc Count(s string) int {\n\treturn len(s)\n}\n"
        );
    }

    #[test]
    fn only_the_unused_lines_of_a_block_go() {
        let file = "package words\n\nimport (\n\t\"regexp\" // for Count\n\t\"strings\"\n\tre2 \"regexp/syntax\"\n\t_ \"embed\"\n\trand \"math/rand/v2\"\n)\n\nfunc Count(s string) int {\n\t// regexp.MustCompile was slow; re2.Parse too\n\treturn strings.Count(s, \"regexp.\") + rand.IntN(1)\n}\n";
        assert_eq!(
            without_unused_imports(file),
            "package words\n\nimport (\n\t\"strings\"\n\t_ \"embed\"\n\trand \"math/rand/v2\"\n)\n\nfunc Count(s string) int {\n\t// regexp.MustCompile was slow; re2.Parse too\n\treturn strings.Count(s, \"regexp.\") + rand.IntN(1)\n}\n"
        );
    }

    #[test]
    fn major_versions_and_unknown_names_are_judged_by_what_the_path_tells() {
        let file = "package p\n\nimport (\n\t\"math/rand/v2\"\n\t\"github.com/x/go-yaml\"\n\t\"sort\"\n)\n\nfunc F() int { return rand.IntN(3) }\n";
        assert_eq!(
            without_unused_imports(file),
            "package p\n\nimport (\n\t\"math/rand/v2\"\n\t\"github.com/x/go-yaml\"\n)\n\nfunc F() int { return rand.IntN(3) }\n"
        );
    }

    #[test]
    fn imports_in_a_row_go_without_leaving_a_double_blank_line() {
        let file = "package p\n\nimport \"regexp\"\nimport \"sort\"\n\nfunc F() int { return 1 }\n";
        assert_eq!(
            without_unused_imports(file),
            "package p\n\nfunc F() int { return 1 }\n"
        );
    }

    #[test]
    fn a_file_that_uses_all_its_imports_is_unchanged() {
        let file = "package p\n\nimport \"sort\"\nimport \"strings\"\n\nfunc F(xs []string) string { sort.Strings(xs); return strings.Join(xs, \",\") }\n";
        assert_eq!(without_unused_imports(file), file);
    }
}
