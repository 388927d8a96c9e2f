//! Statistics for comparing samples of an original and a candidate taken
//! in rounds (both sides back to back): a Student-t confidence interval of
//! the candidate/original ratio and the faster/slower/tie verdict; also the
//! trimmed mean (drop min and max, as PerfCodeGen does) and median used in
//! reports.

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

/// The overall confidence of a verdict: identical code is called faster
/// or slower in at most 1% of measurements. A claim a user acts on must
/// not be noise, so this is stricter than the usual 95%.
pub const DEFAULT_CONFIDENCE: f64 = 0.99;

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
    /// Candidate cost over original cost; below 1 is faster: the geometric
    /// mean of the per-round ratios.
    pub ratio: f64,
    /// The confidence interval of `ratio` the verdict was decided on.
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

/// Compare samples taken in rounds: `original[i]` and `candidate[i]` ran
/// back to back in round i. Machine load that comes and goes (other
/// processes, frequency changes) lasts longer than a round, so it inflates
/// both samples of a round alike: the per-round ratio cancels it, where
/// two independent sample sets would count it as noise twice.
///
/// The interval is Student's t on the logarithms of the per-round ratios
/// at `confidence`. It replaced a percentile bootstrap, which with five to
/// fifteen rounds is far too narrow: on a busy CI machine it called
/// identical code slower in 3 of 13 measurements. The t interval is wide
/// when rounds are few or disagree, which is exactly when no claim should
/// be made. Rounds where either side measured nothing are left out.
pub fn compare_paired(original: &[f64], candidate: &[f64], confidence: f64) -> Comparison {
    let logs: Vec<f64> = original
        .iter()
        .zip(candidate)
        .filter(|(o, c)| **o > 0.0 && **c > 0.0)
        .map(|(o, c)| (c / o).ln())
        .collect();
    match logs.len() {
        0 => Comparison::new(f64::NAN, (f64::NAN, f64::NAN)),
        // One round says nothing about the noise.
        1 => Comparison::new(logs[0].exp(), (0.0, f64::INFINITY)),
        n => {
            let centre = mean(&logs);
            let spread =
                (logs.iter().map(|l| (l - centre).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt();
            let alpha = 1.0 - confidence;
            let half_width =
                student_t_quantile(1.0 - alpha / 2.0, (n - 1) as f64) * spread / (n as f64).sqrt();
            Comparison::new(
                centre.exp(),
                ((centre - half_width).exp(), (centre + half_width).exp()),
            )
        }
    }
}

/// The `p` quantile (0.5 < p < 1) of Student's t distribution with `df`
/// degrees of freedom, by bisection on the distribution function.
pub fn student_t_quantile(p: f64, df: f64) -> f64 {
    let mut high = 1.0;
    while student_t_cdf(high, df) < p && high < 1e12 {
        high *= 2.0;
    }
    let mut low = 0.0;
    for _ in 0..200 {
        let middle = (low + high) / 2.0;
        if student_t_cdf(middle, df) < p {
            low = middle;
        } else {
            high = middle;
        }
    }
    (low + high) / 2.0
}

/// P(T <= t) for t >= 0: 1 - I_x(df/2, 1/2) / 2 with x = df / (df + t^2).
fn student_t_cdf(t: f64, df: f64) -> f64 {
    1.0 - 0.5 * regularized_incomplete_beta(df / (df + t * t), df / 2.0, 0.5)
}

/// I_x(a, b) by its continued fraction (modified Lentz), using the symmetry
/// I_x(a, b) = 1 - I_{1-x}(b, a) where the fraction converges slowly.
fn regularized_incomplete_beta(x: f64, a: f64, b: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    if x > (a + 1.0) / (a + b + 2.0) {
        return 1.0 - regularized_incomplete_beta(1.0 - x, b, a);
    }
    let log_front = a * x.ln() + b * (1.0 - x).ln() - ln_beta(a, b);
    const TINY: f64 = 1e-300;
    let mut c = 1.0;
    let mut d = 1.0 - (a + b) * x / (a + 1.0);
    if d.abs() < TINY {
        d = TINY;
    }
    d = 1.0 / d;
    let mut fraction = d;
    for m in 1..500 {
        let m = m as f64;
        for numerator in [
            m * (b - m) * x / ((a + 2.0 * m - 1.0) * (a + 2.0 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2.0 * m) * (a + 2.0 * m + 1.0)),
        ] {
            d = 1.0 + numerator * d;
            if d.abs() < TINY {
                d = TINY;
            }
            c = 1.0 + numerator / c;
            if c.abs() < TINY {
                c = TINY;
            }
            d = 1.0 / d;
            fraction *= d * c;
        }
        if (d * c - 1.0).abs() < 1e-15 {
            break;
        }
    }
    log_front.exp() * fraction / a
}

fn ln_beta(a: f64, b: f64) -> f64 {
    ln_gamma(a) + ln_gamma(b) - ln_gamma(a + b)
}

/// Lanczos approximation (g = 7, nine coefficients), accurate to about
/// 1e-15 for the positive arguments used here.
fn ln_gamma(x: f64) -> f64 {
    const COEFFICIENTS: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection: Gamma(x) Gamma(1 - x) = pi / sin(pi x).
        return (std::f64::consts::PI / (std::f64::consts::PI * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut sum = COEFFICIENTS[0];
    for (i, coefficient) in COEFFICIENTS.iter().enumerate().skip(1) {
        sum += coefficient / (x + i as f64);
    }
    let t = x + 7.5;
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + sum.ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONFIDENCE: f64 = DEFAULT_CONFIDENCE;

    /// Deterministic multiplicative noise (SplitMix64), `spread` of 0.1 is
    /// up to ±10%.
    fn noisy(base: f64, spread: f64, n: usize, seed: u64) -> Vec<f64> {
        let mut state = seed;
        (0..n)
            .map(|_| {
                state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
                let mut z = state;
                z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
                z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
                z ^= z >> 31;
                base * (1.0 + spread * ((z % 2001) as f64 / 1000.0 - 1.0))
            })
            .collect()
    }

    #[test]
    fn trimmed_mean_and_median() {
        assert_eq!(trimmed_mean(&[1.0, 100.0, 2.0, 3.0, -50.0]), 2.0);
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
    }

    #[test]
    fn t_quantiles_match_the_printed_tables() {
        for (p, df, expected) in [
            (0.975, 1.0, 12.706),
            (0.975, 4.0, 2.776),
            (0.995, 4.0, 4.604),
            (0.975, 14.0, 2.145),
            (0.995, 14.0, 2.977),
            (0.95, 30.0, 1.697),
            (0.975, 1e6, 1.960),
        ] {
            let got = student_t_quantile(p, df);
            assert!(
                (got - expected).abs() < 1e-3,
                "t({p}, {df}) = {got}, expected {expected}"
            );
        }
        assert!((ln_gamma(5.0) - 24f64.ln()).abs() < 1e-12);
        assert!((ln_gamma(0.5) - std::f64::consts::PI.sqrt().ln()).abs() < 1e-12);
    }

    #[test]
    fn equal_samples_tie() {
        let a = noisy(1000.0, 0.02, 5, 1);
        let b = noisy(1000.0, 0.02, 5, 2);
        assert_eq!(compare_paired(&a, &b, CONFIDENCE).verdict, Verdict::Tie);
        let same = [1000.0; 5];
        let exact = compare_paired(&same, &same, CONFIDENCE);
        assert_eq!(exact.verdict, Verdict::Tie);
        assert_eq!(exact.interval, (1.0, 1.0));
        assert!(exact.is_settled());
    }

    #[test]
    fn clear_gain_is_faster_and_clear_loss_slower() {
        let original = noisy(1000.0, 0.03, 5, 3);
        let candidate = noisy(700.0, 0.03, 5, 4);
        let c = compare_paired(&original, &candidate, CONFIDENCE);
        assert_eq!(c.verdict, Verdict::Faster, "{c:?}");
        assert!(c.interval.1 < 1.0 && (c.ratio - 0.7).abs() < 0.05);
        let c = compare_paired(&candidate, &original, CONFIDENCE);
        assert_eq!(c.verdict, Verdict::Slower, "{c:?}");
    }

    #[test]
    fn noisy_overlap_ties() {
        // A 10% mean gain drowned in ±50% noise.
        let original = noisy(1000.0, 0.5, 5, 5);
        let candidate = noisy(900.0, 0.5, 5, 6);
        let c = compare_paired(&original, &candidate, CONFIDENCE);
        assert_eq!(c.verdict, Verdict::Tie, "{c:?}");
        assert!(!c.is_settled());
    }

    #[test]
    fn small_but_certain_gain_below_threshold_ties() {
        let original = [1000.0, 1001.0, 999.0, 1000.5, 999.5];
        let candidate = [980.0, 981.0, 979.0, 980.5, 979.5];
        let c = compare_paired(&original, &candidate, CONFIDENCE);
        assert_eq!(c.verdict, Verdict::Tie);
        assert!(c.is_settled(), "{c:?}");
    }

    #[test]
    fn pairing_cancels_load_shared_by_both_sides_of_a_round() {
        // The candidate costs 10% more in every round, but the rounds ran
        // under very different machine load.
        let load = [1.0, 1.4, 1.05, 1.8, 1.1];
        let original: Vec<f64> = load.iter().map(|l| 1000.0 * l).collect();
        let candidate: Vec<f64> = load.iter().map(|l| 1100.0 * l).collect();
        let paired = compare_paired(&original, &candidate, CONFIDENCE);
        assert_eq!(paired.verdict, Verdict::Slower, "{paired:?}");
        assert!((paired.ratio - 1.1).abs() < 1e-9);
        assert!(paired.is_settled());
    }

    #[test]
    fn a_tie_is_settled_only_when_the_interval_is_inside_the_threshold() {
        let tight = compare_paired(
            &[1000.0, 1001.0, 999.0, 1000.0, 1000.5],
            &[1000.5, 999.0, 1001.0, 1000.0, 999.5],
            CONFIDENCE,
        );
        assert_eq!(tight.verdict, Verdict::Tie);
        assert!(tight.is_settled(), "{tight:?}");
        let loose = compare_paired(
            &[1000.0, 1000.0, 1000.0, 1000.0, 1000.0],
            &[1000.0, 1300.0, 800.0, 1000.0, 1150.0],
            CONFIDENCE,
        );
        assert_eq!(loose.verdict, Verdict::Tie);
        assert!(!loose.is_settled(), "{loose:?}");
        assert!(compare_paired(&[], &[], CONFIDENCE).ratio.is_nan());
        let single = compare_paired(&[1000.0], &[500.0], CONFIDENCE);
        assert_eq!(single.verdict, Verdict::Tie, "one round proves nothing");
    }

    /// What failed on CI: identical code measured in rounds whose ratios
    /// scatter by ±30%. Over many such measurements the verdict must be
    /// "different" in about 1% of them at most, never in 1 of 4.
    #[test]
    fn identical_code_under_heavy_noise_is_rarely_called_different() {
        let trials = 400;
        let different = (0..trials)
            .filter(|&trial| {
                let original = noisy(1000.0, 0.3, 15, 2 * trial + 1000);
                let candidate = noisy(1000.0, 0.3, 15, 2 * trial + 1001);
                compare_paired(&original, &candidate, CONFIDENCE).verdict != Verdict::Tie
            })
            .count();
        assert!(different <= trials as usize / 50, "{different} of {trials}");
        // ...while a real 30% gain in the same noise is still seen.
        let seen = (0..trials)
            .filter(|&trial| {
                let original = noisy(1000.0, 0.3, 15, 2 * trial + 5000);
                let candidate = noisy(700.0, 0.3, 15, 2 * trial + 5001);
                compare_paired(&original, &candidate, CONFIDENCE).verdict == Verdict::Faster
            })
            .count();
        assert!(seen >= trials as usize * 9 / 10, "{seen} of {trials}");
    }
}
