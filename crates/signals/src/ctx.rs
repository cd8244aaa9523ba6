//! What the detectors share: the evaluation's context, built once per evaluation, and the
//! [`Lookups`] a cache keeps between evaluations.

use crate::input::{Input, PersonExtra, TeamExtra};
use crate::model::{Evidence, Subject};
use crate::time::DAY;
use crate::{Scope, Settings};
use bosun_core::time::Ts;
use bosun_metrics::data::{Deployment, PullRequest, Repo, Ticket, repo_range};
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

pub struct Ctx<'a> {
    pub input: Input<'a>,
    pub settings: &'a Settings,
    pub as_of: Ts,
    pub scope: &'a Scope,
    pub repos: HashMap<i64, &'a Repo>,
    /// Full and short repository names → id.
    pub repo_by_name: HashMap<&'a str, i64>,
    pub person_by_login: HashMap<&'a str, i64>,
    teams: HashMap<&'a str, &'a TeamExtra>,
    /// The repositories of the scope's teams (`None`: every repository).
    scope_repos: Option<HashSet<i64>>,
    /// The pull requests of the scope's repositories, in dataset order.
    pub prs: Vec<&'a PullRequest>,
    /// The deployments of the scope's repositories, in dataset order.
    pub deployments: Vec<&'a Deployment>,
    /// The tickets of the scope's teams, in dataset order.
    pub tickets: Vec<&'a Ticket>,
    lookups: Cow<'a, Lookups>,
}

/// What evaluations at one `as_of` can share while the data stays the same, from one pass over
/// every pull request and ticket: which pull requests name each ticket key (title, branch or
/// description) and when they were last active (the regular-expression scan that linking tickets
/// to their activity needs), each person's pending review requests and the reviews they gave in
/// the review-load window, and each team's tickets. A cache builds them once and updates the
/// repositories and tickets a sync wrote.
#[derive(Debug, Clone, Default)]
pub struct Lookups {
    as_of: Ts,
    /// Start of the review-load window.
    review_since: Ts,
    /// Whether the pull requests are ordered by repository (as the app loads them and its cache
    /// keeps them): a repository's are then found by binary search instead of a scan.
    by_repo: bool,
    /// The same for the deployments.
    deployments_by_repo: bool,
    /// Ticket key → the pull requests naming it, active in the 90 days before `as_of`.
    mentions: HashMap<String, Vec<Mention>>,
    /// Per repository, to take its part back out when it changes.
    parts: HashMap<i64, RepoPart>,
    /// Person → review requests pending on open pull requests.
    pending: HashMap<i64, usize>,
    /// Person → pull requests they reviewed in the window (human reviews of other people's PRs,
    /// by human authors, not finished before the window).
    reviewed: HashMap<i64, usize>,
    tickets: TicketIndex,
}

/// The tickets by key and by team.
#[derive(Debug, Clone, Default)]
struct TicketIndex {
    /// Whether the tickets are ordered by id (as the app loads them and its cache keeps them):
    /// a ticket is then found by binary search.
    by_id: bool,
    /// Ticket key → the lowest id of a ticket with that key (an entry may be stale after an
    /// update: [`Ctx::ticket`] checks the key).
    by_key: HashMap<String, i64>,
    /// Team → its tickets' ids, ascending.
    by_team: HashMap<Option<String>, Vec<i64>>,
}

impl TicketIndex {
    fn new(input: Input<'_>) -> TicketIndex {
        let tickets = &input.data.tickets;
        let mut index = TicketIndex {
            by_id: tickets.is_sorted_by_key(|t| t.id),
            ..Default::default()
        };
        for t in tickets {
            index.add(t);
        }
        index
    }

