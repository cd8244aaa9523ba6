//! [`SignalCache`]: the dataset, the extra records and the last evaluation kept in memory, and
//! their refresh after a sync.

use super::evaluate_with;
use super::load::{Part, load_extra, load_extra_part, load_roster, load_stale_docs};
use crate::Result;
use crate::metrics::{MetricsCache, Refreshed, union};
use bosun_core::time::Ts;
use bosun_metrics::data::{Dataset, repo_range};
use bosun_metrics::dora::DoraOptions;
use bosun_policy::Bundle;
use bosun_signals::input::Extra;
use bosun_signals::{Input, Lookups, Scope, Settings, Signal};
use bosun_store::Connection;
use bosun_store::{metric_changes, signal_changes, signal_inputs};
use serde::Serialize;
use std::collections::{BTreeSet, HashSet};

/// The dataset, the extra records and the last evaluation, kept in memory between syncs.
pub struct SignalCache {
    metrics: MetricsCache,
    /// What refreshes of the metrics alone ([`SignalCache::refresh_metrics`]) saw since the last
    /// [`SignalCache::refresh`]: it must know (the metrics change log is drained once).
    metrics_seen: Refreshed,
    pub extra: Extra,
    pub signals: Vec<Signal>,
    lookups: Lookups,
    settings: Settings,
    as_of: Ts,
    /// [`metric_changes::identity_version`] when the people and teams were read.
    identity_version: i64,
}

/// What a refresh re-evaluated.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Reevaluated {
    /// Every team (the dataset was reloaded whole).
    pub full: bool,
    /// The teams re-evaluated (`None` = records without a team).
    pub teams: Vec<Option<String>>,
    pub signals: usize,
}

impl SignalCache {
    pub fn load(
        conn: &Connection,
        config: &crate::Config,
        bundle: &Bundle,
        as_of: Ts,
    ) -> Result<SignalCache> {
        signal_changes::drain(conn)?;
        let identity_version = metric_changes::identity_version(conn)?;
        let metrics = MetricsCache::load(conn, DoraOptions::default())?;
        let settings = config.signals.clone();
        let mut extra = load_extra(conn, config, &settings, as_of)?;
        extra.stale_docs = load_stale_docs(conn);
        let input = Input {
            data: &metrics.data,
            extra: &extra,
        };
        let lookups = Lookups::new(input, &settings, as_of);
        let signals = evaluate_with(
            input,
            Some(&lookups),
            &settings,
            bundle,
            as_of,
            &Scope::all(),
        )?;
        Ok(SignalCache {
            metrics,
            metrics_seen: Refreshed::default(),
            extra,
            signals,
            lookups,
            settings,
            as_of,
            identity_version,
        })
    }

    pub fn data(&self) -> &Dataset {
        &self.metrics.data
    }

    /// The dataset and the DORA analysis the signals read (the app's pages read them too).
    pub fn metrics(&self) -> &MetricsCache {
        &self.metrics
    }

    /// The moment of the last evaluation.
    pub fn as_of(&self) -> Ts {
        self.as_of
    }

    /// Bring the dataset up to date without evaluating (a page wants fresh numbers before the
    /// signals are re-evaluated). The next [`SignalCache::refresh`] still learns what changed.
    pub fn refresh_metrics(&mut self, conn: &Connection) -> Result<()> {
        let r = self.metrics.refresh(conn)?;
        self.metrics_seen.merge(&r);
        Ok(())
    }

