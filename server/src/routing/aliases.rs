//! Recognising a provider's model id as one of the models the paper measured.
//!
//! Providers spell one model many ways: `gpt-4o-2024-08-06`, `openai/gpt-4o`,
//! `us.anthropic.claude-3-7-sonnet-20250219-v1:0`, `Qwen/Qwen2.5-72B-Instruct-AWQ`,
//! `qwen2.5:72b-instruct-q4_K_M`. [`normalise`] reduces an id to the part that names the model,
//! so that one alias per model covers them. It only drops parts that never change which model
//! answers (dates, serving tags, quantisation); `gpt-4o-mini` stays different from `gpt-4o`.

/// Tags that name a packaging of the same weights, never a different model.
const SERVING_SUFFIXES: &[&str] = &[
    "latest", "instruct", "chat", "it", "beta", "exp", "preview", "hf",
];

/// Words that start a quantisation or file-format tag; everything from here on is dropped.
const QUANTISATION_WORDS: &[&str] = &[
    "fp16", "fp8", "bf16", "fp32", "awq", "gptq", "gguf", "ggml", "int4", "int8", "4bit", "8bit",
    "mlx", "exl2",
];

/// Vendor and region prefixes in dotted ids (Bedrock: `us.anthropic.claude-...`).
const VENDOR_PREFIXES: &[&str] = &[
    "us",
    "eu",
    "apac",
    "global",
    "anthropic",
    "openai",
    "google",
    "meta",
    "mistral",
    "mistralai",
    "amazon",
    "xai",
];

/// The comparable form of a model id: lowercase alphanumerics of the model's own name.
pub fn normalise(model_id: &str) -> String {
    let lowered = model_id.trim().to_ascii_lowercase();
    let after_path = lowered.rsplit('/').next().unwrap_or_default();
    let mut tokens: Vec<&str> = after_path
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|token| !token.is_empty())
        .collect();

    if let Some(start) = tokens.iter().position(|token| is_quantisation_token(token)) {
        tokens.truncate(start);
    }
    while tokens.len() > 1 && VENDOR_PREFIXES.contains(&tokens[0]) {
        tokens.remove(0);
    }
    loop {
        let before = tokens.len();
        strip_date(&mut tokens);
        strip_version_tag(&mut tokens);
        if tokens.len() > 1 {
            let last = tokens[tokens.len() - 1];
            let is_build_number = last.len() >= 3 && last.bytes().all(|b| b.is_ascii_digit());
            if SERVING_SUFFIXES.contains(&last) || is_build_number {
                tokens.pop();
            }
        }
        if tokens.len() == before {
            break;
        }
    }
    tokens.concat()
}

fn is_quantisation_token(token: &str) -> bool {
    if QUANTISATION_WORDS.contains(&token) {
        return true;
    }
    // q2 .. q8 with optional k-quant letters: q4, q4km, q5k, q8
    let mut chars = token.chars();
    chars.next() == Some('q')
        && chars
            .next()
            .is_some_and(|digit| ('2'..='8').contains(&digit))
        && chars.all(|c| c.is_ascii_alphabetic() || c == '0' || c == '1')
}

/// `...-2024-08-06` or `...-20250219`.
fn strip_date(tokens: &mut Vec<&str>) {
    let digits =
        |token: &str, len: usize| token.len() == len && token.bytes().all(|b| b.is_ascii_digit());
    let n = tokens.len();
    if n > 3 && digits(tokens[n - 3], 4) && digits(tokens[n - 2], 2) && digits(tokens[n - 1], 2) {
        tokens.truncate(n - 3);
    } else if n > 1 && digits(tokens[n - 1], 8) {
        tokens.truncate(n - 1);
    }
}

/// `...-v1:0`, `...-v0.1`: a release tag of the same model.
fn strip_version_tag(tokens: &mut Vec<&str>) {
    let is_version = |token: &str| {
        token.len() >= 2 && token.starts_with('v') && token[1..].bytes().all(|b| b.is_ascii_digit())
    };
    let Some(position) = tokens.iter().rposition(|token| is_version(token)) else {
        return;
    };
    let only_digits_after = tokens[position + 1..]
        .iter()
        .all(|token| token.bytes().all(|b| b.is_ascii_digit()));
    if position > 0 && only_digits_after {
        tokens.truncate(position);
    }
}

#[cfg(test)]
mod tests {
    use super::normalise;

    #[test]
    fn provider_spellings_of_one_model_agree() {
        for id in [
            "gpt-4o",
            "gpt-4o-2024-08-06",
            "openai/gpt-4o",
            "GPT-4o",
            "gpt-4o-latest",
        ] {
            assert_eq!(normalise(id), "gpt4o", "{id}");
        }
        for id in [
            "claude-3-7-sonnet-20250219",
            "claude-3-7-sonnet-latest",
            "anthropic/claude-3.7-sonnet",
            "us.anthropic.claude-3-7-sonnet-20250219-v1:0",
            "claude-3-7-sonnet@20250219",
        ] {
            assert_eq!(normalise(id), "claude37sonnet", "{id}");
        }
        for id in [
            "Qwen/Qwen2.5-72B-Instruct",
            "Qwen/Qwen2.5-72B-Instruct-AWQ",
            "qwen2.5:72b-instruct-q4_K_M",
            "qwen2.5-72b-instruct",
        ] {
            assert_eq!(normalise(id), "qwen2572b", "{id}");
        }
        assert_eq!(normalise("gemini-2.0-flash-001"), "gemini20flash");
        assert_eq!(normalise("google/gemma-2-9b-it"), "gemma29b");
        assert_eq!(
            normalise("mistralai/Mamba-Codestral-7B-v0.1"),
            "mambacodestral7b"
        );
        assert_eq!(
            normalise("meta-llama/Meta-Llama-3.1-8B-Instruct"),
            "llama318b"
        );
        assert_eq!(normalise("grok-3-beta"), "grok3");
    }

    #[test]
    fn different_models_stay_different() {
        assert_eq!(normalise("gpt-4o-mini"), "gpt4omini");
        assert_eq!(normalise("grok-3-mini"), "grok3mini");
        assert_eq!(normalise("gemini-2.0-flash-lite"), "gemini20flashlite");
        assert_eq!(normalise("qwen2.5-coder:32b"), "qwen25coder32b");
        // A short version number is part of the name, not a build number.
        assert_eq!(normalise("grok-3"), "grok3");
        assert_eq!(normalise("llama3.2"), "llama32");
    }
}
