//! Optional web search through a Tavily-compatible API, used to find
//! known optimization techniques for a hot spot.

use std::time::Duration;

use reqwest::header::{AUTHORIZATION, HeaderMap};
use serde::{Deserialize, Serialize};
use serde_json::json;
use tokio_util::sync::CancellationToken;

use super::error::ModelError;
use super::http::{HttpCaller, secret_header};
use super::retry::RetryPolicy;
use super::secret::ApiKey;
use crate::config::{RetryConfig, SearchConfig, SearchDepth};

/// Name used for search in errors and logs.
pub const SEARCH_SERVICE_NAME: &str = "web search";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchHit {
    pub title: String,
    pub url: String,
    /// The service's extract of the page.
    #[serde(default)]
    pub content: String,
    #[serde(default)]
    pub score: f64,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SearchResults {
    /// A short synthesized answer, when asked for and given.
    #[serde(default)]
    pub answer: Option<String>,
    #[serde(default)]
    pub results: Vec<SearchHit>,
}

pub struct WebSearch {
    config: SearchConfig,
    http: HttpCaller,
}

impl std::fmt::Debug for WebSearch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebSearch")
            .field("config", &self.config)
            .field("key", &self.http.key())
            .finish()
    }
}

impl WebSearch {
    /// `Ok(None)` when search is absent or disabled. The key is checked at
    /// the first search, like model keys.
    pub fn from_config(
        search: Option<&SearchConfig>,
        retry: &RetryConfig,
    ) -> Result<Option<WebSearch>, ModelError> {
        match search {
            Some(config) if config.enabled => {
                WebSearch::new(config.clone(), RetryPolicy::from(retry)).map(Some)
            }
            _ => Ok(None),
        }
    }

    pub fn new(config: SearchConfig, retry: RetryPolicy) -> Result<WebSearch, ModelError> {
        let key = ApiKey::from_env(&config.api_key_env);
        WebSearch::with_key(config, key, retry)
    }

    /// Build with an explicit key instead of reading `api_key_env`.
    pub fn with_key(
        config: SearchConfig,
        key: Option<ApiKey>,
        retry: RetryPolicy,
    ) -> Result<WebSearch, ModelError> {
        let timeout = Duration::from_secs_f64(config.timeout_secs);
        let http = HttpCaller::new(
            SEARCH_SERVICE_NAME,
            "Tavily search",
            timeout.min(Duration::from_secs(10)),
            timeout,
            retry,
            key,
            Some(config.api_key_env.clone()),
        )?;
        Ok(WebSearch { config, http })
    }

    pub async fn search(
        &self,
        query: &str,
        cancel: &CancellationToken,
    ) -> Result<SearchResults, ModelError> {
        let Some(key) = self.http.key() else {
            return Err(ModelError::MissingApiKey {
                service: SEARCH_SERVICE_NAME.to_string(),
                env_var: self.config.api_key_env.clone(),
            });
        };
        let mut headers = HeaderMap::new();
        let bearer = format!("Bearer {}", key.expose());
        headers.insert(AUTHORIZATION, secret_header(SEARCH_SERVICE_NAME, &bearer)?);
        let body = json!({
            "query": query,
            "search_depth": match self.config.search_depth {
                SearchDepth::Basic => "basic",
                SearchDepth::Advanced => "advanced",
            },
            "max_results": self.config.max_results,
            "include_domains": self.config.include_domains,
            "include_answer": self.config.include_answer,
        });
        let url = format!("{}/search", self.config.base_url.trim_end_matches('/'));
        let reply = self
            .http
            .post_json(&url, headers, &body, "search", cancel)
            .await?;
        serde_json::from_value(reply).map_err(|error| ModelError::MalformedReply {
            service: SEARCH_SERVICE_NAME.to_string(),
            protocol: self.http.protocol.to_string(),
            detail: error.to_string(),
        })
    }

    /// Search and condense in one step, bounded by `max_context_chars`.
    pub async fn search_for_prompt(
        &self,
        query: &str,
        cancel: &CancellationToken,
    ) -> Result<String, ModelError> {
        let results = self.search(query, cancel).await?;
        Ok(condense_for_prompt(&results, self.config.max_context_chars))
    }
}

/// Turn results into a short text for a prompt, at most `max_chars`
/// characters: the answer first, then the best-scored hits as
/// "- title (url): extract". Hits are cut rather than dropped so each
/// source the model sees is attributed.
pub fn condense_for_prompt(results: &SearchResults, max_chars: usize) -> String {
    let mut text = String::new();
    if let Some(answer) = results
        .answer
        .as_deref()
        .map(str::trim)
        .filter(|answer| !answer.is_empty())
    {
        text.push_str("Summary: ");
        text.push_str(&collapse_whitespace(answer));
        text.push('\n');
    }
    let mut hits: Vec<&SearchHit> = results.results.iter().collect();
    hits.sort_by(|a, b| b.score.total_cmp(&a.score));
    for hit in hits {
        let line = format!(
            "- {} ({}): {}\n",
            collapse_whitespace(&hit.title),
            hit.url,
            collapse_whitespace(&hit.content)
        );
        if text.chars().count() + line.chars().count() > max_chars {
            let room = max_chars.saturating_sub(text.chars().count());
            // Only keep a cut line if title and URL survive the cut.
            let header_len = hit.title.chars().count() + hit.url.chars().count() + 8;
            if room > header_len + 20 {
                text.extend(line.chars().take(room.saturating_sub(4)));
                text.push_str("...\n");
            }
            break;
        }
        text.push_str(&line);
    }
    let mut bounded: String = text.chars().take(max_chars).collect();
    while bounded.ends_with('\n') {
        bounded.pop();
    }
    bounded
}

fn collapse_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