    /// The teams whose records changed, from the signal change log, and the teams of `people`
    /// (whose pending review requests or reviews given changed, on any team's pull requests).
    fn touched(
        &self,
        conn: &Connection,
        c: &signal_changes::Changes,
        people: &HashSet<i64>,
    ) -> Result<BTreeSet<Option<String>>> {
        let d = &self.metrics.data;
        let mut teams = BTreeSet::new();
        for p in people {
            if let Some(p) = self.extra.people.get(p) {
                teams.insert(p.team.clone());
            }
        }
        let repos: HashSet<i64> = c.repos.iter().copied().collect();
        for r in d.repos.iter().filter(|r| repos.contains(&r.id)) {
            teams.insert(r.team.clone());
        }
        // The dataset's tickets are ordered by id.
        let ticket = |id: &i64| {
            d.tickets
                .binary_search_by_key(id, |t| t.id)
                .ok()
                .map(|i| &d.tickets[i])
        };
        let mut keys: HashSet<&str> = HashSet::new();
        for t in c.tickets.iter().filter_map(ticket) {
            teams.insert(t.team.clone());
            keys.insert(t.key.as_str());
        }
        // A changed ticket may block another team's tickets: their signals say whether it is
        // done.
        if !keys.is_empty() {
            for t in d
                .tickets
                .iter()
                .filter(|t| t.blocked_by.iter().any(|k| keys.contains(k.as_str())))
            {
                teams.insert(t.team.clone());
            }
        }
        let sprints: HashSet<i64> = c.sprints.iter().copied().collect();
        for s in d.sprints.iter().filter(|s| sprints.contains(&s.id)) {
            teams.insert(s.team.clone());
        }
        if !c.incidents.is_empty() {
            // Follow-up tickets naming a changed incident (their signal quotes it).
            let changed: HashSet<i64> = c.incidents.iter().copied().collect();
            let ids: HashSet<String> = d
                .incidents
                .iter()
                .filter(|i| changed.contains(&i.id))
                .map(|i| i.external_id.to_lowercase())
                .collect();
            let labels = &self.settings.followup_labels;
            for (id, x) in &self.extra.tickets {
                if !x
                    .labels
                    .iter()
                    .any(|l| labels.iter().any(|f| f.eq_ignore_ascii_case(l)))
                {
                    continue;
                }
                if let Some(t) = ticket(id)
                    && bosun_signals::incident_candidates(t, x).any(|w| ids.contains(&w))
                {
                    teams.insert(t.team.clone());
                }
            }
            // An incident may fail a deployment: its service's team.
            teams.extend(signal_inputs::incident_teams(conn, &c.incidents)?);
        }
        Ok(teams)
    }

    /// Re-read the extra records of the repositories (with their pull requests, checks,
    /// deployments and code owners) and tickets that changed, the incidents when one changed and
    /// the chat window when a channel did. People and teams stay (see [`SignalCache::refresh`]).
    fn merge_extra(
        &mut self,
        conn: &Connection,
        config: &crate::Config,
        as_of: Ts,
        c: &signal_changes::Changes,
    ) -> Result<()> {
        let part = Part {
            repos: Some(c.repos.clone()),
            tickets: Some(c.tickets.clone()),
            incidents: (!c.incidents.is_empty()).then(|| Some(c.incidents.clone())),
            chat: !c.channels.is_empty(),
            roster: false,
        };
        let fresh = load_extra_part(conn, config, &self.settings, as_of, &part)?;
        let d = &self.metrics.data;
        let x = &mut self.extra;
        // The dataset's pull requests and deployments are ordered by repository.
        for r in &c.repos {
            for pr in &d.pull_requests[repo_range(&d.pull_requests, *r, |p| p.repo)] {
                x.prs.remove(&pr.id);
            }
            for dep in &d.deployments[repo_range(&d.deployments, *r, |d| d.repo)] {
                x.deployments.remove(&dep.id);
            }
            x.checks.remove(r);
            x.repos.remove(r);
        }
        x.prs.extend(fresh.prs);
        x.checks.extend(fresh.checks);
        x.repos.extend(fresh.repos);
        x.deployments.extend(fresh.deployments);
        for t in &c.tickets {
            x.tickets.remove(t);
        }
        x.tickets.extend(fresh.tickets);
        for i in &c.incidents {
            x.incidents.remove(i);
        }
        x.incidents.extend(fresh.incidents);
        if part.chat {
            x.messages = fresh.messages;
        }
        Ok(())
    }

