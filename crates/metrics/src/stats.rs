//! Summaries. Every duration statistic is a median or a percentile of the samples, never a mean;
//! percentiles interpolate linearly between the two closest ranks (numpy's "linear", DuckDB's
//! `quantile_cont`), so an independent SQL reference gets the same numbers.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Summary {
    pub n: usize,
    pub median: Option<f64>,
    pub p75: Option<f64>,
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
    pub value: Option<f64>,
    pub part: usize,
    pub total: usize,
}

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
