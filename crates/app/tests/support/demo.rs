//! Shared by the cache tests: the demo organisation (two months) synced into `dir` at `AS_OF`.

use bosun_app::demo::{self, DemoOptions};
use bosun_app::{App, Paths};
use bosun_core::clock::FixedClock;
use std::sync::Arc;

const AS_OF: &str = "2026-11-20T09:00:00Z";

/// The synced app and its fixed "now".
pub fn synced_demo(dir: &std::path::Path) -> (App, chrono::DateTime<chrono::Utc>) {
    let as_of = chrono::DateTime::parse_from_rfc3339(AS_OF)
        .unwrap()
        .with_timezone(&chrono::Utc);
    let mut app = App::new(Paths::in_dir(dir), Arc::new(FixedClock(as_of))).unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(demo::sync(
        &mut app,
        DemoOptions {
            months: 2,
            ..Default::default()
        },
        Arc::new(bosun_connectors::NullSink),
    ))
    .unwrap();
    (app, as_of)
}

/// The world [`synced_demo`] synced (the generator's ground truth).
#[allow(dead_code)]
pub fn world(as_of: chrono::DateTime<chrono::Utc>) -> bosun_demo::World {
    demo::world(
        DemoOptions {
            months: 2,
            ..Default::default()
        },
        as_of,
    )
    .unwrap()
}
