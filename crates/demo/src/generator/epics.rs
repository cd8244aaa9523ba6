//! Epics: each team's stories grouped, in the order they were created, into epics of five to
//! nine, a quarter of the groups left without an epic (unlinked work). An epic is done when all
//! its stories are, in progress once one has started. Planned last, with their own random stream
//! and keys after every other ticket's, so nothing else in the world changes.

use super::Gen;
use crate::calendar::DAY;
use crate::world::Ticket;
use bosun_core::time::Ts;

/// Epic titles, per team in turn.
const THEMES: &[&str] = &[
    "Self-serve API keys",
    "Session hardening",
    "Canary rollouts everywhere",
    "Quote engine v2",
    "Invoice PDFs in every currency",
    "Card payments retries",
    "Shipment tracking page",
    "Faster search results",
    "Mobile booking flow",
    "Rate limits per customer",
    "Audit trail for admins",
    "Carrier onboarding wizard",
];

impl Gen {
    pub(super) fn plan_epics(&mut self) {
        let teams = self.org.teams.clone();
        let mut theme = 0usize;
        for team in &teams {
            let mut rng = self.rng.fork(&format!("epics/{}", team.key));
            let manager = self.team_people(&team.key, Some(crate::org::Role::Manager))[0];
            let mut stories: Vec<usize> = (0..self.tickets.len())
                .filter(|&i| {
                    self.tickets[i].team == team.key && self.tickets[i].issue_type == "Story"
                })
                .collect();
            stories.sort_by_key(|&i| (self.tickets[i].created_at, i));
            let mut at = 0;
            let mut n = 0;
            while at < stories.len() {
                let size = rng.range(5, 9) as usize;
                let group: Vec<usize> = stories[at..(at + size).min(stories.len())].to_vec();
                at += size;
                n += 1;
                // Every fourth group, and a short tail, stay unlinked.
                if n % 4 == 0 || group.len() < 4 {
                    continue;
                }
                let idx = self.tickets.len();
                let title = THEMES[theme % THEMES.len()];
                theme += 1;
                let created = group
                    .iter()
                    .map(|&i| self.tickets[i].created_at)
                    .min()
                    .unwrap_or(self.as_of)
                    - DAY;
                let started: Option<Ts> = group
                    .iter()
                    .filter_map(|&i| started_at(&self.tickets[i]))
                    .min();
                let all_done = group.iter().all(|&i| self.tickets[i].resolved_at.is_some());
                let finished = all_done
                    .then(|| {
                        group
                            .iter()
                            .filter_map(|&i| self.tickets[i].resolved_at)
                            .max()
                    })
                    .flatten();
                let ticket = self.next_ticket(&team.key, manager, created);
                for &i in &group {
                    self.tickets[i].parent = Some(ticket.key.clone());
                }
                self.tickets.push(Ticket {
                    summary: title.to_string(),
                    description: format!(
                        "{title}: the stories of this epic deliver it for {}.",
                        team.name
                    ),
                    issue_type: "Epic".into(),
                    ..ticket
                });
                if let Some(s) = started {
                    self.set_status(idx, "In Progress", s, manager);
                }
                if let Some(f) = finished {
                    self.set_status(idx, "Done", f, manager);
                }
                let t = &mut self.tickets[idx];
                t.updated_at = t.changelog.iter().map(|c| c.at).max().unwrap_or(created);
            }
        }
    }
}

/// When a ticket first went in progress.
fn started_at(t: &Ticket) -> Option<Ts> {
    t.changelog
        .iter()
        .filter(|c| {
            c.items
                .iter()
                .any(|i| i.field == "status" && i.to_string.as_deref() == Some("In Progress"))
        })
        .map(|c| c.at)
        .min()
}
