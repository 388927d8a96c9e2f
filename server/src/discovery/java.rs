//! Java: JUnit 5 (Jupiter) test methods that reference the function, in test
//! classes anywhere in the workspace (`FooTest` under `src/test/java` for
//! `Foo` under `src/main/java` is the usual place). Main and test sources
//! are compiled with javac in the sandbox against the JUnit console
//! launcher (fetched once), which then runs the selected methods and
//! writes a JUnit XML report.

use std::path::{Path, PathBuf};

use tree_sitter::Node;

use super::error::DiscoveryError;
use super::junit_xml;
use super::prepare;
use super::report::{SuiteReport, TestResult};
use super::run::{RunContext, Step, build_failed, build_limits, record_outcome};
use super::syntax::{Definition, ParsedFile, TestId, descendants_of_kind, tests_referring};
use super::workspace::files_where;
use super::{DiscoveredTests, RunnerKind, SuiteDetail, Target, TestCase, TestSuite};
use crate::executor::detect;
use crate::executor::toolchains::java::JAVA_RUN_FLAGS;
use crate::language::Language;

const TEST_ANNOTATIONS: &[&str] = &[
    "Test",
    "ParameterizedTest",
    "RepeatedTest",
    "TestFactory",
    "TestTemplate",
];

#[derive(Clone, Debug)]
pub(crate) struct JavaSuite {
    /// Where to run (the Maven/Gradle project folder), relative to the root.
    project_dir: PathBuf,
    /// Source roots to compile (main and test), relative to the root.
    source_roots: Vec<PathBuf>,
    /// Resource folders put on the class path, relative to the root.
    resource_dirs: Vec<PathBuf>,
    /// `--select-method` values: `Class#method` or, for a method with
    /// parameters, `Class#method(int, java.lang.String)`.
    selectors: Vec<String>,
}

