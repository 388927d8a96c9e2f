//! [`BuiltinProvider`]: the `ModelProvider` face of the offline optimizer.

use std::time::Instant;

use tokio_util::sync::CancellationToken;

use super::{inputs, rewrite};
use crate::models::{
    BoxFuture, ChatRequest, ChatResponse, ModelError, ModelProvider, Stage, Subject, Usage,
};

/// Answers in microseconds, costs nothing and uses no tokens.
pub struct BuiltinProvider {
    name: String,
}

impl BuiltinProvider {
    pub fn new(name: &str) -> BuiltinProvider {
        BuiltinProvider {
            name: name.to_string(),
        }
    }

    /// The reply's text for one request.
    pub fn answer(&self, request: &ChatRequest) -> String {
        let Some(subject) = &request.subject else {
            return "The builtin optimizer works on a function given as structured data; this request has none, so it has no answer.".into();
        };
        match request.stage {
            Stage::Refine => refine(subject),
            Stage::Inputs => {
                match inputs::inputs_reply(subject.language, &subject.file_text, &subject.function)
                {
                    Ok(reply) => reply,
                    Err(error) => format!(
                        "The builtin optimizer has no inputs for `{}`: {error}.",
                        subject.function
                    ),
                }
            }
            Stage::Generate | Stage::Fix => format!(
                "The builtin optimizer only rewrites known slow patterns of working code; it cannot write or repair `{}`. Configure a language model for that (see docs/perforch.example.toml).",
                subject.function
            ),
            Stage::Classify | Stage::Other => {
                "The builtin optimizer does not answer this kind of request.".into()
            }
        }
    }
}

fn refine(subject: &Subject) -> String {
    let offers = rewrite::offers_at(
        subject.language,
        &subject.file_text,
        &subject.function,
        subject.line,
    );
    let Some(offer) = offers.iter().find(|offer| {
        !subject
            .tried
            .iter()
            .any(|tried| tried.trim() == offer.function.trim())
    }) else {
        let what = if offers.is_empty() {
            "no pattern it knows how to rewrite"
        } else {
            "no rewrite it has not offered already"
        };
        return format!(
            "The builtin optimizer found {what} in `{}`; a language model may still find something (see docs/perforch.example.toml).",
            subject.function
        );
    };
    let mut text = String::from("The builtin optimizer rewrote:\n");
    for applied in &offer.applied {
        text.push_str(&format!("- {applied}\n"));
    }
    text.push_str(&format!(
        "\n```{}\n{}\n```\n",
        subject.language.fence_tag(),
        offer.code.trim_end()
    ));
    text
}

impl ModelProvider for BuiltinProvider {
    fn name(&self) -> &str {
        &self.name
    }

    fn complete(
        &self,
        request: ChatRequest,
        cancel: CancellationToken,
    ) -> BoxFuture<'_, Result<ChatResponse, ModelError>> {
        Box::pin(async move {
            if cancel.is_cancelled() {
                return Err(ModelError::Cancelled {
                    service: self.name.clone(),
                });
            }
            let started = Instant::now();
            let text = self.answer(&request);
            Ok(ChatResponse {
                text,
                usage: Usage::default(),
                model: super::DEFAULT_NAME.to_string(),
                latency: started.elapsed(),
                truncated: false,
            })
        })
    }
}
