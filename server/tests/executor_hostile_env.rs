//! The server's environment (API keys) must not reach sandboxed code. In its
//! own test binary: setting an environment variable is only sound while no
//! other thread runs.

mod common;

use common::hostile::{assert_normal_run_works, limits, run};
use perforch::executor::Language;

#[test]
fn planted_environment_secret_is_not_visible() {
    let secret = "sk-PLANTED-perforch-test-secret-4242";
    // SAFETY: this test binary has a single test; no other thread reads the
    // environment concurrently.
    unsafe { std::env::set_var("PERFORCH_PLANTED_API_KEY", secret) };
    let parent = std::process::id();
    let script = format!(
        "import os\nprint(dict(os.environ))\nfor p in ['/proc/1/environ', '/proc/{parent}/environ', '/proc/self/environ']:\n    try:\n        print(open(p, 'rb').read())\n    except OSError as e:\n        print('blocked', p, type(e).__name__)\n"
    );
    let (outcome, _t) = run(Language::Python, &script, limits(10), &[]);
    let all = format!("{}{}", outcome.stdout_text(), outcome.stderr_text());
    assert!(outcome.succeeded(), "{outcome:?}");
    assert!(!all.contains(secret), "environment leaked: {all}");
    assert!(!all.contains("PERFORCH_PLANTED_API_KEY"), "{all}");
    assert_normal_run_works();
}
