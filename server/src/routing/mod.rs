//! TEMPORARY LOCAL SHIM (never committed): the routing helper's API, until merged.
use std::path::{Path, PathBuf};
use serde::{Deserialize, Serialize};
use crate::language::Language;

#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage { Generate, Fix, Refine }
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Metric { Time, PeakMemory, MeanMemory, Cpu }
impl std::str::FromStr for Metric { type Err = String; fn from_str(s: &str) -> Result<Self, String> { match s { "time" => Ok(Metric::Time), "peak-memory" => Ok(Metric::PeakMemory), "mean-memory" => Ok(Metric::MeanMemory), "cpu" => Ok(Metric::Cpu), _ => Err(format!("bad metric {s}")) } } }
impl std::fmt::Display for Metric { fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { write!(f, "{}", match self { Metric::Time => "time", Metric::PeakMemory => "peak-memory", Metric::MeanMemory => "mean-memory", Metric::Cpu => "cpu" }) } }
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category { Array, Math, String, Counting, NumberTheory, Simulation, Sorting, Enumeration, Greedy, HashTable }
impl std::fmt::Display for Category { fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { write!(f, "{:?}", self) } }
pub fn classify(_language: Language, _function_source: &str) -> Vec<Category> { vec![Category::Array] }
pub fn classification_prompt(_language: Language, _function_source: &str) -> String { String::new() }
pub fn parse_classification(_reply: &str) -> Option<Vec<Category>> { None }
pub struct ModelRef<'a> { pub name: &'a str, pub model: &'a str }
pub struct RunOutcomeForRouting { pub success: bool, pub improvement: f64 }
#[derive(Debug, thiserror::Error)]
#[error("routing")]
pub struct RoutingError;
#[derive(Default)]
pub struct RoutingMemory;
impl RoutingMemory {
    pub fn load(_u: Option<&Path>, _w: Option<&Path>) -> Result<Self, RoutingError> { Ok(RoutingMemory) }
    pub fn default_user_file() -> Option<PathBuf> { None }
    pub fn workspace_file(root: &Path) -> PathBuf { root.join(".perforch/routing.json") }
    pub fn rank(&self, _s: Stage, _l: Language, _c: &[Category], _m: Metric, configured: &[ModelRef]) -> Vec<RankedModel> {
        configured.iter().map(|m| RankedModel { name: m.name.to_string(), score: 0.0, runs: 0, successes: 0, reason: "config order".into() }).collect()
    }
    pub fn record(&mut self, _s: Stage, _l: Language, _c: &[Category], _m: Metric, _model: &ModelRef, _o: RunOutcomeForRouting) {}
    pub fn save(&self) -> Result<(), RoutingError> { Ok(()) }
}
pub struct RankedModel { pub name: String, pub score: f64, pub runs: u32, pub successes: u32, pub reason: String }
