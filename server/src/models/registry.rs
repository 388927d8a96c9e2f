//! Builds the configured models, each wrapped with its concurrency limit,
//! optional recording and cost accounting.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;

use super::accounting::{CostLedger, Prices};
use super::anthropic::AnthropicProvider;
use super::error::ModelError;
use super::openai::{HttpModelSettings, OpenAiProvider};
use super::provider::{BoxFuture, ModelProvider};
use super::replay::{Recorder, RecordingProvider, ReplayProvider};
use super::retry::RetryPolicy;
use super::types::{ChatRequest, ChatResponse};
use crate::config::{Config, ModelConfig, ProviderKind};

/// Builds the provider for a `provider = "builtin"` entry; supplied by the
/// crate part that implements the offline optimizer.
pub type BuiltinFactory =
    Arc<dyn Fn(&ModelConfig) -> Result<Arc<dyn ModelProvider>, ModelError> + Send + Sync>;

#[derive(Clone, Default)]
pub struct RegistryOptions {
    /// Record every exchange of every model to this JSON-lines file.
    pub record_to: Option<PathBuf>,
    /// Answer every openai/anthropic model from this recording instead of
    /// the network (the CLI's `--replay FILE`).
    pub replay_from: Option<PathBuf>,
    pub builtin: Option<BuiltinFactory>,
}

pub struct ModelRegistry {
    models: Vec<Arc<dyn ModelProvider>>,
    ledger: Arc<CostLedger>,
    recorder: Option<Arc<Recorder>>,
}

impl ModelRegistry {
    pub fn from_config(
        config: &Config,
        options: &RegistryOptions,
    ) -> Result<ModelRegistry, ModelError> {
        let ledger = Arc::new(CostLedger::new());
        let recorder = match &options.record_to {
            Some(path) => Some(Recorder::create(path)?),
            None => None,
        };
        let retry = RetryPolicy::from(&config.retry);
        let mut models = Vec::with_capacity(config.models.len());
        for model in &config.models {
            let mut provider = build_provider(model, &retry, options)?;
            if let Some(recorder) = &recorder {
                provider = Arc::new(RecordingProvider::new(provider, recorder.clone()));
            }
            models.push(
                Arc::new(MeteredProvider::new(provider, model, ledger.clone()))
                    as Arc<dyn ModelProvider>,
            );
        }
        Ok(ModelRegistry {
            models,
            ledger,
            recorder,
        })
    }

    /// The model entry with this name, ready to call.
    pub fn get(&self, name: &str) -> Option<Arc<dyn ModelProvider>> {
        self.models
            .iter()
            .find(|model| model.name() == name)
            .cloned()
    }

    /// Entry names in configuration order.
    pub fn names(&self) -> Vec<&str> {
        self.models.iter().map(|model| model.name()).collect()
    }

    pub fn ledger(&self) -> Arc<CostLedger> {
        self.ledger.clone()
    }

    pub fn recording_path(&self) -> Option<&std::path::Path> {
        self.recorder.as_ref().map(|recorder| recorder.path())
    }
}

fn build_provider(
    model: &ModelConfig,
    retry: &RetryPolicy,
    options: &RegistryOptions,
) -> Result<Arc<dyn ModelProvider>, ModelError> {
    if let Some(file) = &options.replay_from
        && matches!(
            model.provider,
            ProviderKind::OpenAi | ProviderKind::Anthropic
        )
    {
        return Ok(Arc::new(ReplayProvider::open(&model.name, file)?));
    }
    Ok(match model.provider {
        ProviderKind::OpenAi => Arc::new(OpenAiProvider::new(
            HttpModelSettings::from_config(model),
            retry.clone(),
        )?),
        ProviderKind::Anthropic => Arc::new(AnthropicProvider::new(
            HttpModelSettings::from_config(model),
            retry.clone(),
        )?),
        ProviderKind::Replay => {
            let file = model
                .replay_file
                .as_deref()
                .ok_or_else(|| ModelError::Setup {
                    service: model.name.clone(),
                    detail: "provider \"replay\" needs `replay_file`".to_string(),
                })?;
            Arc::new(ReplayProvider::open(&model.name, file)?)
        }
        ProviderKind::Builtin => match &options.builtin {
            Some(factory) => factory(model)?,
            None => {
                return Err(ModelError::Setup {
                    service: model.name.clone(),
                    detail: "the builtin optimizer is not available in this build; remove the entry or pick another provider".to_string(),
                });
            }
        },
    })
}

/// Enforces `max_concurrent` and books every call in the ledger.
pub struct MeteredProvider {
    inner: Arc<dyn ModelProvider>,
    slots: Arc<Semaphore>,
    prices: Prices,
    ledger: Arc<CostLedger>,
}

impl MeteredProvider {
    pub fn new(
        inner: Arc<dyn ModelProvider>,
        config: &ModelConfig,
        ledger: Arc<CostLedger>,
    ) -> Self {
        MeteredProvider {
            inner,
            slots: Arc::new(Semaphore::new(config.max_concurrent.max(1))),
            prices: Prices::from_config(config),
            ledger,
        }
    }
}

impl ModelProvider for MeteredProvider {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn complete(
        &self,
        request: ChatRequest,
        cancel: CancellationToken,
    ) -> BoxFuture<'_, Result<ChatResponse, ModelError>> {
        Box::pin(async move {
            // Waiting for a slot is cancellable too: a cancelled job must
            // not sit in the queue behind slow calls.
            let _slot = tokio::select! {
                biased;
                _ = cancel.cancelled() => return Err(ModelError::Cancelled { service: self.name().to_string() }),
                slot = self.slots.acquire() => slot.expect("the semaphore is never closed"),
            };
            let stage = request.stage;
            let started = Instant::now();
            let result = self.inner.complete(request, cancel).await;
            match &result {
                Ok(response) => {
                    self.ledger.record_success(
                        self.name(),
                        stage,
                        response.usage,
                        response.latency,
                        self.prices,
                    );
                }
                Err(error) if !error.is_cancelled() => {
                    self.ledger
                        .record_failure(self.name(), stage, started.elapsed())
                }
                Err(_) => {}
            }
            result
        })
    }
}
