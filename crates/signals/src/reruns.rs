//! Re-runs of CI checks, computed from the check runs (nothing stored). GitHub keeps every
//! attempt (the connector asks for `filter=all`): re-running a workflow or a check adds another
//! check run with the same name on the same commit. Check runs carry no attempt number, so the
//! attempts of a check on a commit are its runs of that name and sha in time order, and every run
//! after the first is a re-run. A run that failed and is followed by one that passed "passed on
//! re-run" — what the flaky-check signal counts, and what a failing check's re-runs say.

use crate::input::CheckRun;
use std::collections::BTreeMap;

/// Every run of one check on one commit, in time order.
#[derive(Debug, Clone)]
pub struct Attempts<'a> {
    /// The check's name.
    pub name: &'a str,
    /// The commit.
    pub sha: &'a str,
    /// Its runs, in time order.
    pub runs: Vec<&'a CheckRun>,
}

impl<'a> Attempts<'a> {
    /// Runs after the first.
    pub fn reruns(&self) -> usize {
        self.runs.len().saturating_sub(1)
    }

    /// The latest attempt.
    pub fn latest(&self) -> &'a CheckRun {
        self.runs[self.runs.len() - 1]
    }

    /// Each (failed run, the run right after it, which passed): the check passed on re-run.
    pub fn passed_on_rerun(&self) -> Vec<(&'a CheckRun, &'a CheckRun)> {
        self.runs
            .windows(2)
            .filter(|w| w[0].failed() && w[1].passed())
            .map(|w| (w[0], w[1]))
            .collect()
    }

    /// How many of the attempts failed.
    pub fn failures(&self) -> usize {
        self.runs.iter().filter(|c| c.failed()).count()
    }
}

/// The attempts of each check on each commit among `runs`, by (name, sha).
pub fn attempts<'a>(runs: impl IntoIterator<Item = &'a CheckRun>) -> Vec<Attempts<'a>> {
    let mut groups: BTreeMap<(&'a str, &'a str), Vec<&'a CheckRun>> = BTreeMap::new();
    for c in runs {
        groups
            .entry((c.name.as_str(), c.sha.as_str()))
            .or_default()
            .push(c);
    }
    groups
        .into_iter()
        .map(|((name, sha), mut runs)| {
            runs.sort_by_key(|c| c.at());
            Attempts { name, sha, runs }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(sha: &str, name: &str, conclusion: Option<&str>, at: i64) -> CheckRun {
        CheckRun {
            sha: sha.into(),
            name: name.into(),
            conclusion: conclusion.map(str::to_string),
            started_at: Some(at - 60),
            completed_at: conclusion.map(|_| at),
            html_url: None,
        }
    }

    #[test]
    fn a_second_run_of_a_check_on_a_commit_is_a_rerun() {
        let runs = [
            // test on a1: failed, failed again, then passed: two re-runs, one pass on re-run.
            run("a1", "test", Some("success"), 500),
            run("a1", "test", Some("failure"), 100),
            run("a1", "test", Some("timed_out"), 300),
            // build on a1: once.
            run("a1", "build", Some("success"), 90),
            // test on b2: passed, then a re-run still going.
            run("b2", "test", Some("success"), 100),
            run("b2", "test", None, 400),
        ];
        let a = attempts(&runs);
        let key: Vec<(&str, &str, usize)> = a.iter().map(|x| (x.name, x.sha, x.reruns())).collect();
        assert_eq!(
            key,
            [("build", "a1", 0), ("test", "a1", 2), ("test", "b2", 1)]
        );
        let test_a1 = &a[1];
        assert_eq!(test_a1.failures(), 2);
        let passed = test_a1.passed_on_rerun();
        assert_eq!(passed.len(), 1);
        assert_eq!(
            (passed[0].0.conclusion.as_deref(), passed[0].1.at()),
            (Some("timed_out"), 500)
        );
        assert!(test_a1.latest().passed());
        // A pass followed by a running re-run is not "passed on re-run".
        assert!(a[2].passed_on_rerun().is_empty());
        assert_eq!(a[2].latest().conclusion, None);
    }
}
