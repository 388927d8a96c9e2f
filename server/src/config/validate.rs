//! Semantic checks that serde cannot express.

use std::collections::HashSet;

use super::{Config, ConfigError, ModelConfig, ProviderKind};

pub(super) fn validate(config: &Config, source: &str) -> Result<(), ConfigError> {
    let mut seen_names = HashSet::new();
    for (index, model) in config.models.iter().enumerate() {
        let at = |field: &str| format!("models[{index}].{field}");
        validate_model(model, source, &at)?;
        if !seen_names.insert(model.name.as_str()) {
            return Err(ConfigError::invalid(
                source,
                at("name"),
                format!(
                    "the name `{}` is used by an earlier model; give each model a unique name",
                    model.name
                ),
            ));
        }
    }
    crate::discovery::config::validate(&config.tests, source)?;
    if let Some(search) = &config.search {
        if !is_http_url(&search.base_url) {
            return Err(ConfigError::invalid(
                source,
                "search.base_url",
                "must start with http:// or https://",
            ));
        }
        check_env_name(&search.api_key_env, source, "search.api_key_env")?;
        if !(1..=20).contains(&search.max_results) {
            return Err(ConfigError::invalid(
                source,
                "search.max_results",
                "must be between 1 and 20",
            ));
        }
        check_positive_seconds(search.timeout_secs, source, "search.timeout_secs")?;
    }
    if config.retry.max_attempts == 0 {
        return Err(ConfigError::invalid(
            source,
            "retry.max_attempts",
            "must be at least 1 (1 means: try once, never retry)",
        ));
    }
    let pipeline = &config.pipeline;
    for (field, value) in [
        ("pipeline.top_k", pipeline.top_k),
        (
            "pipeline.iterations_per_model",
            pipeline.iterations_per_model,
        ),
        ("pipeline.min_evidence", pipeline.min_evidence),
        ("pipeline.max_calls", pipeline.max_calls),
        ("pipeline.measure_runs", pipeline.measure_runs),
    ] {
        if value == 0 {
            return Err(ConfigError::invalid(source, field, "must be at least 1"));
        }
    }
    if pipeline.measure_runs < 3 {
        return Err(ConfigError::invalid(
            source,
            "pipeline.measure_runs",
            "must be at least 3 (the smallest and largest runs are dropped)",
        ));
    }
    check_positive_seconds(pipeline.max_wall_secs, source, "pipeline.max_wall_secs")?;
    // NaN is refused too.
    if pipeline.max_cost_usd.is_nan() || pipeline.max_cost_usd < 0.0 {
        return Err(ConfigError::invalid(
            source,
            "pipeline.max_cost_usd",
            "must be 0 or more (USD per job)",
        ));
    }
    if let Some(name) = &pipeline.inputs_model
        && !config.models.iter().any(|model| &model.name == name)
    {
        return Err(ConfigError::invalid(
            source,
            "pipeline.inputs_model",
            format!("`{name}` names no entry of `models`; use one of the configured names"),
        ));
    }
    // Longer waits make hints trail so far behind typing that they look broken.
    if config.hints.debounce_ms > MAX_HINTS_DEBOUNCE_MS {
        return Err(ConfigError::invalid(
            source,
            "hints.debounce_ms",
            format!("must be at most {MAX_HINTS_DEBOUNCE_MS} (milliseconds after the last edit)"),
        ));
    }
    Ok(())
}

const MAX_HINTS_DEBOUNCE_MS: u64 = 10_000;

fn validate_model(
    model: &ModelConfig,
    source: &str,
    at: &dyn Fn(&str) -> String,
) -> Result<(), ConfigError> {
    if model.name.trim().is_empty() {
        return Err(ConfigError::invalid(
            source,
            at("name"),
            "must not be empty; name the model, e.g. \"fast\"",
        ));
    }
    let needs_network = matches!(
        model.provider,
        ProviderKind::OpenAi | ProviderKind::Anthropic
    );
    if needs_network && model.model.trim().is_empty() {
        return Err(ConfigError::invalid(
            source,
            at("model"),
            "must not be empty; set the provider's model id, e.g. \"gpt-4o-mini\"",
        ));
    }
    if let Some(url) = &model.base_url
        && !is_http_url(url)
    {
        return Err(ConfigError::invalid(
            source,
            at("base_url"),
            "must start with http:// or https://",
        ));
    }
    if let Some(env_name) = &model.api_key_env {
        check_env_name(env_name, source, &at("api_key_env"))?;
    }
    for (field, price) in [
        ("price_input_per_mtok", model.price_input_per_mtok),
        ("price_output_per_mtok", model.price_output_per_mtok),
    ] {
        if !price.is_finite() || price < 0.0 {
            return Err(ConfigError::invalid(
                source,
                at(field),
                format!("must be zero or more (USD per million tokens), got {price}"),
            ));
        }
    }
    if !(0.0..=2.0).contains(&model.temperature) {
        return Err(ConfigError::invalid(
            source,
            at("temperature"),
            format!("must be between 0 and 2, got {}", model.temperature),
        ));
    }
    if model.max_tokens == 0 {
        return Err(ConfigError::invalid(
            source,
            at("max_tokens"),
            "must be at least 1",
        ));
    }
    if model.max_concurrent == 0 {
        return Err(ConfigError::invalid(
            source,
            at("max_concurrent"),
            "must be at least 1",
        ));
    }
    check_positive_seconds(model.timeout_secs, source, &at("timeout_secs"))?;
    check_positive_seconds(
        model.connect_timeout_secs,
        source,
        &at("connect_timeout_secs"),
    )?;
    if model.provider == ProviderKind::Replay && model.replay_file.is_none() {
        return Err(ConfigError::invalid(
            source,
            at("replay_file"),
            "is required for provider \"replay\"; point it at a file written with --record",
        ));
    }
    Ok(())
}

/// The field must name a variable. We never echo the value: if the user
/// pasted a key here, repeating it in an error would leak it to logs.
fn check_env_name(name: &str, source: &str, field: &str) -> Result<(), ConfigError> {
    let looks_like_name = !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if looks_like_name && !name.starts_with("sk-") {
        return Ok(());
    }
    Err(ConfigError::invalid(
        source,
        field,
        "must be the NAME of an environment variable (letters, digits, _), e.g. \"OPENAI_API_KEY\", not the key itself; put the key in that variable",
    ))
}

fn check_positive_seconds(seconds: f64, source: &str, field: &str) -> Result<(), ConfigError> {
    if seconds.is_finite() && seconds > 0.0 {
        Ok(())
    } else {
        Err(ConfigError::invalid(
            source,
            field,
            format!("must be a positive number of seconds, got {seconds}"),
        ))
    }
}

fn is_http_url(url: &str) -> bool {
    url.starts_with("http://") || url.starts_with("https://")
}
