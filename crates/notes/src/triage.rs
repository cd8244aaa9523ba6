//! PR triage: the pull requests waiting for a reviewer, ranked by how long they have waited, how
//! small they are, how much other work waits on them and how risky they look; for each, up to two
//! suggested reviewers — code owners of the files it touches, people who changed those files or
//! that repository recently — weighed against their current review load, so the queue spreads
//! reviews across the team instead of piling them on the usual owner. And a nudge to send.

use crate::fmt::{self, DAY};
use crate::input::Input;
use crate::links;
use crate::note::{Item, Link, Note, NoteKind, Section};
use bosun_core::time::Ts;
use bosun_metrics::data::PullRequest;
use bosun_metrics::review;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// How the triage is done.
#[derive(Debug, Clone)]
pub struct TriageOptions {
    /// Only pull requests of this team's repositories.
    pub team: Option<String>,
    /// Reviewers suggested per pull request.
    pub reviewers: usize,
    /// Days of history for "changed these files recently" and review load.
    pub history_days: i64,
    /// Above this many changed lines a pull request is large (a risk).
    pub large_lines: i64,
}

impl Default for TriageOptions {
    fn default() -> Self {
        TriageOptions {
            team: None,
            reviewers: 2,
            history_days: 60,
            large_lines: 400,
        }
    }
}

/// A reviewer suggested for a pull request.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reviewer {
    /// Who.
    pub person: i64,
    /// Their name.
    pub name: String,
    /// Their GitHub login.
    pub login: Option<String>,
    /// Why this person: ownership, recent changes, load.
    pub why: String,
}

/// A pull request in the review queue.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entry {
    /// Its place in the queue, from 1.
    pub rank: usize,
    /// `owner/repo#number`.
    pub pr: String,
    /// Its id in the dataset.
    pub pr_id: i64,
    /// Its title.
    pub title: String,
    /// Its page.
    pub url: String,
    /// Its author's name.
    pub author: String,
    /// Hours it has been waiting for a review.
    pub waiting_hours: f64,
    /// Lines changed.
    pub size_lines: i64,
    /// Its priority: working days waiting, plus bonuses (small, blocking others, ...).
    pub score: f64,
    /// Who could review it.
    pub suggested_reviewers: Vec<Reviewer>,
    /// Reviewers already requested on the pull request.
    pub requested: Vec<String>,
    /// Why it ranks where it does.
    pub why: String,
    /// A message to send (a draft: nothing is sent without approval).
    pub nudge: String,
}

/// The triage: the review queue.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Triage {
    /// The pull requests waiting for review, most urgent first.
    pub queue: Vec<Entry>,
}

/// Ticket keys (`TIDE-540`) mentioned in a text.
pub fn ticket_keys(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for word in text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-')) {
        let Some((project, number)) = word.rsplit_once('-') else {
            continue;
        };
        if !project.is_empty()
            && project.starts_with(|c: char| c.is_ascii_uppercase())
            && project
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
            && !number.is_empty()
            && number.chars().all(|c| c.is_ascii_digit())
            && !out.iter().any(|k| k == word)
        {
            out.push(word.to_string());
        }
    }
    out
}

/// A CODEOWNERS pattern against a repository path (no leading slash).
fn owns(pattern: &str, path: &str) -> bool {
    let p = pattern.trim();
    if p == "*" || p == "/" || p == "/*" {
        return true;
    }
    if let Some(ext) = p.strip_prefix("*.") {
        return path.ends_with(&format!(".{ext}"));
    }
    match p.strip_prefix('/') {
        Some(anchored) if anchored.ends_with('/') => path.starts_with(anchored),
        Some(anchored) => path == anchored || path.starts_with(&format!("{anchored}/")),
        None => {
            let dir = p.trim_end_matches('/');
            path == dir
                || path.starts_with(&format!("{dir}/"))
                || path.contains(&format!("/{dir}/"))
                || path.ends_with(&format!("/{dir}"))
        }
    }
}

fn dir_of(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(d, _)| d)
}