pub(crate) fn discover(target: &Target, found: &mut DiscoveredTests) {
    let Some(main_root) = source_root(&target.file, &target.text) else {
        found.notes.push(format!(
            "the package declaration of {} does not match its folder; cannot compile it",
            target.file.display()
        ));
        return;
    };
    let project_dir = maven_project(&main_root).unwrap_or_else(|| main_root.clone());
    let mut source_roots = vec![main_root];
    let mut tests = Vec::new();
    let mut selectors = Vec::new();
    for file in files_where(&target.root, &|name| name.ends_with(".java")) {
        if file == target.file {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(target.root.join(&file)) else {
            continue;
        };
        if !text.contains("@") || !target.may_be_mentioned_in(&text) {
            continue;
        }
        if !TEST_ANNOTATIONS
            .iter()
            .any(|a| text.contains(&format!("@{a}")))
        {
            continue;
        }
        if text.contains("import org.junit.Test;") {
            found.notes.push(format!(
                "{} uses JUnit 4, which perforch does not run; migrate it to JUnit 5 or name a suite in perforch.toml",
                file.display()
            ));
            continue;
        }
        let Some(parsed) = ParsedFile::parse(Language::Java, text) else {
            continue;
        };
        let package = package_of(&parsed);
        let definitions = definitions(&parsed, &package);
        let selected = tests_referring(&parsed, &definitions, target.function);
        if selected.is_empty() {
            found.notes.push(format!(
                "{} mentions `{}` but no test method in it calls it",
                file.display(),
                target.function
            ));
            continue;
        }
        if let Some(root) = source_root(&file, &parsed.text)
            && !source_roots.contains(&root)
        {
            source_roots.push(root);
        }
        let imports = imports_of(&parsed);
        for test in selected {
            let Some(method) = definitions.iter().find(|d| d.test.as_ref() == Some(test)) else {
                continue;
            };
            selectors.push(selector(&parsed, method.node, &test.id, &imports, &package));
            tests.push(TestCase {
                name: test.id.clone(),
                file: file.clone(),
            });
        }
    }
    if tests.is_empty() {
        return;
    }
    let resource_dirs = ["src/main/resources", "src/test/resources"]
        .iter()
        .map(|dir| project_dir.join(dir))
        .filter(|dir| target.root.join(dir).is_dir())
        .collect();
    found.suites.push(TestSuite {
        name: "JUnit".to_string(),
        runner: RunnerKind::JUnit,
        language: Language::Java,
        files: super::distinct_files(&tests),
        tests,
        detail: SuiteDetail::Java(JavaSuite {
            project_dir,
            source_roots,
            resource_dirs,
            selectors,
        }),
    });
}

/// The folder a file's package path starts in: `src/main/java` for
/// `src/main/java/com/acme/Foo.java` in package `com.acme`.
fn source_root(file: &Path, text: &str) -> Option<PathBuf> {
    let package = ParsedFile::parse(Language::Java, text.to_string())
        .map(|parsed| package_of(&parsed))
        .unwrap_or_default();
    let mut dir = file.parent()?.to_path_buf();
    for part in package.split('.').filter(|p| !p.is_empty()).rev() {
        if dir.file_name()?.to_str()? != part {
            return None;
        }
        dir = dir.parent()?.to_path_buf();
    }
    Some(dir)
}

/// The project folder a Java file's package and folders alone name, with
/// no build file needed: `X` for `X/src/main/java/com/acme/Foo.java` in
/// package `com.acme`, `src` for `src/com/acme/Foo.java`. None when the
/// package does not match the folders, or when they say nothing (a file
/// of the default package outside `src/main/java`).
pub(crate) fn project_root(file: &Path, text: &str) -> Option<PathBuf> {
    let source_root = source_root(file, text)?;
    match maven_project(&source_root) {
        Some(project) => Some(project),
        None if Some(source_root.as_path()) != file.parent() => Some(source_root),
        None => None,
    }
}

/// `X` for `X/src/main/java` or `X/src/test/java`.
fn maven_project(source_root: &Path) -> Option<PathBuf> {
    // Whole components: `Xsrc/main/java` is no Maven layout.
    ["src/main/java", "src/test/java"]
        .iter()
        .any(|layout| source_root.ends_with(layout))
        .then(|| source_root.ancestors().nth(3).map(Path::to_path_buf))
        .flatten()
}

fn package_of(parsed: &ParsedFile) -> String {
    super::syntax::named_children(parsed.root())
        .into_iter()
        .find(|n| n.kind() == "package_declaration")
        .and_then(|declaration| {
            super::syntax::named_children(declaration)
                .into_iter()
                .find(|n| matches!(n.kind(), "scoped_identifier" | "identifier"))
        })
        .map(|name| parsed.text_of(name).to_string())
        .unwrap_or_default()
}

fn definitions<'t>(parsed: &'t ParsedFile, package: &str) -> Vec<Definition<'t>> {
    descendants_of_kind(parsed.root(), &["method_declaration"])
        .into_iter()
        .filter_map(|method| {
            let name = parsed
                .text_of(method.child_by_field_name("name")?)
                .to_string();
            let body = method.child_by_field_name("body")?;
            let test = has_test_annotation(parsed, method).then(|| TestId {
                id: format!("{}#{name}", binary_class_name(parsed, method, package)),
                kind: "junit",
            });
            Some(Definition {
                name,
                body,
                test,
                node: method,
            })
        })
        .collect()
}

fn has_test_annotation(parsed: &ParsedFile, method: Node) -> bool {
    let Some(modifiers) = super::syntax::named_children(method)
        .into_iter()
        .find(|n| n.kind() == "modifiers")
    else {
        return false;
    };
    super::syntax::named_children(modifiers)
        .into_iter()
        .filter(|n| matches!(n.kind(), "marker_annotation" | "annotation"))
        .filter_map(|annotation| annotation.child_by_field_name("name"))
        .any(|name| {
            let text = parsed.text_of(name);
            let simple = text.rsplit('.').next().unwrap_or(text);
            TEST_ANNOTATIONS.contains(&simple)
        })
}

