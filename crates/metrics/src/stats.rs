//! Summaries. Every duration statistic is a median or a percentile of the samples, never a mean;
//! percentiles interpolate linearly between the two closest ranks (numpy's "linear", DuckDB's
//! `quantile_cont`), so an independent SQL reference gets the same numbers.

use serde::Serialize;

/// A distribution: how many samples, median and upper percentiles.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Summary {
    /// Samples.
    pub n: usize,
    /// Median.
    pub median: Option<f64>,
    /// 75th percentile.
    pub p75: Option<f64>,
    /// 90th percentile.
    pub p90: Option<f64>,
}

/// The `p` quantile (0..=1) of sorted samples.
pub fn quantile(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let pos = (sorted.len() - 1) as f64 * p;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    Some(sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64))
}

/// [`quantile`] of unsorted samples, reordering them partly instead of sorting them: the same
/// value, in linear time.
pub fn quantile_of(samples: &mut [f64], p: f64) -> Option<f64> {
    if samples.is_empty() {
        return None;
    }
    let pos = (samples.len() - 1) as f64 * p;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    let (_, at, above) = samples.select_nth_unstable_by(lo, f64::total_cmp);
    let low = *at;
    let high = if hi == lo {
        low
    } else {
        above.iter().copied().min_by(f64::total_cmp).unwrap_or(low)
    };
    Some(low + (high - low) * (pos - lo as f64))
}

/// Summarise `samples` (see [`quantile`]; `None` without samples).
pub fn summarize(mut samples: Vec<f64>) -> Summary {
    samples.sort_by(f64::total_cmp);
    Summary {
        n: samples.len(),
        median: quantile(&samples, 0.5),
        p75: quantile(&samples, 0.75),
        p90: quantile(&samples, 0.9),
    }
}

/// A ratio with its parts (`value` = numerator / denominator, None when nothing was counted).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Ratio {
    /// Part / total, when total is not zero.
    pub value: Option<f64>,
    /// The part.
    pub part: usize,
    /// The total.
    pub total: usize,
}

/// The ratio of `part` to `total`.
pub fn ratio(part: usize, total: usize) -> Ratio {
    Ratio {
        value: (total > 0).then(|| part as f64 / total as f64),
        part,
        total,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_of_unsorted_samples_equal_those_of_sorted_ones() {
        let mut x: u64 = 7;
        let samples: Vec<f64> = (0..1001)
            .map(|_| {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                (x >> 40) as f64 / 7.0
            })
            .collect();
        for n in [1, 2, 3, 10, 1001] {
            for p in [0.0, 0.15, 0.5, 0.85, 1.0] {
                let mut v = samples[..n].to_vec();
                let mut want = samples[..n].to_vec();
                want.sort_by(f64::total_cmp);
                assert_eq!(quantile_of(&mut v, p), quantile(&want, p), "n {n} p {p}");
            }
        }
        assert_eq!(quantile_of(&mut [], 0.5), None);
    }

    #[test]
    fn quantiles_interpolate() {
        let s = summarize(vec![4.0, 1.0, 3.0, 2.0]);
        assert_eq!(s.n, 4);
        assert_eq!(s.median, Some(2.5));
        assert_eq!(s.p75, Some(3.25));
        assert_eq!(quantile(&[10.0], 0.9), Some(10.0));
        assert_eq!(summarize(vec![]).median, None);
        let s = summarize((1..=10).map(f64::from).collect());
        assert_eq!(s.p90, Some(9.1));
    }
}
