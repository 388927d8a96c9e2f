//! Statistics for comparing CPU-time samples of an original and a candidate:
//! trimmed mean (drop min and max, as PerfCodeGen does), median, and a
//! seeded bootstrap confidence interval of the candidate/original ratio,
//! either from two independent sample sets or (what measurement uses) from
//! rounds that ran both sides back to back.

use serde::{Deserialize, Serialize};

/// Mean without the single smallest and largest sample (when there are at
/// least three): one descheduled or cache-cold run does not move it.
pub fn trimmed_mean(samples: &[f64]) -> f64 {
    if samples.is_empty() {
        return 0.0;
    }
    let mut sorted = samples.to_vec();
    sorted.sort_by(|a, b| a.total_cmp(b));
    let kept = if sorted.len() >= 3 {
        &sorted[1..sorted.len() - 1]
    } else {
        &sorted[..]
    };
    kept.iter().sum::<f64>() / kept.len() as f64
}

pub fn median(samples: &[f64]) -> f64 {
    if samples.is_empty() {
        return 0.0;
    }
    let mut sorted = samples.to_vec();
    sorted.sort_by(|a, b| a.total_cmp(b));
    let mid = sorted.len() / 2;
    if sorted.len().is_multiple_of(2) {
        (sorted[mid - 1] + sorted[mid]) / 2.0
    } else {
        sorted[mid]
    }
}

pub fn mean(samples: &[f64]) -> f64 {
    if samples.is_empty() {
        0.0
    } else {
        samples.iter().sum::<f64>() / samples.len() as f64
    }
}

/// Coefficient of variation (standard deviation / mean).
pub fn coefficient_of_variation(samples: &[f64]) -> f64 {
    let m = mean(samples);
    if samples.len() < 2 || m == 0.0 {
        return 0.0;
    }
    let variance =
        samples.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (samples.len() - 1) as f64;
    variance.sqrt() / m
}

/// SplitMix64: tiny, seedable, good enough for resampling indices.
#[derive(Clone, Debug)]
pub struct SeededRng(u64);

impl SeededRng {
    pub fn new(seed: u64) -> Self {
        SeededRng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

#[derive(Copy, Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BootstrapConfig {
    pub resamples: usize,
    /// e.g. 0.95 for a 95% interval.
    pub confidence: f64,
    pub seed: u64,
}

impl Default for BootstrapConfig {
    fn default() -> Self {
        BootstrapConfig {
            resamples: 2000,
            confidence: 0.95,
            seed: 0x5EED_CAFE,
        }
    }
}

/// Percentile bootstrap interval of trimmed_mean(candidate) / trimmed_mean(original).
pub fn bootstrap_ratio_interval(
    original: &[f64],
    candidate: &[f64],
    config: BootstrapConfig,
) -> (f64, f64) {
    if original.is_empty() || candidate.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    let mut rng = SeededRng::new(config.seed);
    let resample = |samples: &[f64], rng: &mut SeededRng| -> f64 {
        let drawn: Vec<f64> = (0..samples.len())
            .map(|_| samples[rng.below(samples.len())])
            .collect();
        trimmed_mean(&drawn)
    };
    let mut ratios: Vec<f64> = (0..config.resamples.max(1))
        .map(|_| {
            let o = resample(original, &mut rng);
            let c = resample(candidate, &mut rng);
            if o > 0.0 { c / o } else { f64::INFINITY }
        })
        .collect();
    ratios.sort_by(|a, b| a.total_cmp(b));
    percentile_interval(&ratios, config.confidence)
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Verdict {
    Faster,
    Slower,
    Tie,
}

/// Smallest improvement that counts (the design's "more than the noise").
pub const MIN_IMPROVEMENT: f64 = 0.05;

/// Compare two sample sets: Faster needs a ratio at least 5% below 1 AND an
/// interval entirely below 1; Slower is symmetric; anything else is a Tie.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// Candidate cost over original cost; below 1 is faster. Unpaired:
    /// trimmed_mean(candidate) / trimmed_mean(original); paired: the
    /// trimmed mean of the per-round ratios.
    pub ratio: f64,
    pub interval: (f64, f64),
    pub verdict: Verdict,
}

impl Comparison {
    fn new(ratio: f64, interval: (f64, f64)) -> Self {
        let verdict = if ratio <= 1.0 - MIN_IMPROVEMENT && interval.1 < 1.0 {
            Verdict::Faster
        } else if ratio >= 1.0 + MIN_IMPROVEMENT && interval.0 > 1.0 {
            Verdict::Slower
        } else {
            Verdict::Tie
        };
        Comparison {
            ratio,
            interval,
            verdict,
        }
    }

