//! Review load imbalance: one person giving a large share of a team's reviews. Individual numbers
//! stay on the manager's machine: the signal has no outbound suggestion.

use crate::ctx::{Ctx, review_since};
use crate::model::{Evidence, Kind, Severity, Signal, Subject};
use bosun_metrics::stats::quantile;
use std::collections::BTreeMap;

pub fn detect(cx: &Ctx<'_>, out: &mut Vec<Signal>) {
    let st = cx.settings;
    let since = review_since(st, cx.as_of);
    // Reviews given in the window count on any team's pull requests: one per reviewer and PR (as
    // the metrics count them), see [`crate::ctx::reviewers_in_window`].
    for team in cx
        .input
        .extra
        .teams
        .iter()
        .filter(|t| cx.scope.includes(Some(&t.key)))
    {
        let members: Vec<i64> = team
            .members
            .iter()
            .copied()
            .filter(|m| cx.person(*m).is_some_and(|p| !p.is_bot))
            .collect();
        if members.len() < 3 {
            continue;
        }
        let counts: BTreeMap<i64, usize> = members.iter().map(|m| (*m, cx.reviewed(*m))).collect();
        let total: usize = counts.values().sum();
        if total < st.review_imbalance_min_reviews {
            continue;
        }
        let mut sorted: Vec<f64> = counts.values().map(|c| *c as f64).collect();
        sorted.sort_by(f64::total_cmp);
        let median = quantile(&sorted, 0.5).unwrap_or(0.0);
        let Some((&top, &n)) = counts
            .iter()
            .max_by_key(|(p, n)| (**n, std::cmp::Reverse(**p)))
        else {
            continue;
        };
        let share = n as f64 / total as f64;
        if share < st.review_imbalance_share || (n as f64) < st.review_imbalance_ratio * median {
            continue;
        }
        let severity = if share >= 0.6 {
            Severity::High
        } else {
            Severity::Medium
        };
        let mut s = Signal::new(
            Kind::ReviewLoadImbalance,
            Subject {
                kind: "team".into(),
                reference: team.key.clone(),
                title: format!("Review load in {}", team.name),
                url: None,
            },
            severity,
        );
        s.team = Some(team.key.clone());
        s.person = Some(top);
        s.since = Some(since);
        s.why = format!(
            "{} gave {n} of the {total} reviews {} members gave in the last {} days ({:.0}%; the team's median is {median}).",
            cx.name(Some(top)),
            team.name,
            st.review_window_days,
            share * 100.0
        );
        let mut rows: Vec<(&i64, &usize)> = counts.iter().collect();
        rows.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        for (p, c) in rows {
            let pending = cx.pending(*p);
            s.evidence.push(Evidence::new(
                "person",
                cx.name(Some(*p)),
                format!(
                    "{} given, {pending} pending",
                    crate::text::plural(*c, "review", "reviews")
                ),
            ));
        }
        out.push(s);
    }
}
