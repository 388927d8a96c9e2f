//! JUnit-style XML reports, the lingua franca of test runners: pytest's
//! `--junitxml`, the JUnit console launcher's legacy report, GoogleTest's
//! `--gtest_output=xml`.

use std::time::Duration;

use super::report::{MESSAGE_LIMIT, TestOutcome, cap};

/// One `<testcase>`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct XmlCase {
    pub classname: String,
    pub name: String,
    pub duration: Option<Duration>,
    pub outcome: TestOutcome,
    pub message: Option<String>,
}

/// Every test case of a report. A report that is not XML yields an error
/// message to show (the runner probably crashed while writing it).
pub(crate) fn parse(text: &str) -> Result<Vec<XmlCase>, String> {
    let document = roxmltree::Document::parse(text).map_err(|e| e.to_string())?;
    let mut cases = Vec::new();
    for node in document
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
    {
        let attribute = |name: &str| node.attribute(name).unwrap_or("").to_string();
        let duration = node
            .attribute("time")
            .and_then(|t| t.replace(',', "").parse::<f64>().ok())
            .filter(|t| t.is_finite() && *t >= 0.0)
            .map(Duration::from_secs_f64);
        let child = |tag: &str| node.children().find(|c| c.has_tag_name(tag));
        let describe = |element: roxmltree::Node| {
            let message = element.attribute("message").unwrap_or("").trim();
            let body = element.text().unwrap_or("").trim();
            let text = match (message.is_empty(), body.is_empty()) {
                (_, true) => message.to_string(),
                (true, false) => body.to_string(),
                (false, false) if body.contains(message) => body.to_string(),
                (false, false) => format!("{message}\n{body}"),
            };
            cap(&text, MESSAGE_LIMIT)
        };
        // GoogleTest marks skipped and disabled tests with attributes.
        let gtest_skipped = matches!(node.attribute("result"), Some("skipped" | "suppressed"))
            || node.attribute("status") == Some("notrun");
        let (outcome, message) = if let Some(failure) = child("failure") {
            (TestOutcome::Failed, Some(describe(failure)))
        } else if let Some(error) = child("error") {
            (TestOutcome::Error, Some(describe(error)))
        } else if let Some(skipped) = child("skipped") {
            (TestOutcome::Skipped, Some(describe(skipped)))
        } else if gtest_skipped {
            (TestOutcome::Skipped, None)
        } else {
            (TestOutcome::Passed, None)
        };
        cases.push(XmlCase {
            classname: attribute("classname"),
            name: attribute("name"),
            duration,
            outcome,
            message,
        });
    }
    Ok(cases)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_outcomes_durations_and_messages() {
        let report = r#"<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" errors="0" failures="1" skipped="1" tests="3">
<testcase classname="tests.test_inventory" name="test_ok" time="0.012" />
<testcase classname="tests.test_inventory.TestX" name="test_bad[2]" time="0.5">
  <failure message="assert 3 == 4">def test_bad(): assert 3 == 4</failure></testcase>
<testcase classname="tests.test_inventory" name="test_skip" time="0.000">
  <skipped type="pytest.skip" message="later">skip reason</skipped></testcase>
</testsuite></testsuites>"#;
        let cases = parse(report).unwrap();
        assert_eq!(cases.len(), 3);
        assert_eq!(cases[0].outcome, TestOutcome::Passed);
        assert_eq!(cases[0].duration, Some(Duration::from_millis(12)));
        assert_eq!(cases[1].outcome, TestOutcome::Failed);
        assert_eq!(cases[1].name, "test_bad[2]");
        assert!(
            cases[1]
                .message
                .as_deref()
                .unwrap()
                .contains("assert 3 == 4")
        );
        assert_eq!(cases[2].outcome, TestOutcome::Skipped);
        assert!(parse("not xml").is_err());
    }
}
