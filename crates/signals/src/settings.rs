//! Thresholds. The app fills these from the `[signals]` section of the configuration (whose
//! commented defaults equal [`Settings::default`]); tests set them directly.

use serde::{Deserialize, Serialize};

/// The detectors' thresholds (`[signals]` in the configuration).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    /// Working hours (weekends excluded) a ready PR may wait for its first human review.
    pub review_sla_hours: f64,
    /// Past this many working hours of waiting the signal is high severity.
    pub review_sla_high_hours: f64,
    /// Hours an approved, open PR may stay unmerged.
    pub approved_unmerged_hours: f64,
    /// Hours the latest commit of an open PR may keep a failing check.
    pub failing_checks_hours: f64,
    /// Changed lines (additions + deletions) above which an open PR is oversized.
    pub oversized_pr_lines: i64,
    /// Days without any activity (commit, review, comment, event) after which an open PR is stale.
    pub stale_pr_days: f64,
    /// Whether bot PRs (dependency bumps) can be stale.
    pub stale_include_bots: bool,
    /// Days of reviews that count for review load.
    pub review_window_days: f64,
    /// A reviewer is overloaded above this share of the team's reviews...
    pub review_imbalance_share: f64,
    /// ...and at least this multiple of the team's median...
    pub review_imbalance_ratio: f64,
    /// ...when the team gave at least this many reviews in the window.
    pub review_imbalance_min_reviews: usize,
    /// Hours a ticket may be blocked before it is a signal.
    pub blocked_hours: f64,
    /// Labels that mark a ticket blocked.
    pub blocked_labels: Vec<String>,
    /// Days an in-progress ticket may go without linked activity.
    pub no_activity_days: f64,
    /// Days of finished work that set the team's 85th percentile flow time.
    pub aging_history_days: f64,
    /// Items (or points) added after a sprint started, as a share of what was committed.
    pub scope_creep_share: f64,
    /// A sprint is at risk below this Monte Carlo probability of finishing...
    pub sprint_risk_probability: f64,
    /// ...and high severity below this one.
    pub sprint_risk_high_probability: f64,
    /// Monte Carlo runs of the sprint forecast (the same seed and runs as `bosun metrics sprint`).
    pub forecast_runs: usize,
    /// The seed of the sprint forecast.
    pub forecast_seed: u64,
    /// Labels of incident follow-up tickets.
    pub followup_labels: Vec<String>,
    /// Days a follow-up without a due date has before it is overdue.
    pub followup_days: f64,
    /// Days of check runs looked at for flakiness.
    pub flaky_window_days: f64,
    /// Fail-then-pass flips on one commit that make a check flaky...
    pub flaky_min_flips: usize,
    /// ...across at least this many different PRs.
    pub flaky_min_prs: usize,
    /// Consecutive failed production deployments that make a streak.
    pub deploy_failure_streak: usize,
    /// Days of authorship and reviews that count for ownership.
    pub bus_factor_days: f64,
    /// Incidents of one kind (the same title, digits aside) on one service within 30 days that
    /// make a repeat-incidents signal.
    #[serde(default = "default_repeat_incidents")]
    pub repeat_incidents: usize,
    /// Hours of chat looked at for blockers.
    pub chat_window_hours: f64,
    /// Phrases that mark a chat message as naming a blocker.
    pub chat_blocker_phrases: Vec<String>,
}

fn default_repeat_incidents() -> usize {
    3
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            review_sla_hours: 24.0,
            review_sla_high_hours: 72.0,
            approved_unmerged_hours: 24.0,
            failing_checks_hours: 4.0,
            oversized_pr_lines: 600,
            stale_pr_days: 7.0,
            stale_include_bots: false,
            review_window_days: 14.0,
            review_imbalance_share: 0.4,
            review_imbalance_ratio: 2.0,
            review_imbalance_min_reviews: 10,
            blocked_hours: 24.0,
            blocked_labels: vec!["blocked".into(), "impediment".into()],
            no_activity_days: 3.0,
            aging_history_days: 90.0,
            scope_creep_share: 0.2,
            sprint_risk_probability: 0.5,
            sprint_risk_high_probability: 0.2,
            forecast_runs: 10_000,
            forecast_seed: 42,
            followup_labels: vec!["postmortem".into(), "incident-followup".into()],
            followup_days: 14.0,
            flaky_window_days: 14.0,
            flaky_min_flips: 3,
            flaky_min_prs: 2,
            deploy_failure_streak: 2,
            bus_factor_days: 90.0,
            repeat_incidents: 3,
            chat_window_hours: 48.0,
            chat_blocker_phrases: vec![
                "blocked on".into(),
                "blocked by".into(),
                "waiting for review on".into(),
                "waiting on".into(),
                "stuck on".into(),
            ],
        }
    }
}