    fn add(&mut self, t: &Ticket) {
        match self.by_key.get_mut(&t.key) {
            // The lowest id, whatever the order of updates.
            Some(first) => *first = (*first).min(t.id),
            None => {
                self.by_key.insert(t.key.clone(), t.id);
            }
        }
        match self.by_team.get_mut(&t.team) {
            Some(ids) => {
                // In id order, tickets come last: a push, or an insert for an update.
                if ids.last().is_none_or(|last| *last < t.id) {
                    ids.push(t.id);
                } else if let Err(i) = ids.binary_search(&t.id) {
                    ids.insert(i, t.id);
                }
            }
            None => {
                self.by_team.insert(t.team.clone(), vec![t.id]);
            }
        }
    }
}

#[derive(Debug, Clone, Default)]
struct RepoPart {
    keys: HashSet<String>,
    pending: HashMap<i64, usize>,
    reviewed: HashMap<i64, usize>,
}

#[derive(Debug, Clone)]
pub struct Mention {
    /// The pull request's latest activity (at most `as_of`).
    pub last: Ts,
    /// The pull request as (repository, number): the dataset's order, which breaks ties.
    pub pr: (i64, i64),
}

/// How far back a pull request's activity counts for the tickets it names.
pub const ACTIVITY_HORIZON_DAYS: i64 = 90;

impl Lookups {
    /// Over every pull request.
    pub fn new(input: Input<'_>, settings: &Settings, as_of: Ts) -> Lookups {
        let prs = &input.data.pull_requests;
        // The moment and the window, no records yet: what each scan starts from.
        let base = Lookups {
            as_of,
            review_since: review_since(settings, as_of),
            ..Default::default()
        };
        // The ticket index and the last third of the pull requests on one core, the rest on the
        // other (about even at the scale-100 demo).
        let parent = tracing::Span::current();
        let (first, second) = prs.split_at(prs.len() * 2 / 3);
        let (mine, (tickets, rest)) = std::thread::scope(|s| {
            let other = s.spawn(|| {
                let tickets = tracing::debug_span!(parent: &parent, "lookups.tickets")
                    .in_scope(|| TicketIndex::new(input));
                let rest = tracing::debug_span!(parent: &parent, "lookups.prs")
                    .in_scope(|| base.scan(input, second));
                (tickets, rest)
            });
            let mine = tracing::debug_span!("lookups.prs").in_scope(|| base.scan(input, first));
            let other = other
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (mine, other)
        });
        let mut l = Lookups {
            by_repo: prs.is_sorted_by_key(|p| p.repo),
            deployments_by_repo: input.data.deployments.is_sorted_by_key(|d| d.repo),
            tickets,
            ..mine
        };
        l.absorb(rest);
        l
    }

    /// Every ticket again (after their teams changed with a sprint's).
    pub fn index_tickets(&mut self, input: Input<'_>) {
        self.tickets = TicketIndex::new(input);
    }

    /// Again for these tickets (their key or team may have changed, or they may be new or
    /// gone). The tickets must keep the order they had.
    pub fn update_tickets(&mut self, input: Input<'_>, ids: &[i64]) {
        let index = &mut self.tickets;
        for id in ids {
            // Its team may have changed: out of every team (a few hundred binary searches).
            for team in index.by_team.values_mut() {
                if let Ok(i) = team.binary_search(id) {
                    team.remove(i);
                }
            }
            if let Some(t) = find_ticket(&input.data.tickets, index.by_id, *id) {
                index.add(t);
            }
        }
    }