/// When the pull request started waiting for a reviewer, if it is waiting for one at `as_of`
/// ([`bosun_metrics::review`]: no verdict yet, or changes were requested and the author has
/// pushed since, or a dismissal). Drafts, bots, approved pull requests and those waiting on their
/// author are not in the queue.
pub fn waiting_since(input: &Input<'_>, pr: &PullRequest, as_of: Ts) -> Option<Ts> {
    let open = pr.created_at <= as_of
        && pr.merged_at.is_none_or(|m| m > as_of)
        && pr.closed_at.is_none_or(|c| c > as_of);
    if !open || pr.draft || pr.author_is_bot || input.is_bot(pr.author) {
        return None;
    }
    let s = standing(input, pr, as_of);
    s.state.waits_on_reviewers().then_some(s.since)
}

/// Where `pr` stands with its reviewers at `as_of`: the one definition the queue, Today and every
/// note share.
pub fn standing(input: &Input<'_>, pr: &PullRequest, as_of: Ts) -> review::Standing {
    review::standing(
        pr,
        |sha| {
            input
                .data
                .commits
                .iter()
                .find(|c| c.repo == pr.repo && c.sha == sha)
                .map(|c| c.committed_at)
        },
        as_of,
    )
}

struct Pool {
    /// Pending review requests now + reviews given recently (per person).
    pending: HashMap<i64, usize>,
    recent_reviews: HashMap<i64, usize>,
    /// Suggestions made so far in this queue.
    assigned: HashMap<i64, usize>,
}

fn login_map(input: &Input<'_>) -> HashMap<String, i64> {
    let mut out: HashMap<String, i64> = input
        .extra
        .people
        .iter()
        .filter_map(|(id, p)| p.github_login.clone().map(|l| (l.to_lowercase(), *id)))
        .collect();
    out.extend(input.more.logins.iter().map(|(l, p)| (l.clone(), *p)));
    out
}

