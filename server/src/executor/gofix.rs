//! Go is strict about imports (an unused one is a compile error) and test
//! programs are assembled from fragments that each bring their own import
//! block. This merges them into one block that imports exactly what the
//! code uses, adding well-known standard packages that are used but missing.

use super::source_scan::blank_comments_and_literals;

/// Standard packages added when used without an import.
const WELL_KNOWN: &[(&str, &str)] = &[
    ("fmt", "fmt"),
    ("math", "math"),
    ("rand", "math/rand"),
    ("strings", "strings"),
    ("strconv", "strconv"),
    ("sort", "sort"),
    ("bytes", "bytes"),
    ("regexp", "regexp"),
    ("unicode", "unicode"),
    ("reflect", "reflect"),
    ("md5", "crypto/md5"),
    ("hex", "encoding/hex"),
    ("json", "encoding/json"),
    ("os", "os"),
    ("time", "time"),
    ("slices", "slices"),
    ("maps", "maps"),
    ("bits", "math/bits"),
    ("big", "math/big"),
    ("testing", "testing"),
    ("syscall", "syscall"),
    ("runtime", "runtime"),
    ("bufio", "bufio"),
];

#[derive(Clone, Debug, PartialEq, Eq)]
struct ImportSpec {
    alias: Option<String>,
    path: String,
}

impl ImportSpec {
    fn parse(text: &str) -> Option<ImportSpec> {
        let text = text.trim();
        let quote = text.find('"')?;
        let path = text[quote + 1..].split('"').next()?.to_string();
        let alias = text[..quote].trim();
        Some(ImportSpec {
            alias: (!alias.is_empty()).then(|| alias.to_string()),
            path,
        })
    }

    fn name(&self) -> &str {
        match &self.alias {
            Some(alias) => alias,
            None => package_name(&self.path),
        }
    }
}

/// The name an import without an alias brings into scope, as far as the
/// path tells: its last element, except that a `/v2` major-version element
/// and a `.v3` suffix (gopkg.in) are not part of the name. A name with `-`
/// or `.` left in it is not the package's real name, which the path does
/// not give; callers must not rely on it.
pub(crate) fn package_name(path: &str) -> &str {
    let is_version = |text: &str| {
        text.strip_prefix('v')
            .is_some_and(|digits| !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()))
    };
    let mut elements = path.rsplit('/');
    let mut last = elements.next().unwrap_or(path);
    if is_version(last) {
        last = elements.next().unwrap_or(last);
    }
    match last.rsplit_once('.') {
        Some((name, version)) if is_version(version) => name,
        _ => last,
    }
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Does `code` use `name.` as a package qualifier? `code` must have been
/// through [`blank_comments_and_literals`].
pub(crate) fn uses(code: &str, name: &str) -> bool {
    let needle = format!("{name}.");
    let mut start = 0;
    while let Some(pos) = code[start..].find(&needle) {
        let at = start + pos;
        let before_ok = code[..at]
            .chars()
            .next_back()
            .is_none_or(|c| !is_ident(c) && c != '.');
        if before_ok {
            return true;
        }
        start = at + needle.len();
    }
    false
}

/// Rewrite a Go source assembled from fragments into a single package
/// `package_name` file with one import block.
pub fn normalize(source: &str, package_name: &str) -> String {
    let mut imports: Vec<ImportSpec> = Vec::new();
    let mut code = String::new();
    let mut in_block = false;
    for line in source.lines() {
        let trimmed = line.trim();
        if in_block {
            if trimmed.starts_with(')') {
                in_block = false;
            } else if let Some(spec) = ImportSpec::parse(trimmed) {
                imports.push(spec);
            }
            continue;
        }
        if trimmed.starts_with("package ") {
            continue;
        }
        if let Some(rest) = trimmed.strip_prefix("import") {
            let rest = rest.trim();
            if rest.starts_with('(') {
                let inner = rest.trim_start_matches('(');
                if let Some(spec) = ImportSpec::parse(inner.trim_end_matches(')')) {
                    imports.push(spec);
                }
                in_block = !inner.contains(')');
                continue;
            }
            if let Some(spec) = ImportSpec::parse(rest) {
                imports.push(spec);
                continue;
            }
        }
        code.push_str(line);
        code.push('\n');
    }
    let bare_code = blank_comments_and_literals(&code);
    let mut kept: Vec<ImportSpec> = Vec::new();
    for spec in imports {
        let needed =
            matches!(spec.alias.as_deref(), Some("_") | Some(".")) || uses(&bare_code, spec.name());
        if needed && !kept.iter().any(|k| k.path == spec.path) {
            kept.push(spec);
        }
    }
    for (name, path) in WELL_KNOWN {
        if uses(&bare_code, name) && !kept.iter().any(|k| k.name() == *name) {
            kept.push(ImportSpec {
                alias: None,
                path: path.to_string(),
            });
        }
    }
    let mut out = format!("package {package_name}\n\n");
    if !kept.is_empty() {
        out.push_str("import (\n");
        for spec in &kept {
            match &spec.alias {
                Some(alias) => out.push_str(&format!("\t{alias} \"{}\"\n", spec.path)),
                None => out.push_str(&format!("\t\"{}\"\n", spec.path)),
            }
        }
        out.push_str(")\n\n");
    }
    out.push_str(&code);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merges_blocks_drops_unused_adds_missing() {
        let source = "package main\n\nimport (\n    \"testing\"\n    \"github.com/stretchr/testify/assert\"\n)\nimport (\n    \"math\"\n    \"strings\"\n)\n\nfunc F() int { return rand.Intn(3) + int(math.Sqrt(4)) }\nfunc TestF(t *testing.T) { assert.New(t).Equal(1, 1) }\n";
        let out = normalize(source, "main");
        assert!(out.contains("\"math\""));
        assert!(out.contains("\"math/rand\""));
        assert!(out.contains("\"testing\""));
        assert!(out.contains("\"github.com/stretchr/testify/assert\""));
        assert!(!out.contains("\"strings\""));
        assert_eq!(out.matches("package main").count(), 1);
    }

    #[test]
    fn words_in_comments_and_strings_are_not_package_uses() {
        let source = "import (\n    \"strings\"\n    \"sort\"\n    \"fmt\"\n)\n// Accepts a list of strings.\n/* math.Pi\n strings.x */\nfunc F(w []string) string {\n    s := \"use strings.Join\"\n    r := '\"'\n    t := `fmt.x`\n    sort.Strings(w)\n    return s + string(r) + t + fmt.Sprint(1) // strings.\n}\n";
        let out = normalize(source, "main");
        assert!(!out.contains("\"strings\""), "{out}");
        assert!(!out.contains("\"math\""), "{out}");
        assert!(out.contains("\"sort\""), "{out}");
        assert!(out.contains("\"fmt\""), "{out}");
        // The code itself is unchanged.
        assert!(out.contains("// Accepts a list of strings."));
        assert!(out.contains("s := \"use strings.Join\""));
    }

    #[test]
    fn package_names_leave_out_major_versions() {
        assert_eq!(package_name("regexp"), "regexp");
        assert_eq!(package_name("math/rand/v2"), "rand");
        assert_eq!(package_name("github.com/a/b/v10"), "b");
        assert_eq!(package_name("gopkg.in/yaml.v3"), "yaml");
        assert_eq!(package_name("v2"), "v2");
    }

    #[test]
    fn qualifier_must_not_be_a_suffix_of_another_name() {
        assert!(!uses("x := mymath.Pi", "math"));
        assert!(uses("x := (math.Pi)", "math"));
    }
}