/// Simple name -> qualified name, from `import a.b.C;` lines.
fn imports_of(parsed: &ParsedFile) -> Vec<(String, String)> {
    super::syntax::named_children(parsed.root())
        .into_iter()
        .filter(|n| n.kind() == "import_declaration")
        .filter_map(|import| {
            let text = parsed.text_of(import);
            let name = text
                .trim_start_matches("import")
                .trim()
                .trim_end_matches(';')
                .trim();
            if name.starts_with("static ") || name.ends_with('*') {
                return None;
            }
            let simple = name.rsplit('.').next()?.to_string();
            Some((simple, name.to_string()))
        })
        .collect()
}

/// JUnit selects a method with parameters only by its erased, fully
/// qualified parameter types.
fn selector(
    parsed: &ParsedFile,
    method: Node,
    id: &str,
    imports: &[(String, String)],
    package: &str,
) -> String {
    let Some(parameters) = method.child_by_field_name("parameters") else {
        return id.to_string();
    };
    let types: Vec<String> = super::syntax::named_children(parameters)
        .into_iter()
        .filter_map(|p| {
            let written = parsed.text_of(p.child_by_field_name("type")?);
            let variadic = p.kind() == "spread_parameter";
            Some(qualified_type(written, imports, package) + if variadic { "[]" } else { "" })
        })
        .collect();
    if types.is_empty() {
        id.to_string()
    } else {
        format!("{id}({})", types.join(", "))
    }
}

fn qualified_type(written: &str, imports: &[(String, String)], package: &str) -> String {
    const PRIMITIVES: &[&str] = &[
        "int", "long", "short", "byte", "char", "boolean", "float", "double",
    ];
    const JAVA_LANG: &[&str] = &[
        "String",
        "Integer",
        "Long",
        "Short",
        "Byte",
        "Character",
        "Boolean",
        "Float",
        "Double",
        "Object",
        "Number",
        "CharSequence",
        "Class",
        "Enum",
    ];
    let erased = match written.find('<') {
        Some(at) => format!(
            "{}{}",
            &written[..at],
            &written[written.rfind('>').map_or(written.len(), |e| e + 1)..]
        ),
        None => written.to_string(),
    };
    let erased = erased.replace(' ', "");
    let base = erased.trim_end_matches("[]");
    let dims = &erased[base.len()..];
    let qualified = if PRIMITIVES.contains(&base) || base.contains('.') {
        base.to_string()
    } else if let Some((_, name)) = imports.iter().find(|(simple, _)| simple == base) {
        name.clone()
    } else if JAVA_LANG.contains(&base) {
        format!("java.lang.{base}")
    } else if package.is_empty() {
        base.to_string()
    } else {
        format!("{package}.{base}")
    };
    format!("{qualified}{dims}")
}

/// `com.acme.FooTest` or, for a nested class, `com.acme.FooTest$Inner`.
fn binary_class_name(parsed: &ParsedFile, method: Node, package: &str) -> String {
    let mut classes = Vec::new();
    let mut current = method.parent();
    while let Some(node) = current {
        if matches!(
            node.kind(),
            "class_declaration" | "enum_declaration" | "record_declaration"
        ) && let Some(name) = node.child_by_field_name("name")
        {
            classes.push(parsed.text_of(name).to_string());
        }
        current = node.parent();
    }
    classes.reverse();
    let class = classes.join("$");
    if package.is_empty() {
        class
    } else {
        format!("{package}.{class}")
    }
}