/// The review queue at `as_of`, ranked, with reviewers suggested.
pub fn triage(input: &Input<'_>, as_of: Ts, opts: &TriageOptions) -> Triage {
    let data = input.data;
    let logins = login_map(input);
    let since = as_of - opts.history_days * DAY;
    let team_repos: Option<BTreeSet<i64>> = opts.team.as_ref().map(|t| {
        data.repos
            .iter()
            .filter(|r| r.team.as_deref() == Some(t))
            .map(|r| r.id)
            .collect()
    });
    let mut pool = Pool {
        pending: HashMap::new(),
        recent_reviews: HashMap::new(),
        assigned: HashMap::new(),
    };
    for pr in &data.pull_requests {
        let open = pr.merged_at.is_none_or(|m| m > as_of) && pr.closed_at.is_none_or(|c| c > as_of);
        if open {
            for r in &pr.requested {
                *pool.pending.entry(*r).or_default() += 1;
            }
        }
        let mut seen = BTreeSet::new();
        for r in &pr.reviews {
            if let Some(p) = r.reviewer
                && r.at >= as_of - 7 * DAY
                && r.at <= as_of
                && seen.insert(p)
            {
                *pool.recent_reviews.entry(p).or_default() += 1;
            }
        }
    }
    // Open tickets that are blocked, by the key blocking them.
    let mut blocked_by: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for t in &data.tickets {
        if t.category_at(as_of) == Some(bosun_core::model::StatusCategory::Done) {
            continue;
        }
        for b in &t.blocked_by {
            blocked_by
                .entry(b.as_str())
                .or_default()
                .push(t.key.as_str());
        }
    }

    struct Candidate<'a> {
        pr: &'a PullRequest,
        since: Ts,
        score: f64,
        reasons: Vec<String>,
    }
    let mut queue: Vec<Candidate<'_>> = Vec::new();
    for pr in &data.pull_requests {
        if team_repos.as_ref().is_some_and(|r| !r.contains(&pr.repo)) {
            continue;
        }
        let Some(since) = waiting_since(input, pr, as_of) else {
            continue;
        };
        let offset = input.extra.person_offset_minutes(pr.author).unwrap_or(0);
        let working = bosun_signals::time::working_secs(since, as_of, offset);
        let mut score = working as f64 / DAY as f64;
        let mut reasons = vec![format!(
            "waiting {} ({} working) for a review",
            fmt::duration(as_of - since),
            fmt::duration(working)
        )];
        let size = pr.size();
        if size <= 50 {
            score += 0.5;
            reasons.push(format!("small ({size} lines): a quick review"));
        }
        // What waits on it: tickets blocked by the tickets it mentions, PRs stacked on it.
        let x = input.extra.prs.get(&pr.id);
        let text = format!(
            "{} {} {}",
            pr.title,
            x.and_then(|x| x.head_ref.clone()).unwrap_or_default(),
            pr.body
        );
        let mut blocks: Vec<String> = Vec::new();
        for key in ticket_keys(&text) {
            if let Some(waiting) = blocked_by.get(key.as_str()) {
                for w in waiting {
                    blocks.push(format!("{w} (blocked by {key})"));
                }
            }
        }
        if let Some(head) = x.and_then(|x| x.head_ref.as_deref()) {
            let mut stacked: Vec<&PullRequest> = data
                .pull_requests
                .iter()
                .filter(|o| {
                    o.repo == pr.repo
                        && o.id != pr.id
                        && o.merged_at.is_none()
                        && o.closed_at.is_none_or(|c| c > as_of)
                        && input.more.base_refs.get(&o.id).map(String::as_str) == Some(head)
                })
                .collect();
            stacked.sort_by_key(|o| o.number);
            for o in stacked {
                blocks.push(format!("{} (stacked on it)", input.pr_ref(o)));
            }
        }
        if !blocks.is_empty() {
            score += 1.5 * blocks.len() as f64;
            reasons.push(format!("blocks {}", blocks.join(", ")));
        }
        // Risk: large, failing checks, code-owned paths.
        if size > opts.large_lines {
            score += 0.5;
            reasons.push(format!("large ({size} lines): review with care"));
        }
        if let (Some(head), Some(checks)) = (&pr.head_sha, input.extra.checks.get(&pr.repo)) {
            let mut failing: Vec<&str> = Vec::new();
            let mut names: BTreeSet<&str> = BTreeSet::new();
            for c in checks.iter().filter(|c| &c.sha == head && c.at() <= as_of) {
                names.insert(c.name.as_str());
            }
            for n in names {
                let last = checks
                    .iter()
                    .filter(|c| &c.sha == head && c.name == n && c.at() <= as_of)
                    .max_by_key(|c| c.at());
                if last.is_some_and(|c| c.failed()) {
                    failing.push(n);
                }
            }
            if !failing.is_empty() {
                score += 0.5;
                reasons.push(format!("failing checks: {}", failing.join(", ")));
            }
        }
        queue.push(Candidate {
            pr,
            since,
            score,
            reasons,
        });
    }
    queue.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(a.since.cmp(&b.since))
            .then(a.pr.id.cmp(&b.pr.id))
    });

    let mut entries = Vec::new();
    for (i, c) in queue.iter().enumerate() {
        let pr = c.pr;
        let reviewers = suggest(input, pr, as_of, since, opts, &logins, &mut pool);
        let requested: Vec<String> = pr.requested.iter().map(|p| input.name(Some(*p))).collect();
        let link = links::pr(input, pr);
        let to: Vec<String> = if pr.requested.is_empty() {
            reviewers
                .iter()
                .map(|r| r.login.as_ref().map_or(r.name.clone(), |l| format!("@{l}")))
                .collect()
        } else {
            pr.requested
                .iter()
                .map(|p| {
                    input
                        .extra
                        .people
                        .get(p)
                        .and_then(|x| x.github_login.clone())
                        .map_or(input.name(Some(*p)), |l| format!("@{l}"))
                })
                .collect()
        };
        let nudge = format!(
            "Hi {} — could you review {} “{}” ({} lines)? It has been waiting {} for a review. {}",
            if to.is_empty() {
                "team".to_string()
            } else {
                to.join(" and ")
            },
            input.pr_ref(pr),
            pr.title.trim(),
            pr.size(),
            fmt::duration(as_of - c.since),
            link.url
        );
        entries.push(Entry {
            rank: i + 1,
            pr: input.pr_full_ref(pr),
            pr_id: pr.id,
            title: pr.title.clone(),
            url: link.url,
            author: input.name(pr.author),
            waiting_hours: fmt::hours(as_of - c.since),
            size_lines: pr.size(),
            score: (c.score * 100.0).round() / 100.0,
            suggested_reviewers: reviewers,
            requested,
            why: c.reasons.join("; "),
            nudge,
        });
    }
    Triage { queue: entries }
}

