//! `bosun onboard`: the people who joined recently; `bosun onboard PERSON`: their 30-day plan
//! (docs, code, people, first tickets, an on-call shadow shift) and their progress.

use crate::print_json;
use bosun_app::App;
use bosun_app::onboard::{MilestoneKind, OnboardPlan};

#[derive(Debug, clap::Args)]
pub struct OnboardArgs {
    /// The new hire (a name, email, key or account); without it, the recent joiners.
    pub person: Option<String>,
    /// Also draft the welcome message for the team's channel and the buddy introduction DM
    /// (sent only once approved: `bosun actions approve ID`).
    #[arg(long, requires = "person")]
    pub draft: bool,
    /// Keep the day PERSON joined their team (YYYY-MM-DD; audited), for when their first
    /// activity is not it.
    #[arg(long, requires = "person", value_name = "DATE")]
    pub joined: Option<chrono::NaiveDate>,
}

pub fn run(app: &App, a: OnboardArgs, json: bool) -> anyhow::Result<()> {
    let Some(who) = a.person else {
        let view = app.joiners()?;
        if json {
            return print_json(&view);
        }
        if view.joiners.is_empty() {
            println!(
                "Nobody joined a team in the last {} days.",
                view.window_days
            );
        }
        for j in &view.joiners {
            println!(
                "{:<24} {:<12} joined {} ({} days ago)",
                j.name, j.team, j.joined, j.days
            );
        }
        return Ok(());
    };
    if let Some(date) = a.joined {
        let view = app.set_join_date(&who, Some(date))?;
        if json {
            return print_json(&view);
        }
        println!("Kept: {who} joined on {date}.");
        return Ok(());
    }
    if a.draft {
        let d = app.draft_onboarding(&who)?;
        if json {
            return print_json(&d);
        }
        let said =
            |id: Option<i64>| id.map_or("drafted before".to_string(), |i| format!("draft #{i}"));
        match &d.channel {
            Some(c) => println!("Welcome message in #{c}: {}", said(d.welcome)),
            None => println!("No welcome message: the team has no Slack channel"),
        }
        match &d.buddy_name {
            Some(b) => println!("Buddy introduction to {b}: {}", said(d.buddy)),
            None => println!("No buddy introduction: nobody in the team to ask"),
        }
        println!("Nothing is sent until approved: `bosun actions approve ID`.");
        return Ok(());
    }
    let plan = app.onboard_plan(&who)?;
    if json {
        return print_json(&plan);
    }
    print!("{}", render(&plan));
    Ok(())
}

fn milestone(k: MilestoneKind) -> &'static str {
    match k {
        MilestoneKind::FirstCommit => "first commit",
        MilestoneKind::FirstPrOpened => "first pull request opened",
        MilestoneKind::FirstPrMerged => "first pull request merged",
        MilestoneKind::FirstReview => "first review given",
        MilestoneKind::FirstOnCall => "first on-call shift",
        MilestoneKind::TenthPrMerged => "tenth pull request merged",
    }
}

fn render(p: &OnboardPlan) -> String {
    let mut s = format!(
        "Onboarding — {} ({}), joined {} ({} days ago)\n",
        p.person.name, p.team, p.person.joined, p.person.days
    );
    s.push_str("\nWeek 1: read\n");
    for d in &p.docs {
        s.push_str(&format!("  {}  — {}\n", d.path, d.reason));
    }
    s.push_str("\nCode to know\n");
    for c in &p.code {
        s.push_str(&format!("  {}  — {}\n", c.repo, c.reason));
    }
    s.push_str("\nPeople to meet\n");
    for m in &p.people {
        s.push_str(&format!("  {}  — {}\n", m.name, m.reason));
    }
    s.push_str("\nFirst tickets\n");
    if p.tickets.is_empty() {
        s.push_str(
            "  none: no small, unblocked, unassigned ticket in the current or next sprint\n",
        );
    }
    for t in &p.tickets {
        s.push_str(&format!("  {} {}  — {}\n", t.key, t.summary, t.reason));
    }
    if let Some(sh) = &p.shadow {
        s.push_str(&format!("\nOn-call shadow\n  {}\n", sh.reason));
    }
    s.push_str("\nProgress (for you only)\n");
    for m in &p.progress.milestones {
        let when = match (&m.at, m.days) {
            (Some(at), Some(d)) => format!("{} (day {d})", &at[..10]),
            _ => "not yet".into(),
        };
        let norm = m
            .team_norm_days
            .map_or(String::new(), |n| format!("; team norm day {n}"));
        s.push_str(&format!("  {:<27} {when}{norm}\n", milestone(m.kind)));
    }
    s.push_str(&format!("  {}\n", p.progress.note));
    s
}