    /// Again for the pull requests of these repositories (their text, branch, activity, reviews
    /// or review requests may have changed). The data must keep the order it had (a repository's
    /// pull requests replaced in place, as the metrics cache does). Returns the people whose pending review requests or
    /// reviews given changed: their teams' review load reads them.
    pub fn update_repos(&mut self, input: Input<'_>, repos: &HashSet<i64>) -> HashSet<i64> {
        // Person → change in (pending, reviewed).
        let mut delta: HashMap<i64, (i64, i64)> = HashMap::new();
        for r in repos {
            let Some(part) = self.parts.remove(r) else {
                continue;
            };
            for k in part.keys {
                if let Some(v) = self.mentions.get_mut(&k) {
                    v.retain(|m| m.pr.0 != *r);
                }
            }
            for (p, n) in part.pending {
                delta.entry(p).or_default().0 -= n as i64;
                sub(&mut self.pending, p, n);
            }
            for (p, n) in part.reviewed {
                delta.entry(p).or_default().1 -= n as i64;
                sub(&mut self.reviewed, p, n);
            }
        }
        let mut ids: Vec<i64> = repos.iter().copied().collect();
        ids.sort_unstable();
        let all = &input.data.pull_requests;
        if self.by_repo {
            debug_assert!(all.is_sorted_by_key(|p| p.repo), "the order is kept");
            let prs: Vec<&PullRequest> = ids.iter().flat_map(|r| repo_prs(all, *r)).collect();
            self.add(input, prs.into_iter());
        } else {
            self.by_repo = false;
            self.add(input, all.iter().filter(|p| repos.contains(&p.repo)));
        }
        for part in ids.iter().filter_map(|r| self.parts.get(r)) {
            for (p, n) in &part.pending {
                delta.entry(*p).or_default().0 += *n as i64;
            }
            for (p, n) in &part.reviewed {
                delta.entry(*p).or_default().1 += *n as i64;
            }
        }
        delta
            .into_iter()
            .filter(|(_, d)| *d != (0, 0))
            .map(|(p, _)| p)
            .collect()
    }

    /// These pull requests' part alone (to be merged with [`Lookups::absorb`]).
    fn scan(&self, input: Input<'_>, prs: &[PullRequest]) -> Lookups {
        let mut l = Lookups {
            as_of: self.as_of,
            review_since: self.review_since,
            ..Default::default()
        };
        l.add(input, prs.iter());
        l
    }

    /// Add the pull-request part another scan found.
    fn absorb(&mut self, other: Lookups) {
        for (k, v) in other.mentions {
            self.mentions.entry(k).or_default().extend(v);
        }
        for (r, p) in other.parts {
            let mine = self.parts.entry(r).or_default();
            mine.keys.extend(p.keys);
            for (who, n) in p.pending {
                *mine.pending.entry(who).or_default() += n;
            }
            for (who, n) in p.reviewed {
                *mine.reviewed.entry(who).or_default() += n;
            }
        }
        for (who, n) in other.pending {
            *self.pending.entry(who).or_default() += n;
        }
        for (who, n) in other.reviewed {
            *self.reviewed.entry(who).or_default() += n;
        }
    }

    fn add<'a>(&mut self, input: Input<'a>, prs: impl Iterator<Item = &'a PullRequest>) {
        for pr in prs {
            let part = self.parts.entry(pr.repo).or_default();
            if is_open(pr) {
                for r in &pr.requested {
                    *part.pending.entry(*r).or_default() += 1;
                    *self.pending.entry(*r).or_default() += 1;
                }
            }
            for r in reviewers_in_window(pr, self.review_since, self.as_of) {
                *part.reviewed.entry(r).or_default() += 1;
                *self.reviewed.entry(r).or_default() += 1;
            }
            let Some(last) = last_activity(input, pr, self.as_of) else {
                continue;
            };
            for k in named_keys(input, pr) {
                part.keys.insert(k.clone());
                self.mentions.entry(k).or_default().push(Mention {
                    last,
                    pr: (pr.repo, pr.number),
                });
            }
        }
    }

    /// Whether they hold for this moment and settings.
    fn fits(&self, settings: &Settings, as_of: Ts) -> bool {
        self.as_of == as_of && self.review_since == review_since(settings, as_of)
    }

    /// The latest activity on a pull request naming `key` (the first in dataset order among
    /// equals).
    pub fn latest(&self, key: &str) -> Option<&Mention> {
        self.mentions.get(key).and_then(|v| {
            v.iter()
                .max_by(|a, b| a.last.cmp(&b.last).then(b.pr.cmp(&a.pr)))
        })
    }
}

