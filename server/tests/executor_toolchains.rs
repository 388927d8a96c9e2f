//! Toolchain detection, sandboxed builds, dependency preparation, cache.

mod common;

use perforch::executor::sandbox::SandboxLimits;
use perforch::executor::{
    ExecutorError, Language, ProgramKind, SourceProgram, build, detect, doctor_report,
    prepare_dependencies, run_built,
};

fn hello(language: Language) -> SourceProgram {
    let source = match language {
        Language::Python => "print('hello', 6 * 7)\n",
        Language::Cpp => "#include <cstdio>\nint main(){ std::printf(\"hello %d\\n\", 6*7); }\n",
        Language::Java => {
            "public class Main { public static void main(String[] a){ System.out.println(\"hello \" + 6*7); } }\n"
        }
        Language::Go => {
            "package main\nimport \"fmt\"\nfunc main(){ fmt.Println(\"hello\", 6*7) }\n"
        }
        Language::Rust => "fn main(){ println!(\"hello {}\", 6*7); }\n",
    };
    SourceProgram::single(language, ProgramKind::Executable, source)
}

fn hello_runs(language: Language) {
    let config = common::prepared_config();
    let toolchain = detect(language).expect("toolchain installed");
    assert!(!toolchain.version().is_empty());
    let tmp = common::TestDir::new();
    let built = build(&config, &toolchain, &hello(language), &tmp.run_dir("w")).unwrap();
    let outcome = run_built(&config, &built, SandboxLimits::for_run(), &[]).unwrap();
    assert!(outcome.succeeded(), "{language}: {outcome:?}");
    assert_eq!(outcome.stdout_text().trim(), "hello 42");
}

#[test]
fn python_hello() {
    hello_runs(Language::Python);
}
#[test]
fn cpp_hello() {
    hello_runs(Language::Cpp);
}
#[test]
fn java_hello() {
    hello_runs(Language::Java);
}
#[test]
fn go_hello() {
    hello_runs(Language::Go);
}
#[test]
fn rust_hello() {
    hello_runs(Language::Rust);
}

#[test]
fn build_error_is_reported_with_diagnostics() {
    let config = common::config();
    let toolchain = detect(Language::Cpp).unwrap();
    let tmp = common::TestDir::new();
    let program = SourceProgram::single(Language::Cpp, ProgramKind::Executable, "int main( { }");
    match build(&config, &toolchain, &program, &tmp.run_dir("w")) {
        Err(ExecutorError::BuildFailed { diagnostics, .. }) => {
            assert!(diagnostics.contains("error"), "{diagnostics}")
        }
        other => panic!("expected a build failure, got {other:?}"),
    }
}

#[test]
fn second_build_is_a_cache_hit() {
    let config = common::config();
    let toolchain = detect(Language::Cpp).unwrap();
    let tmp = common::TestDir::new();
    // Unique source so an earlier test run's cache entry does not interfere.
    let nonce = format!("{:?}", std::time::SystemTime::now());
    let program = SourceProgram::single(
        Language::Cpp,
        ProgramKind::Executable,
        format!("#include <cstdio>\n// {nonce}\nint main(){{ std::puts(\"cached\"); }}\n"),
    );
    let first = build(&config, &toolchain, &program, &tmp.run_dir("a")).unwrap();
    assert!(!first.cache_hit);
    let second = build(&config, &toolchain, &program, &tmp.run_dir("b")).unwrap();
    assert!(second.cache_hit);
    let outcome = run_built(&config, &second, SandboxLimits::for_run(), &[]).unwrap();
    assert_eq!(outcome.stdout_text(), "cached\n");
}

#[test]
fn dependencies_prepare_and_build_offline() {
    let config = common::config();
    let problems = prepare_dependencies(&config.cache_dir);
    assert!(problems.is_empty(), "{problems:?}");
    let tmp = common::TestDir::new();
    let rust = SourceProgram::single(
        Language::Rust,
        ProgramKind::Executable,
        "use regex::Regex;\nfn main(){ let r = Regex::new(\"a+b\").unwrap(); println!(\"{} {:x}\", r.is_match(\"xaab\"), md5::compute(b\"\")); let _x: u32 = rand::random(); }\n",
    );
    let built = build(
        &config,
        &detect(Language::Rust).unwrap(),
        &rust,
        &tmp.run_dir("rs"),
    )
    .unwrap();
    let outcome = run_built(&config, &built, SandboxLimits::for_run(), &[]).unwrap();
    assert_eq!(
        outcome.stdout_text(),
        "true d41d8cd98f00b204e9800998ecf8427e\n",
        "{outcome:?}"
    );
    let go = SourceProgram::single(
        Language::Go,
        ProgramKind::TestHarness,
        "package main\nimport (\n\"testing\"\n\"github.com/stretchr/testify/assert\"\n)\nfunc TestX(t *testing.T){ assert.New(t).Equal(2, 1+1) }\n",
    );
    let built = build(
        &config,
        &detect(Language::Go).unwrap(),
        &go,
        &tmp.run_dir("go"),
    )
    .unwrap();
    let outcome = run_built(&config, &built, SandboxLimits::for_run(), &["-test.v"]).unwrap();
    assert!(outcome.succeeded(), "{outcome:?}");
    assert!(outcome.stdout_text().contains("PASS"));
}

#[test]
fn doctor_lists_toolchains_and_protections() {
    let report = doctor_report(&common::config());
    let text = report.to_string();
    println!("{text}");
    for language in Language::ALL {
        assert!(text.contains(language.name()));
    }
    assert!(report.sandbox.is_ok(), "{text}");
}