pub(crate) fn run(
    context: &RunContext,
    suites: &[&TestSuite],
) -> Result<Vec<SuiteReport>, DiscoveryError> {
    let toolchain = detect(Language::Java)?;
    let jar = prepare::junit_console(&context.config.cache_dir)?;
    let jar_dir = jar.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut reports = Vec::new();
    for (index, suite) in suites.iter().enumerate() {
        let SuiteDetail::Java(detail) = &suite.detail else {
            continue;
        };
        let scratch = context.scratch(&format!("java-{index}"))?;
        let classes = scratch.join("classes");
        let reports_dir = scratch.join("reports");
        let workspace = context.workspace();
        let mut sources = Vec::new();
        for root in &detail.source_roots {
            sources.extend(
                files_where(&workspace.join(root), &|name| name.ends_with(".java"))
                    .into_iter()
                    .map(|file| workspace.join(root).join(file)),
            );
        }
        let list = scratch.join("sources.txt");
        let listing: String = sources
            .iter()
            .map(|s| format!("\"{}\"\n", s.display().to_string().replace('\\', "\\\\")))
            .collect();
        std::fs::write(&list, listing).map_err(|e| DiscoveryError::copy(&list, e))?;
        let project = workspace.join(&detail.project_dir);
        let mut build = Step::new(&toolchain.tool("javac").path, &project, build_limits())
            .args([
                "-J-XX:+UseSerialGC",
                "-J-XX:TieredStopAtLevel=1",
                "-J-XX:-UsePerfData",
            ])
            .args(["-encoding", "UTF-8", "-nowarn", "-proc:none", "-d"])
            .arg(&classes)
            .arg("-cp")
            .arg(&jar)
            .arg(format!("@{}", list.display()));
        build.readable = vec![toolchain.readable[0].clone(), jar_dir.clone()];
        let outcome = context.sandboxed(build)?;
        if !outcome.succeeded() {
            reports.extend(build_failed(&[*suite], &outcome));
            continue;
        }
        let mut class_path = vec![classes.display().to_string()];
        class_path.extend(
            detail
                .resource_dirs
                .iter()
                .map(|d| workspace.join(d).display().to_string()),
        );
        let mut step = Step::new(
            &toolchain.tool("java").path,
            &project,
            context.run_limits(Language::Java),
        )
        .args(JAVA_RUN_FLAGS.iter().copied())
        .arg("-jar")
        .arg(&jar)
        .args([
            "execute",
            "--disable-banner",
            "--disable-ansi-colors",
            "--details=summary",
        ])
        .arg("--class-path")
        .arg(class_path.join(":"))
        .arg("--reports-dir")
        .arg(&reports_dir);
        for selector in &detail.selectors {
            step = step.arg(format!("--select-method={selector}"));
        }
        step.readable = vec![toolchain.readable[0].clone(), jar_dir.clone()];
        let outcome = context.sandboxed(step)?;
        let mut report = SuiteReport::new(suite);
        record_outcome(&mut report, &outcome);
        let xml = reports_dir.join("TEST-junit-jupiter.xml");
        if let Ok(text) = std::fs::read_to_string(&xml) {
            match junit_xml::parse(&text) {
                Ok(cases) => {
                    report.tests = cases
                        .into_iter()
                        .map(|case| TestResult {
                            name: test_name(&case.classname, &case.name),
                            outcome: case.outcome,
                            duration: case.duration,
                            message: case.message,
                        })
                        .collect();
                }
                Err(error) => report
                    .output
                    .push_str(&format!("\n(unreadable JUnit report: {error})")),
            }
        }
        report.require(&suite.tests);
        reports.push(report);
    }
    Ok(reports)
}

/// The legacy report names a method `total()` and a parameterised
/// invocation `scales(int)[2]`; tests are named `Class#method[2]` here.
fn test_name(classname: &str, name: &str) -> String {
    let method = name.split('(').next().unwrap_or(name);
    let invocation = name
        .rfind(")[")
        .map(|at| &name[at + 1..])
        .filter(|rest| rest.ends_with(']'))
        .unwrap_or("");
    format!("{classname}#{method}{invocation}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_report_names_map_to_selectors() {
        assert_eq!(test_name("a.FooTest", "total()"), "a.FooTest#total");
        assert_eq!(
            test_name("a.FooTest", "scales(int)[2]"),
            "a.FooTest#scales[2]"
        );
        assert_eq!(
            maven_project(Path::new("svc/src/test/java")),
            Some(PathBuf::from("svc"))
        );
        assert_eq!(
            maven_project(Path::new("src/main/java")),
            Some(PathBuf::from(""))
        );
        let imports = vec![("List".to_string(), "java.util.List".to_string())];
        assert_eq!(qualified_type("int", &imports, "a"), "int");
        assert_eq!(
            qualified_type("List<Item>", &imports, "a"),
            "java.util.List"
        );
        assert_eq!(
            qualified_type("String[]", &imports, "a"),
            "java.lang.String[]"
        );
        assert_eq!(qualified_type("Item", &imports, "a.b"), "a.b.Item");
    }
}