fn sub(m: &mut HashMap<i64, usize>, k: i64, n: usize) {
    if let Some(v) = m.get_mut(&k) {
        *v = v.saturating_sub(n);
        if *v == 0 {
            m.remove(&k);
        }
    }
}

/// Start of the review-load window.
pub fn review_since(settings: &Settings, as_of: Ts) -> Ts {
    as_of - (settings.review_window_days * DAY as f64) as i64
}

/// The people who reviewed `pr` in the window `[since, as_of]`, once each: humans reviewing
/// someone else's pull request by a human author that was not finished before the window.
pub fn reviewers_in_window(pr: &PullRequest, since: Ts, as_of: Ts) -> Vec<i64> {
    let mut seen: Vec<i64> = Vec::new();
    if pr.author_is_bot
        || pr.merged_at.is_some_and(|m| m < since)
        || pr.closed_at.is_some_and(|c| c < since)
    {
        return seen;
    }
    for r in &pr.reviews {
        let Some(p) = r.reviewer else { continue };
        if r.reviewer_is_bot || Some(p) == pr.author || r.at < since || r.at > as_of {
            continue;
        }
        if !seen.contains(&p) {
            seen.push(p);
        }
    }
    seen
}

fn find_ticket(tickets: &[Ticket], by_id: bool, id: i64) -> Option<&Ticket> {
    if by_id {
        tickets
            .binary_search_by_key(&id, |t| t.id)
            .ok()
            .map(|i| &tickets[i])
    } else {
        tickets.iter().find(|t| t.id == id)
    }
}

/// The run of `repo`'s items in `all`, ordered by repository.
fn repo_run<T>(all: &[T], repo: i64, of: impl Fn(&T) -> i64) -> &[T] {
    &all[repo_range(all, repo, of)]
}

fn repo_prs(prs: &[PullRequest], repo: i64) -> &[PullRequest] {
    repo_run(prs, repo, |p| p.repo)
}

/// A pull request's latest activity (commit, review, comment, event; at least its creation, at
/// most `as_of`), when it counts: created by `as_of` and active in the horizon.
pub fn last_activity(input: Input<'_>, pr: &PullRequest, as_of: Ts) -> Option<Ts> {
    let last = input
        .extra
        .prs
        .get(&pr.id)
        .and_then(|x| x.last_activity)
        .unwrap_or(pr.created_at)
        .max(pr.created_at)
        .min(as_of);
    (last >= as_of - ACTIVITY_HORIZON_DAYS * 86_400 && pr.created_at <= as_of).then_some(last)
}

/// The ticket keys a pull request names: in its title, branch or description (its first 2,000
/// bytes).
pub fn named_keys(input: Input<'_>, pr: &PullRequest) -> Vec<String> {
    let branch = input
        .extra
        .prs
        .get(&pr.id)
        .and_then(|x| x.head_ref.as_deref());
    let body = pr.body.get(..pr.body.len().min(2000)).unwrap_or("");
    // A key never spans two of them: reading them one after the other finds what reading them
    // joined by spaces would.
    let mut keys = Vec::new();
    for text in [pr.title.as_str(), branch.unwrap_or(""), body] {
        crate::text::add_ticket_keys(text, &mut keys);
    }
    keys
}

