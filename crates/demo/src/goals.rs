//! The demo organisation's goals for the quarter it is in: per team, its roadmap (the epics it has
//! open or began this quarter) with a work key result, a points one and a lead-time target; and
//! one organisation-wide goal to close the postmortem follow-ups (by their label). The roadmap of
//! the team with the most epic work left is due two and a half weeks after the demo's day — a release its pace will not
//! make — so the register has a goal to worry about. Written as a `goals.toml` import file.

use crate::calendar::DAY;
use crate::world::World;
use chrono::{DateTime, Datelike, NaiveDate};

/// The quarter `t` is in and its last day.
fn quarter(t: i64) -> (String, NaiveDate) {
    let d = DateTime::from_timestamp(t, 0)
        .unwrap_or_default()
        .date_naive();
    let q = (d.month() - 1) / 3 + 1;
    let last = if q == 4 {
        NaiveDate::from_ymd_opt(d.year(), 12, 31)
    } else {
        NaiveDate::from_ymd_opt(d.year(), 3 * q + 1, 1).and_then(|n| n.pred_opt())
    };
    (format!("{}-Q{q}", d.year()), last.unwrap_or(d))
}

fn q(s: &str) -> String {
    format!("{s:?}")
}

/// Days after `as_of` the first team's roadmap is due.
pub const RELEASE_AFTER_DAYS: i64 = 18;

/// The demo's goals, as the text of a `goals.toml`.
pub fn goals_toml(world: &World) -> String {
    let (quarter, last) = quarter(world.as_of);
    let start = {
        let (y, n): (i32, u32) = (
            quarter[..4].parse().unwrap_or(2026),
            quarter[6..].parse().unwrap_or(1),
        );
        NaiveDate::from_ymd_opt(y, 3 * (n - 1) + 1, 1)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map_or(world.as_of, |t| t.and_utc().timestamp())
    };
    let open_children = |team: &str| {
        world
            .tickets
            .iter()
            .filter(|c| c.team == team && c.resolved_at.is_none())
            .filter(|c| {
                c.parent.as_ref().is_some_and(|p| {
                    world
                        .tickets
                        .iter()
                        .any(|e| &e.key == p && e.issue_type == "Epic")
                })
            })
            .count()
    };
    // The team with the most roadmap work left releases first.
    let releasing = world
        .org
        .teams
        .iter()
        .max_by_key(|t| (open_children(&t.key), std::cmp::Reverse(t.key.clone())))
        .map(|t| t.key.clone());
    let mut out = String::from(
        "# The demo organisation's goals (bosun goals import). Each team's roadmap links its epics;\n# the reliability goal links work by label.\n",
    );
    for team in &world.org.teams {
        let epics: Vec<&str> = world
            .tickets
            .iter()
            .filter(|t| t.team == team.key && t.issue_type == "Epic")
            .filter(|t| t.created_at >= start || t.resolved_at.is_none_or(|r| r >= start))
            .filter(|t| {
                // Open, or with a child finished this quarter.
                world.tickets.iter().any(|c| {
                    c.parent.as_deref() == Some(t.key.as_str())
                        && c.resolved_at.is_none_or(|r| r >= start)
                })
            })
            .map(|t| t.key.as_str())
            .collect();
        if epics.is_empty() {
            continue;
        }
        let owner = world
            .org
            .people
            .iter()
            .find(|p| p.key == team.manager)
            .map_or(team.name.clone(), |p| p.name.clone());
        let due = if releasing.as_deref() == Some(team.key.as_str()) {
            DateTime::from_timestamp(world.as_of + RELEASE_AFTER_DAYS * DAY, 0)
                .unwrap_or_default()
                .date_naive()
        } else {
            last
        };
        out.push_str(&format!(
            "\n[[goals]]\ntitle = {}\nquarter = {}\nteam = {}\nowner = {}\ndescription = {}\ndue = \"{due}\"\nepics = [{}]\n",
            q(&format!("{} roadmap for {quarter}", team.name)),
            q(&quarter),
            q(&team.key),
            q(&owner),
            q(&team.mission),
            epics.iter().map(|e| q(e)).collect::<Vec<_>>().join(", ")
        ));
        out.push_str(
            "\n[[goals.key_results]]\ntitle = \"Finish every story of the roadmap's epics\"\nmeasure = \"items\"\n",
        );
        out.push_str(
            "\n[[goals.key_results]]\ntitle = \"Deliver the roadmap's story points\"\nmeasure = \"points\"\n",
        );
        out.push_str(
            "\n[[goals.key_results]]\ntitle = \"Lead time for changes under 2 days\"\nmeasure = \"metric\"\nmetric = \"lead_time_days\"\ntarget = 2.0\n",
        );
    }
    let me = world
        .org
        .people
        .iter()
        .find(|p| p.key == world.org.company.me)
        .map(|p| p.name.clone());
    out.push_str(&format!(
        "\n[[goals]]\ntitle = \"Close the loop on incidents\"\nquarter = {}\n{}description = \"Every postmortem follow-up done, so the same incident does not come back.\"\ndue = \"{last}\"\nlabels = [\"postmortem\"]\n\n[[goals.key_results]]\ntitle = \"Every postmortem follow-up done\"\nmeasure = \"items\"\n\n[[goals.key_results]]\ntitle = \"Change failure rate under 10 %\"\nmeasure = \"metric\"\nmetric = \"change_failure_rate\"\ntarget = 10.0\n",
        q(&quarter),
        me.map_or(String::new(), |m| format!("owner = {}\n", q(&m)))
    ));
    out
}
