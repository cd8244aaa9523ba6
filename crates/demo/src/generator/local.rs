//! History for repositories that exist only as local git clones: commits by the owning team on
//! their working days (some on short branches merged back, some rebased), and annotated release
//! tags every two weeks with the odd hotfix tag in between.

use super::Gen;
use crate::calendar::{DAY, HOUR};
use crate::org::Role;
use crate::text;
use crate::world::{LocalCommit, LocalRepo, LocalTag, Signature};
use bosun_core::time::Ts;

const MIN: i64 = 60;

impl Gen {
    fn local_sig(&self, person: usize, at: Ts) -> Signature {
        let p = &self.org.people[person];
        Signature {
            name: p.name.clone(),
            email: p.email.clone(),
            user: None,
            at,
        }
    }

    pub(super) fn local_repos(&mut self) -> Vec<LocalRepo> {
        let defs = self.org.local_repos.clone();
        let mut out = Vec::new();
        for def in &defs {
            let mut rng = self.rng.fork(&format!("local/{}", def.name));
            let engineers = self.team_people(&def.team, Some(Role::Engineer));
            let manager = self.team_people(&def.team, Some(Role::Manager))[0];
            let team_cal = self.cals[manager].clone();
            let mut commits: Vec<LocalCommit> = Vec::new();
            let mut tags: Vec<LocalTag> = Vec::new();
            let first = self.start - 30 * DAY;
            let sig = self.local_sig(engineers[0], first);
            commits.push(LocalCommit {
                author: sig.clone(),
                committer: sig,
                message: "Initial commit".into(),
                parents: vec![],
                path: "README.md".into(),
                line: format!("# {}", def.name),
                ops: Vec::new(),
            });
            let mut head = 0usize;
            let mut minor = 30;
            let mut last_release_day = i64::MIN / 2;
            let per_day = def.commits_per_week / 5.0;
            let weights: Vec<f64> = engineers
                .iter()
                .map(|&e| self.org.people[e].activity)
                .collect();
            for day in team_cal.local_day(self.start)..=team_cal.local_day(self.as_of) {
                if !team_cal.working_days[crate::calendar::weekday(day)] {
                    continue;
                }
                // The day's commits, some as a short branch merged back.
                let n = (per_day * (0.5 + rng.f64())).round() as i64;
                let mut made = 0;
                while made < n {
                    let author = engineers[rng.weighted(&weights)];
                    let cal = self.cals[author].clone();
                    // Never before the main line's last commit: history reads in the order it
                    // was written (a release cut at time T contains nothing authored after T).
                    let at = (cal.day_start(cal.local_day(team_cal.day_start(day)))
                        + rng.range(20 * MIN, 8 * HOUR))
                    .max(commits[head].author.at + 5 * MIN);
                    if at > self.as_of || !cal.is_working(at) {
                        made += 1;
                        continue;
                    }
                    let branch = rng.chance(0.25);
                    let steps = if branch { rng.range(2, 3) } else { 1 };
                    let mut tip = head;
                    for s in 0..steps {
                        let t = at + s * rng.range(20 * MIN, 90 * MIN);
                        let title = text::pr_title(&mut rng, &def.name);
                        let mut committer = self.local_sig(author, t);
                        if rng.chance(0.15) {
                            committer.at = t + rng.range(HOUR, 20 * HOUR); // rebased before pushing
                        }
                        commits.push(LocalCommit {
                            author: self.local_sig(author, t),
                            committer: Signature {
                                at: committer.at.min(self.as_of),
                                ..committer
                            },
                            message: title.clone(),
                            parents: vec![tip],
                            path: text::file_path(&mut rng, &def.name),
                            line: format!("// {title} ({})", commits.len()),
                            ops: Vec::new(),
                        });
                        tip = commits.len() - 1;
                    }
                    if branch {
                        let t = (at + (steps + 1) * HOUR).min(self.as_of);
                        let merger = self.local_sig(engineers[rng.weighted(&weights)], t);
                        commits.push(LocalCommit {
                            author: merger.clone(),
                            committer: merger,
                            message: format!("Merge branch 'feature/{}'", commits.len()),
                            parents: vec![head, tip],
                            path: "CHANGELOG.md".into(),
                            line: format!("- merged feature {}", commits.len()),
                            ops: Vec::new(),
                        });
                        tip = commits.len() - 1;
                    }
                    head = tip;
                    made += steps;
                }
                // A release every other Tuesday, and sometimes a hotfix two days later.
                let tuesday = crate::calendar::weekday(day) == 1;
                if tuesday && day - last_release_day >= 13 {
                    last_release_day = day;
                    minor += 1;
                    let at = team_cal.day_start(day) + 5 * HOUR;
                    if at <= self.as_of {
                        // The release is cut from what was on the main line at that moment.
                        let mut cut = head;
                        while commits[cut].committer.at > at && !commits[cut].parents.is_empty() {
                            cut = commits[cut].parents[0];
                        }
                        tags.push(LocalTag {
                            name: format!("mobile-v2.{minor}.0"),
                            commit: cut,
                            tagger: self.local_sig(manager, at),
                            message: format!(
                                "Release 2.{minor}.0 to the App Store and Google Play"
                            ),
                        });
                        let fix_at = at + 2 * DAY + rng.range(HOUR, 3 * HOUR);
                        if rng.chance(0.35) && fix_at <= self.as_of {
                            let author = engineers[rng.weighted(&weights)];
                            commits.push(LocalCommit {
                                author: self.local_sig(author, fix_at - HOUR),
                                committer: self.local_sig(author, fix_at - HOUR),
                                message: format!("Fix crash on launch in 2.{minor}.0"),
                                parents: vec![head],
                                path: "shared/src/app/Startup.kt".into(),
                                line: format!("// hotfix {minor}"),
                                ops: Vec::new(),
                            });
                            head = commits.len() - 1;
                            tags.push(LocalTag {
                                name: format!("mobile-v2.{minor}.1"),
                                commit: head,
                                tagger: self.local_sig(manager, fix_at),
                                message: format!("Hotfix 2.{minor}.1"),
                            });
                        }
                    }
                }
            }
            // Some work is still on the main line after the last tag; keep the history ordered
            // as it was written.
            if def.tooling {
                crate::drift::plant(&mut commits);
            }
            out.push(LocalRepo {
                name: def.name.clone(),
                team: def.team.clone(),
                description: def.description.clone(),
                release_tags: def.release_tags.clone(),
                commits,
                tags,
            });
        }
        out
    }
}