    /// More samples would not change the answer much: a difference is
    /// established, or the whole interval lies within the smallest
    /// difference that counts (an established tie). Otherwise the data are
    /// merely inconclusive, and a measurement should take more rounds.
    pub fn is_settled(&self) -> bool {
        self.verdict != Verdict::Tie
            || (self.interval.0 > 1.0 - MIN_IMPROVEMENT && self.interval.1 < 1.0 + MIN_IMPROVEMENT)
    }
}

/// Compare two independent sample sets.
pub fn compare_samples(original: &[f64], candidate: &[f64], config: BootstrapConfig) -> Comparison {
    let o = trimmed_mean(original);
    let c = trimmed_mean(candidate);
    let ratio = if o > 0.0 { c / o } else { f64::NAN };
    Comparison::new(ratio, bootstrap_ratio_interval(original, candidate, config))
}

/// Compare samples taken in rounds: `original[i]` and `candidate[i]` ran
/// back to back in round i. Machine load that comes and goes (other
/// processes, frequency changes) lasts longer than a round, so it inflates
/// both samples of a round alike: the per-round ratio cancels it, where
/// two independent sample sets would count it as noise twice. The interval
/// is a bootstrap over rounds.
pub fn compare_paired(original: &[f64], candidate: &[f64], config: BootstrapConfig) -> Comparison {
    let ratios: Vec<f64> = original
        .iter()
        .zip(candidate)
        .filter(|(o, _)| **o > 0.0)
        .map(|(o, c)| c / o)
        .collect();
    if ratios.is_empty() {
        return Comparison::new(f64::NAN, (f64::NAN, f64::NAN));
    }
    let mut rng = SeededRng::new(config.seed);
    let mut resampled: Vec<f64> = (0..config.resamples.max(1))
        .map(|_| {
            let drawn: Vec<f64> = (0..ratios.len())
                .map(|_| ratios[rng.below(ratios.len())])
                .collect();
            trimmed_mean(&drawn)
        })
        .collect();
    resampled.sort_by(|a, b| a.total_cmp(b));
    let interval = percentile_interval(&resampled, config.confidence);
    Comparison::new(trimmed_mean(&ratios), interval)
}

/// The central `confidence` share of sorted bootstrap statistics.
fn percentile_interval(sorted: &[f64], confidence: f64) -> (f64, f64) {
    let alpha = (1.0 - confidence) / 2.0;
    let at = |q: f64| {
        let index = ((sorted.len() - 1) as f64 * q).round() as usize;
        sorted[index.min(sorted.len() - 1)]
    };
    (at(alpha), at(1.0 - alpha))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn noisy(base: f64, spread: f64, n: usize, seed: u64) -> Vec<f64> {
        let mut rng = SeededRng::new(seed);
        (0..n)
            .map(|_| base * (1.0 + spread * ((rng.next_u64() % 2001) as f64 / 1000.0 - 1.0)))
            .collect()
    }

    #[test]
    fn trimmed_mean_and_median() {
        assert_eq!(trimmed_mean(&[1.0, 100.0, 2.0, 3.0, -50.0]), 2.0);
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
    }

    #[test]
    fn equal_samples_tie() {
        let a = noisy(1000.0, 0.02, 5, 1);
        let b = noisy(1000.0, 0.02, 5, 2);
        assert_eq!(
            compare_samples(&a, &b, BootstrapConfig::default()).verdict,
            Verdict::Tie
        );
        let same = [1000.0; 5];
        assert_eq!(
            compare_samples(&same, &same, BootstrapConfig::default()).verdict,
            Verdict::Tie
        );
    }

    #[test]
    fn clear_gain_is_faster_and_clear_loss_slower() {
        let original = noisy(1000.0, 0.03, 5, 3);
        let candidate = noisy(700.0, 0.03, 5, 4);
        let c = compare_samples(&original, &candidate, BootstrapConfig::default());
        assert_eq!(c.verdict, Verdict::Faster, "{c:?}");
        assert!(c.interval.1 < 1.0 && (c.ratio - 0.7).abs() < 0.05);
        let c = compare_samples(&candidate, &original, BootstrapConfig::default());
        assert_eq!(c.verdict, Verdict::Slower, "{c:?}");
    }

    #[test]
    fn noisy_overlap_ties() {
        // A 10% mean gain drowned in ±50% noise.
        let original = noisy(1000.0, 0.5, 5, 5);
        let candidate = noisy(900.0, 0.5, 5, 6);
        let c = compare_samples(&original, &candidate, BootstrapConfig::default());
        assert_eq!(c.verdict, Verdict::Tie, "{c:?}");
    }

    #[test]
    fn small_but_certain_gain_below_threshold_ties() {
        let original = [1000.0, 1001.0, 999.0, 1000.5, 999.5];
        let candidate = [980.0, 981.0, 979.0, 980.5, 979.5];
        assert_eq!(
            compare_samples(&original, &candidate, BootstrapConfig::default()).verdict,
            Verdict::Tie
        );
    }

    #[test]
    fn pairing_cancels_load_shared_by_both_sides_of_a_round() {
        // The candidate costs 10% more in every round, but the rounds ran
        // under very different machine load.
        let load = [1.0, 1.4, 1.05, 1.8, 1.1];
        let original: Vec<f64> = load.iter().map(|l| 1000.0 * l).collect();
        let candidate: Vec<f64> = load.iter().map(|l| 1100.0 * l).collect();
        let config = BootstrapConfig::default();
        let paired = compare_paired(&original, &candidate, config);
        assert_eq!(paired.verdict, Verdict::Slower, "{paired:?}");
        assert!((paired.ratio - 1.1).abs() < 1e-9);
        assert!(paired.is_settled());
        let unpaired = compare_samples(&original, &candidate, config);
        assert_eq!(unpaired.verdict, Verdict::Tie, "{unpaired:?}");
        assert!(!unpaired.is_settled());
    }

    #[test]
    fn a_tie_is_settled_only_when_the_interval_is_inside_the_threshold() {
        let config = BootstrapConfig::default();
        let tight = compare_paired(
            &[1000.0, 1001.0, 999.0, 1000.0, 1000.5],
            &[1000.5, 999.0, 1001.0, 1000.0, 999.5],
            config,
        );
        assert_eq!(tight.verdict, Verdict::Tie);
        assert!(tight.is_settled(), "{tight:?}");
        let loose = compare_paired(
            &[1000.0, 1000.0, 1000.0, 1000.0, 1000.0],
            &[1000.0, 1300.0, 800.0, 1000.0, 1150.0],
            config,
        );
        assert_eq!(loose.verdict, Verdict::Tie);
        assert!(!loose.is_settled(), "{loose:?}");
        assert!(compare_paired(&[], &[], config).ratio.is_nan());
    }

    #[test]
    fn bootstrap_is_reproducible() {
        let a = noisy(10.0, 0.3, 7, 7);
        let b = noisy(9.0, 0.3, 7, 8);
        let config = BootstrapConfig::default();
        assert_eq!(
            bootstrap_ratio_interval(&a, &b, config),
            bootstrap_ratio_interval(&a, &b, config)
        );
    }
}