impl<'a> Ctx<'a> {
    /// With `lookups` kept by a cache when they fit `as_of` and the settings; else built here.
    pub fn new(
        input: Input<'a>,
        lookups: Option<&'a Lookups>,
        settings: &'a Settings,
        as_of: Ts,
        scope: &'a Scope,
    ) -> Ctx<'a> {
        let repos: HashMap<i64, &Repo> = input.data.repos.iter().map(|r| (r.id, r)).collect();
        let mut repo_by_name = HashMap::new();
        for r in &input.data.repos {
            repo_by_name.insert(r.full_name.as_str(), r.id);
            let short = r.full_name.rsplit('/').next().unwrap_or(&r.full_name);
            repo_by_name.entry(short).or_insert(r.id);
        }
        let person_by_login = input
            .extra
            .people
            .iter()
            .filter_map(|(id, p)| p.github_login.as_deref().map(|l| (l, *id)))
            .collect();
        let teams = input
            .extra
            .teams
            .iter()
            .map(|t| (t.key.as_str(), t))
            .collect();
        let lookups = match lookups.filter(|l| l.fits(settings, as_of)) {
            Some(l) => Cow::Borrowed(l),
            None => Cow::Owned(Lookups::new(input, settings, as_of)),
        };
        let (all, deps) = (&input.data.pull_requests, &input.data.deployments);
        let (scope_repos, prs, deployments) = match &scope.teams {
            None => (None, all.iter().collect(), deps.iter().collect()),
            Some(_) => {
                let mut ids: Vec<i64> = input
                    .data
                    .repos
                    .iter()
                    .filter(|r| scope.includes(r.team.as_deref()))
                    .map(|r| r.id)
                    .collect();
                ids.sort_unstable();
                let set: HashSet<i64> = ids.iter().copied().collect();
                let prs: Vec<&PullRequest> = if lookups.by_repo {
                    ids.iter().flat_map(|r| repo_prs(all, *r)).collect()
                } else {
                    all.iter().filter(|p| set.contains(&p.repo)).collect()
                };
                let deployments: Vec<&Deployment> = if lookups.deployments_by_repo {
                    ids.iter()
                        .flat_map(|r| repo_run(deps, *r, |d| d.repo))
                        .collect()
                } else {
                    deps.iter().filter(|d| set.contains(&d.repo)).collect()
                };
                (Some(set), prs, deployments)
            }
        };
        let tickets = match &scope.teams {
            None => input.data.tickets.iter().collect(),
            Some(teams) if lookups.tickets.by_id => {
                let mut ids: Vec<i64> = teams
                    .iter()
                    .filter_map(|t| lookups.tickets.by_team.get(t))
                    .flatten()
                    .copied()
                    .collect();
                ids.sort_unstable();
                ids.iter()
                    .filter_map(|id| find_ticket(&input.data.tickets, true, *id))
                    .collect()
            }
            Some(_) => input
                .data
                .tickets
                .iter()
                .filter(|t| scope.includes(t.team.as_deref()))
                .collect(),
        };
        Ctx {
            input,
            settings,
            as_of,
            scope,
            repos,
            repo_by_name,
            person_by_login,
            teams,
            scope_repos,
            prs,
            deployments,
            tickets,
            lookups,
        }
    }

    pub fn lookups(&self) -> &Lookups {
        &self.lookups
    }

    /// The ticket with this key (any team's).
    pub fn ticket(&self, key: &str) -> Option<&'a Ticket> {
        let tickets = &self.input.data.tickets;
        if self.lookups.tickets.by_id {
            let id = self.lookups.tickets.by_key.get(key)?;
            match find_ticket(tickets, true, *id) {
                Some(t) if t.key == key => Some(t),
                // Its key changed or it is gone: look for another.
                _ => tickets.iter().find(|t| t.key == key),
            }
        } else {
            tickets.iter().find(|t| t.key == key)
        }
    }

    /// The deployments of `repo` (any team's), in dataset order.
    pub fn repo_deployments(&self, repo: i64) -> Vec<&'a Deployment> {
        let deps = &self.input.data.deployments;
        if self.lookups.deployments_by_repo {
            repo_run(deps, repo, |d| d.repo).iter().collect()
        } else {
            deps.iter().filter(|d| d.repo == repo).collect()
        }
    }

    /// Pull request `number` of repository `repo` (any team's).
    pub fn pull_request(&self, repo: i64, number: i64) -> Option<&'a PullRequest> {
        let prs = &self.input.data.pull_requests;
        if self.lookups.by_repo {
            repo_prs(prs, repo).iter().find(|p| p.number == number)
        } else {
            prs.iter().find(|p| p.repo == repo && p.number == number)
        }
    }

    /// Review requests pending now for `person` (on every open PR, not only the scope's).
    pub fn pending(&self, person: i64) -> usize {
        self.lookups.pending.get(&person).copied().unwrap_or(0)
    }

    /// Pull requests `person` reviewed in the review-load window (see [`reviewers_in_window`]).
    pub fn reviewed(&self, person: i64) -> usize {
        self.lookups.reviewed.get(&person).copied().unwrap_or(0)
    }

    pub fn repo_team(&self, repo: i64) -> Option<&'a str> {
        self.repos.get(&repo).and_then(|r| r.team.as_deref())
    }

    pub fn repo_name(&self, repo: i64) -> &'a str {
        self.repos.get(&repo).map_or("?", |r| r.full_name.as_str())
    }

    pub fn repo_in_scope(&self, repo: i64) -> bool {
        self.scope_repos.as_ref().is_none_or(|s| s.contains(&repo))
    }

    pub fn person(&self, id: i64) -> Option<&'a PersonExtra> {
        self.input.extra.people.get(&id)
    }

    pub fn name(&self, id: Option<i64>) -> String {
        self.input.extra.person_name(id)
    }

    pub fn first_name(&self, id: Option<i64>) -> String {
        let n = self.name(id);
        n.split(' ').next().unwrap_or(&n).to_string()
    }

    /// `owner/name#N`.
    pub fn pr_ref(&self, pr: &PullRequest) -> String {
        format!("{}#{}", self.repo_name(pr.repo), pr.number)
    }

    /// `name#N` (short, for sentences).
    pub fn pr_short(&self, pr: &PullRequest) -> String {
        let full = self.repo_name(pr.repo);
        format!("{}#{}", full.rsplit('/').next().unwrap_or(full), pr.number)
    }

    pub fn pr_url(&self, pr: &PullRequest) -> Option<&'a str> {
        self.input
            .extra
            .prs
            .get(&pr.id)
            .and_then(|x| x.html_url.as_deref())
    }

    pub fn pr_subject(&self, pr: &PullRequest) -> Subject {
        Subject {
            kind: "pull_request".into(),
            reference: self.pr_ref(pr),
            title: format!("{} {}", self.pr_short(pr), pr.title),
            url: self.pr_url(pr).map(str::to_string),
        }
    }

    pub fn pr_evidence(&self, pr: &PullRequest) -> Evidence {
        Evidence::new("pull_request", self.pr_ref(pr), pr.title.clone())
            .url(self.pr_url(pr))
            .at(Some(pr.created_at))
    }

    pub fn ticket_url(&self, t: &Ticket) -> Option<&'a str> {
        self.input
            .extra
            .tickets
            .get(&t.id)
            .and_then(|x| x.html_url.as_deref())
    }

    pub fn ticket_subject(&self, t: &Ticket) -> Subject {
        Subject {
            kind: "ticket".into(),
            reference: t.key.clone(),
            title: format!("{} {}", t.key, t.summary),
            url: self.ticket_url(t).map(str::to_string),
        }
    }

    pub fn ticket_evidence(&self, t: &Ticket) -> Evidence {
        Evidence::new(
            "ticket",
            t.key.clone(),
            format!("{} ({})", t.summary, t.status),
        )
        .url(self.ticket_url(t))
    }

    /// The team's time zone (its manager's), for working hours.
    pub fn team_offset(&self, team: Option<&str>) -> i32 {
        team.and_then(|k| self.team(k))
            .and_then(|t| t.manager)
            .and_then(|m| self.input.extra.people.get(&m))
            .and_then(|p| p.utc_offset_minutes)
            .unwrap_or(0)
    }

    pub fn team(&self, key: &str) -> Option<&'a TeamExtra> {
        self.teams.get(key).copied()
    }

    /// The team's first chat channel.
    pub fn team_channel(&self, key: Option<&str>) -> Option<String> {
        key.and_then(|k| self.team(k))
            .and_then(|t| t.channels.first().cloned())
    }
}

pub fn is_open(pr: &PullRequest) -> bool {
    pr.merged_at.is_none() && pr.closed_at.is_none()
}