#[allow(clippy::too_many_arguments)]
fn suggest(
    input: &Input<'_>,
    pr: &PullRequest,
    as_of: Ts,
    since: Ts,
    opts: &TriageOptions,
    logins: &HashMap<String, i64>,
    pool: &mut Pool,
) -> Vec<Reviewer> {
    let data = input.data;
    let x = input.extra.prs.get(&pr.id);
    let paths: Vec<&str> = x.map_or(Vec::new(), |x| x.paths.iter().map(String::as_str).collect());
    let rules = input
        .extra
        .repos
        .get(&pr.repo)
        .map(|r| r.code_owners.as_slice())
        .unwrap_or_default();
    // person → (score, reasons)
    let mut cand: BTreeMap<i64, (f64, Vec<String>)> = BTreeMap::new();
    let mut add = |p: i64, s: f64, why: String| {
        let e = cand.entry(p).or_default();
        e.0 += s;
        if !e.1.contains(&why) {
            e.1.push(why);
        }
    };
    let owners_of = |owner: &str| -> Vec<i64> {
        match owner.trim_start_matches('@').split_once('/') {
            Some((_, slug)) => input.members(slug),
            None => logins
                .get(&owner.trim_start_matches('@').to_lowercase())
                .copied()
                .into_iter()
                .collect(),
        }
    };
    let specific: Vec<_> = paths
        .iter()
        .filter_map(|path| {
            rules
                .iter()
                .rev()
                .find(|r| owns(&r.pattern, path))
                .map(|r| (r, *path))
        })
        .collect();
    if specific.is_empty() {
        for r in rules.iter().filter(|r| owns(&r.pattern, "")) {
            for o in &r.owners {
                for p in owners_of(o) {
                    add(p, 1.0, format!("code owner ({o})"));
                }
            }
        }
    } else {
        for (r, _) in specific {
            let broad = owns(&r.pattern, "");
            for o in &r.owners {
                for p in owners_of(o) {
                    if broad {
                        add(p, 1.0, format!("code owner ({o})"));
                    } else {
                        add(p, 3.0, format!("owns {}", r.pattern));
                    }
                }
            }
        }
    }
    // Who changed the same directories, or the repository, recently.
    let dirs: BTreeSet<&str> = paths.iter().map(|p| dir_of(p)).collect();
    let mut repo_activity: BTreeMap<i64, usize> = BTreeMap::new();
    for o in data.pull_requests.iter().filter(|o| {
        o.repo == pr.repo && o.id != pr.id && o.merged_at.is_some_and(|m| m >= since && m <= as_of)
    }) {
        let touched = input.extra.prs.get(&o.id).is_some_and(|ox| {
            ox.paths
                .iter()
                .any(|p| !dirs.is_empty() && dirs.contains(dir_of(p)))
        });
        if let Some(a) = o.author {
            *repo_activity.entry(a).or_default() += 1;
            if touched {
                add(a, 2.0, "changed these files recently".into());
            }
        }
        for r in o.reviews.iter().filter(|r| r.at >= since && r.at <= as_of) {
            if let Some(p) = r.reviewer {
                *repo_activity.entry(p).or_default() += 1;
                if touched {
                    add(p, 1.0, "reviewed changes to these files".into());
                }
            }
        }
    }
    for (p, n) in &repo_activity {
        add(
            *p,
            (*n).min(10) as f64 * 0.15,
            format!(
                "{} in {} lately",
                fmt::plural(*n, "PR or review", "PRs and reviews"),
                input
                    .data
                    .repos
                    .iter()
                    .find(|r| r.id == pr.repo)
                    .map_or("the repository", |r| r
                        .full_name
                        .rsplit('/')
                        .next()
                        .unwrap_or(""))
            ),
        );
    }
    // (score, person, reasons, (pending, suggested above))
    type Scored = (f64, i64, Vec<String>, (usize, usize));
    let mut scored: Vec<Scored> = cand
        .into_iter()
        .filter(|(p, _)| {
            Some(*p) != pr.author
                && !pr.requested.contains(p)
                && !input.is_bot(Some(*p))
                && input
                    .off_on(
                        *p,
                        as_of,
                        input.extra.person_offset_minutes(Some(*p)).unwrap_or(0),
                    )
                    .is_none()
        })
        .map(|(p, (s, why))| {
            let pending = pool.pending.get(&p).copied().unwrap_or(0);
            let assigned = pool.assigned.get(&p).copied().unwrap_or(0);
            let recent = pool.recent_reviews.get(&p).copied().unwrap_or(0);
            let penalty = 0.9 * (pending + assigned) as f64 + 0.1 * recent as f64;
            (s - penalty, p, why, (pending, assigned))
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut out = Vec::new();
    for (_, p, mut why, (pending, assigned)) in scored.into_iter().take(opts.reviewers) {
        why.truncate(2);
        why.push(match pending {
            0 => "no reviews pending".to_string(),
            n => format!("{} pending", fmt::plural(n, "review", "reviews")),
        });
        if assigned > 0 {
            why.push(format!("suggested for {assigned} above"));
        }
        *pool.assigned.entry(p).or_default() += 1;
        out.push(Reviewer {
            person: p,
            name: input.name(Some(p)),
            login: input
                .extra
                .people
                .get(&p)
                .and_then(|x| x.github_login.clone()),
            why: why.join("; "),
        });
    }
    out
}

/// The triage queue as a note.
pub fn note(input: &Input<'_>, t: &Triage, as_of: Ts, team: Option<&str>) -> Note {
    let mut queue = Section::new(
        "Waiting for review",
        "No pull request is waiting for a reviewer.",
    );
    let over_day = t.queue.iter().filter(|e| e.waiting_hours >= 24.0).count();
    queue.lead = Some(format!(
        "{} waiting, {} of them for more than a day. Ranked by waiting time, size, what waits on them and risk.",
        fmt::plural(t.queue.len(), "pull request", "pull requests"),
        over_day
    ));
    let mut counts: BTreeMap<i64, usize> = BTreeMap::new();
    for e in &t.queue {
        let label = e.pr.rsplit('/').next().unwrap_or(&e.pr).to_string();
        let mut item = Item::new(format!(
            "{}. {} “{}” by {} — waiting {} h, {} lines",
            e.rank,
            label,
            e.title.trim(),
            e.author,
            e.waiting_hours,
            e.size_lines
        ))
        .link(Link::new(label, e.url.clone()));
        item = item.detail(Item::new(format!("Why: {}", e.why)));
        if !e.requested.is_empty() {
            item = item.detail(Item::new(format!("Requested: {}", e.requested.join(", "))));
        }
        if e.suggested_reviewers.is_empty() {
            item = item.detail(Item::new("Suggested: nobody free beyond those requested"));
        } else {
            let mut s = Item::new(format!(
                "Suggested: {}",
                e.suggested_reviewers
                    .iter()
                    .map(|r| format!("{} ({})", r.name, r.why))
                    .collect::<Vec<_>>()
                    .join("; ")
            ));
            for r in &e.suggested_reviewers {
                *counts.entry(r.person).or_default() += 1;
                s = s.link(links::person(input, r.person));
            }
            item = item.detail(s);
        }
        item = item.detail(Item::new(format!("Nudge draft: {}", e.nudge)));
        queue.items.push(item);
    }
    let mut spread = Section::new("Suggested reviews per person", "No reviews to suggest.");
    spread.lead =
        Some("How this queue spreads the work (suggestions made here, not a ranking).".into());
    let mut rows: Vec<(String, i64, usize)> = counts
        .into_iter()
        .map(|(p, n)| (input.name(Some(p)), p, n))
        .collect();
    rows.sort();
    for (name, p, n) in rows {
        spread.items.push(
            Item::new(format!(
                "{name}: {}",
                fmt::plural(n, "suggestion", "suggestions")
            ))
            .link(links::person(input, p)),
        );
    }
    let offset = team.map_or(0, |t| input.extra.team_offset_minutes(Some(t)));
    Note {
        kind: NoteKind::Triage,
        title: match team {
            Some(t) => format!(
                "PR triage — {}",
                input
                    .extra
                    .team(t)
                    .map_or(t.to_string(), |x| x.name.clone())
            ),
            None => "PR triage".to_string(),
        },
        subtitle: format!(
            "Written {}. Nudges are drafts: nothing is sent without your approval.",
            fmt::when(as_of, offset)
        ),
        sections: vec![queue, spread],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticket_keys_and_owner_patterns() {
        assert_eq!(
            ticket_keys("TIDE-540: land the retry budget (see TIDE-12, tide-3, X-, ABC-12a)"),
            vec!["TIDE-540", "TIDE-12"]
        );
        assert!(owns("*", "src/a.rs"));
        assert!(owns("/src/refunds/", "src/refunds/api.kt"));
        assert!(!owns("/src/refunds/", "lib/src/refunds/api.kt"));
        assert!(owns("docs/", "a/docs/x.md"));
        assert!(owns("*.md", "a/docs/x.md"));
        assert!(!owns("/deploy/", "src/deploy.rs"));
    }

    #[test]
    fn the_queue_is_ranked_and_the_owner_is_not_suggested_everywhere() {
        use crate::testkit::{DAY, HOUR, MON, Org, review};
        let mut org = Org::new();
        let now = MON + 2 * DAY + 10 * HOUR;
        // Recent history: everyone has merged and reviewed in the repository.
        for a in 1..=4 {
            let r = if a == 4 { 1 } else { a + 1 };
            org.pr(a, MON - 10 * DAY, Some(MON - 9 * DAY))
                .reviews
                .push(review(r, "APPROVED", MON - 9 * DAY - HOUR));
        }
        // Six waiting for review, opened an hour apart; one already approved; one a draft.
        for i in 0..6 {
            org.pr(2 + i % 3, MON + i * HOUR, None);
        }
        org.pr(3, MON, None)
            .reviews
            .push(review(1, "APPROVED", MON + HOUR));
        org.pr(4, MON - DAY, None).draft = true;
        let t = triage(&org.input(), now, &TriageOptions::default());
        assert_eq!(
            t.queue.len(),
            6,
            "approved and draft PRs are not waiting for a reviewer"
        );
        assert!(t.queue.windows(2).all(|w| w[0].score >= w[1].score));
        assert_eq!(t.queue[0].pr, "acme/api#5", "the oldest first");
        let mut count = std::collections::BTreeMap::new();
        for e in &t.queue {
            assert_eq!(e.suggested_reviewers.len(), 2);
            for r in &e.suggested_reviewers {
                assert_ne!(r.name, e.author);
                assert_ne!(r.name, "Eve", "no history, no ownership: not suggested");
                *count.entry(r.name.clone()).or_insert(0) += 1;
            }
        }
        assert!(
            count["Ana"] < t.queue.len(),
            "the owner is not piled on: {count:?}"
        );
        assert!(count.values().all(|n| *n <= 4), "{count:?}");
        assert!(
            t.queue[0].suggested_reviewers[0]
                .why
                .contains("code owner (ana)")
        );
    }
}
