//! Web search client and prompt condensing.

#[path = "model_support/mod.rs"]
mod support;

use perforch::config::{RetryConfig, SearchConfig, SearchDepth};
use perforch::models::ModelError;
use perforch::models::fake_server::{FakeModelServer, Route, ScriptedReply};
use perforch::models::search::{SearchHit, SearchResults, WebSearch, condense_for_prompt};
use perforch::models::secret::ApiKey;
use support::{fast_retry, within};
use tokio_util::sync::CancellationToken;

fn search_config(base_url: &str) -> SearchConfig {
    SearchConfig {
        enabled: true,
        base_url: base_url.to_string(),
        search_depth: SearchDepth::Advanced,
        max_results: 3,
        ..SearchConfig::default()
    }
}

#[tokio::test]
async fn sends_tavily_request_and_parses_results() {
    within(async {
        let server = FakeModelServer::start().await.unwrap();
        server.push(
            Route::Search,
            ScriptedReply::search_results(
                Some("Use a prefix-sum array."),
                &[(
                    "Prefix sums",
                    "https://arxiv.org/abs/1",
                    "Prefix sums answer range queries in O(1).",
                    0.9,
                )],
            ),
        );
        let search = WebSearch::with_key(
            search_config(&server.base_url()),
            Some(ApiKey::new("tvly-test")),
            fast_retry(),
        )
        .unwrap();
        let results = search
            .search("fast range sum queries", &CancellationToken::new())
            .await
            .unwrap();
        assert_eq!(results.answer.as_deref(), Some("Use a prefix-sum array."));
        assert_eq!(results.results.len(), 1);
        assert_eq!(results.results[0].url, "https://arxiv.org/abs/1");

        let sent = &server.requests()[0];
        assert_eq!(sent.path, "/search");
        assert_eq!(sent.header("authorization"), Some("Bearer tvly-test"));
        let body = sent.json();
        assert_eq!(body["query"], "fast range sum queries");
        assert_eq!(body["search_depth"], "advanced");
        assert_eq!(body["max_results"], 3);
        assert_eq!(body["include_answer"], true);
        assert_eq!(
            body["include_domains"],
            serde_json::json!(["arxiv.org", "acm.org", "ieee.org"])
        );
    })
    .await;
}

#[tokio::test]
async fn search_is_off_unless_enabled() {
    let retry = RetryConfig::default();
    assert!(WebSearch::from_config(None, &retry).unwrap().is_none());
    assert!(
        WebSearch::from_config(Some(&SearchConfig::default()), &retry)
            .unwrap()
            .is_none()
    );
    let enabled = SearchConfig {
        enabled: true,
        ..SearchConfig::default()
    };
    assert!(
        WebSearch::from_config(Some(&enabled), &retry)
            .unwrap()
            .is_some()
    );
}

#[tokio::test]
async fn missing_search_key_names_its_variable() {
    within(async {
        let server = FakeModelServer::start().await.unwrap();
        let config = SearchConfig {
            api_key_env: "PERFORCH_TEST_NO_SUCH_SEARCH_KEY".to_string(),
            ..search_config(&server.base_url())
        };
        let search = WebSearch::new(config, fast_retry()).unwrap();
        let error = search
            .search("q", &CancellationToken::new())
            .await
            .unwrap_err();
        assert!(matches!(error, ModelError::MissingApiKey { .. }));
        assert!(
            error
                .to_string()
                .contains("PERFORCH_TEST_NO_SUCH_SEARCH_KEY"),
            "{error}"
        );
        assert!(server.requests().is_empty());
    })
    .await;
}

#[tokio::test]
async fn search_retries_rate_limits() {
    within(async {
        let server = FakeModelServer::start().await.unwrap();
        server.push(Route::Search, ScriptedReply::rate_limited(Some("0")));
        server.push(Route::Search, ScriptedReply::search_results(None, &[]));
        let search = WebSearch::with_key(
            search_config(&server.base_url()),
            Some(ApiKey::new("tvly-test")),
            fast_retry(),
        )
        .unwrap();
        let results = search.search("q", &CancellationToken::new()).await.unwrap();
        assert!(results.results.is_empty());
        assert_eq!(server.requests().len(), 2);
    })
    .await;
}

fn hit(title: &str, url: &str, content: &str, score: f64) -> SearchHit {
    SearchHit {
        title: title.to_string(),
        url: url.to_string(),
        content: content.to_string(),
        score,
    }
}

#[test]
fn condensed_text_puts_answer_and_best_hits_first() {
    let results = SearchResults {
        answer: Some("  Memoize   the recursion. ".to_string()),
        results: vec![
            hit("Low", "https://low.example", "less relevant", 0.1),
            hit("High", "https://high.example", "very\n relevant", 0.95),
        ],
    };
    let text = condense_for_prompt(&results, 1_000);
    assert_eq!(
        text,
        "Summary: Memoize the recursion.\n- High (https://high.example): very relevant\n- Low (https://low.example): less relevant"
    );
}

#[test]
fn condensed_text_respects_the_bound() {
    let long = "word ".repeat(500);
    let results = SearchResults {
        answer: None,
        results: (0..10)
            .map(|index| {
                hit(
                    &format!("T{index}"),
                    "https://x.example",
                    &long,
                    1.0 - index as f64 / 10.0,
                )
            })
            .collect(),
    };
    for bound in [50, 300, 2_000] {
        let text = condense_for_prompt(&results, bound);
        assert!(
            text.chars().count() <= bound,
            "{} > {bound}",
            text.chars().count()
        );
        assert!(text.starts_with("- T0 (https://x.example): word"), "{text}");
    }
    assert_eq!(condense_for_prompt(&SearchResults::default(), 100), "");
}
