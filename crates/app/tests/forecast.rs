//! Epic forecasts on the synced demo at 2026-11-20 (issue 20.4), against the generator's epics:
//! every epic with work left is listed with the children the generator gave it and how many are
//! done; its dates are ordered and after now; epics are not work themselves (flow does not count
//! them); and the backtest forecasts every finished epic from its halfway point.

#[path = "support/demo.rs"]
mod support;

#[test]
fn epics_forecast_from_the_demo_match_the_generators_epics() {
    let dir = tempfile::tempdir().unwrap();
    let (app, as_of) = support::synced_demo(dir.path());
    let world = support::world(as_of);
    let epics: Vec<&bosun_demo::world::Ticket> = world
        .tickets
        .iter()
        .filter(|t| t.issue_type == "Epic")
        .collect();
    assert!(epics.len() >= 6, "{} epics", epics.len());
    let children = |k: &str| -> Vec<&bosun_demo::world::Ticket> {
        world
            .tickets
            .iter()
            .filter(|t| t.parent.as_deref() == Some(k))
            .collect()
    };
    let open = app.open_epics(None).unwrap();
    let truth_open: Vec<&str> = epics
        .iter()
        .filter(|e| children(&e.key).iter().any(|c| c.resolved_at.is_none()))
        .map(|e| e.key.as_str())
        .collect();
    let mut listed: Vec<&str> = open.iter().map(|v| v.key.as_str()).collect();
    listed.sort_unstable();
    let mut want = truth_open.clone();
    want.sort_unstable();
    assert_eq!(listed, want);
    for v in &open {
        let kids = children(&v.key);
        let f = &v.forecast;
        assert_eq!(f.total as usize, kids.len(), "{}", v.key);
        assert_eq!(
            f.done as usize,
            kids.iter().filter(|c| c.resolved_at.is_some()).count(),
            "{}",
            v.key
        );
        assert_eq!(f.remaining, f.total - f.done);
        let epic = epics.iter().find(|e| e.key == v.key).unwrap();
        assert_eq!(v.summary.as_deref(), Some(epic.summary.as_str()));
        assert_eq!(v.team.as_deref(), Some(epic.team.as_str()));
        let d = f.dates.as_ref().expect("every demo team finishes work");
        let today = Some(as_of.date_naive().to_string());
        // A date later than another, or never (none) after any date.
        let le = |a: &Option<String>, b: &Option<String>| b.is_none() || (a.is_some() && a <= b);
        assert!(
            le(&today, &d.p50) && le(&d.p50, &d.p85) && le(&d.p85, &d.p95),
            "{d:?}"
        );
        assert!(f.throughput_per_week > 0.0 && f.share > 0.0 && f.share <= 1.0);
        assert_eq!(f.burnup.last().map(|b| b.done), Some(f.done));
        assert!(!f.cone.is_empty());
    }
    // The soonest first: the first has a date.
    assert!(
        open[0]
            .forecast
            .dates
            .as_ref()
            .is_some_and(|d| d.p85.is_some())
    );
    // One epic by key: the JSON shape scripts rely on.
    let one = app.forecast(&open[0].key.to_lowercase()).unwrap();
    let j = serde_json::to_value(&one).unwrap();
    for k in ["key", "remaining", "throughput_per_week", "dates"] {
        assert!(j.get(k).is_some(), "{k} in {j}");
    }
    for k in ["p50", "p85", "p95"] {
        assert!(j["dates"][k].is_string(), "{k}");
    }
    assert!(app.forecast("TIDE-1").is_err(), "a story has no children");
    // Epics are containers, not work: flow's finished count does not include them.
    let data = {
        let store = app.store().unwrap();
        bosun_app::metrics::load(store.conn()).unwrap()
    };
    assert!(
        data.tickets
            .iter()
            .all(|t| !epics.iter().any(|e| e.key == t.key))
    );

    let b = app.forecast_backtest(None).unwrap();
    let finished = epics
        .iter()
        .filter(|e| {
            let k = children(&e.key);
            k.len() >= bosun_app::forecast::BACKTEST_MIN_CHILDREN
                && k.iter().all(|c| c.resolved_at.is_some())
        })
        .count();
    assert_eq!(b.cases.len(), finished);
    assert_eq!(b.on_time, b.cases.iter().filter(|c| c.on_time).count());
    #[allow(clippy::print_stderr)]
    {
        eprintln!(
            "backtest: {} of {} finished epics landed by the 85 % date forecast at their halfway point",
            b.on_time,
            b.cases.len()
        );
    }
}
