//! Shared by the benchmark examples: elapsed milliseconds, medians, and phase times on request.

use std::time::Instant;

pub fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1000.0
}

pub fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    match n {
        0 => 0.0,
        _ if n % 2 == 1 => v[n / 2],
        _ => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

/// With BOSUN_BENCH_TRACE set, each traced phase of `filter`'s targets prints its time on stderr
/// as it ends.
pub fn trace_if_asked(filter: &str) {
    if std::env::var_os("BOSUN_BENCH_TRACE").is_some() {
        tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
            .with_writer(std::io::stderr)
            .init();
    }
}