    /// Re-read what changed since the last refresh and re-evaluate the teams it touched (and the
    /// global detectors). People and teams are re-read when the identity version moved (see
    /// [`metric_changes::identity_version`]) and, when they differ from the cached ones,
    /// everything is evaluated again, as when the metrics cache reloads its identity or `as_of`
    /// moves.
    pub fn refresh(
        &mut self,
        conn: &Connection,
        config: &crate::Config,
        bundle: &Bundle,
        as_of: Ts,
    ) -> Result<Reevaluated> {
        let _span = tracing::debug_span!("signals.refresh").entered();
        let mut changes = signal_changes::drain(conn)?;
        let mut refreshed =
            tracing::debug_span!("metrics.refresh").in_scope(|| self.metrics.refresh(conn))?;
        refreshed.merge(&std::mem::take(&mut self.metrics_seen));
        // What the metrics log saw and this one did not (a review, a link, a status period
        // written without its pull request or ticket): re-read and re-evaluated too.
        union(&mut changes.repos, &refreshed.repo_ids);
        union(&mut changes.tickets, &refreshed.ticket_ids);
        union(&mut changes.sprints, &refreshed.sprint_ids);
        let moved = as_of != self.as_of;
        self.as_of = as_of;
        let version = metric_changes::identity_version(conn)?;
        let roster = version != self.identity_version && {
            let (people, teams) = load_roster(conn, config)?;
            people != self.extra.people || teams != self.extra.teams
        };
        self.identity_version = version;
        if changes.is_empty() && !refreshed.full && !moved && !roster {
            return Ok(Reevaluated::default());
        }
        if !changes.unknown.is_empty() {
            tracing::warn!(kinds = ?changes.unknown, "signals: the change log names kinds this version does not know; evaluating everything");
        }
        let full = refreshed.full || moved || roster || !changes.unknown.is_empty();
        if full {
            self.extra = load_extra(conn, config, &self.settings, as_of)?;
        } else {
            tracing::debug_span!("merge_extra")
                .in_scope(|| self.merge_extra(conn, config, as_of, &changes))?;
        }
        // Docs against the repositories' history, whatever changed: a git sync moves a HEAD
        // without touching any team's records, and the detector is global.
        self.extra.stale_docs = load_stale_docs(conn);
        let input = Input {
            data: &self.metrics.data,
            extra: &self.extra,
        };
        if full {
            self.lookups = Lookups::new(input, &self.settings, as_of);
            self.signals = evaluate_with(
                input,
                Some(&self.lookups),
                &self.settings,
                bundle,
                as_of,
                &Scope::all(),
            )?;
            return Ok(Reevaluated {
                full: true,
                teams: Vec::new(),
                signals: self.signals.len(),
            });
        }
        let reviewers = tracing::debug_span!("lookups").in_scope(|| {
            if !changes.sprints.is_empty() {
                // Their tickets' teams follow the sprints': all were re-read.
                self.lookups.index_tickets(input);
            } else {
                self.lookups.update_tickets(input, &changes.tickets);
            }
            self.lookups
                .update_repos(input, &changes.repos.iter().copied().collect())
        });
        let teams = tracing::debug_span!("touched")
            .in_scope(|| self.touched(conn, &changes, &reviewers))?;
        let scope = Scope::teams(teams.iter().cloned());
        let fresh = evaluate_with(
            input,
            Some(&self.lookups),
            &self.settings,
            bundle,
            as_of,
            &scope,
        )?;
        self.signals
            .retain(|s| !(bosun_signals::is_global(s.kind) || scope.includes(s.team.as_deref())));
        self.signals.extend(fresh);
        bosun_signals::sort(&mut self.signals);
        Ok(Reevaluated {
            full: false,
            teams: teams.into_iter().collect(),
            signals: self.signals.len(),
        })
    }
}
