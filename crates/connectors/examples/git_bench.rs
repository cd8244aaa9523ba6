//! Benchmark of the local git connector (run by `bench/git.sh`, which builds a synthetic
//! history first): `git::read` of the whole history, a full sync into a fresh SQLite file, a
//! re-sync with nothing changed and, with `--add-commits N`, an incremental sync after N new
//! commits on the default branch (written into the repository: only point it at a scratch copy).
//!
//! Usage: cargo run -p bosun-connectors --example git_bench -- REPO DB
//!        [--release-tags REGEX] [--add-commits N]
#![allow(clippy::print_stdout)]

use bosun_connectors::git::{self, GitSettings};
use bosun_connectors::{Db, NullSink};
use bosun_store::Store;
use bosun_store::sync_state::{self, NewSource};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

fn usage() -> BoxError {
    "usage: git_bench REPO DB [--release-tags REGEX] [--add-commits N]".into()
}

fn main() -> Result<(), BoxError> {
    let mut args = std::env::args().skip(1);
    let repo = PathBuf::from(args.next().ok_or_else(usage)?).canonicalize()?;
    let db_path = PathBuf::from(args.next().ok_or_else(usage)?);
    let (mut release_tags, mut add) = (None, 0usize);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--release-tags" => release_tags = Some(args.next().ok_or_else(usage)?),
            "--add-commits" => add = args.next().ok_or_else(usage)?.parse()?,
            _ => return Err(usage()),
        }
    }

    // Reading alone, no store.
    let t = Instant::now();
    let r = git::open(&repo)?;
    let refs = r.refs()?;
    let commits = r.commits(&[])?;
    let secs = t.elapsed().as_secs_f64();
    line(
        "read (git::read)",
        secs,
        commits.len(),
        &format!("{} branches, {} tags", refs.branches.len(), refs.tags.len()),
    );
    drop(commits);

    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async {
        let mut store = Store::open(&db_path)?;
        let settings = serde_json::to_value(GitSettings {
            path: repo.to_string_lossy().into_owned(),
            release_tags,
            default_branch: None,
        })?;
        let id = store.write(|tx| {
            sync_state::add_source(
                tx,
                &NewSource {
                    kind: bosun_core::model::Provider::Git,
                    name: "bench",
                    base_url: None,
                    settings: settings.clone(),
                    demo: false,
                },
                0,
            )
        })?;
        let source = sync_state::source_by_id(store.conn(), id)?.ok_or("no source")?;
        let db = Db::new(store);
        let now = 1_800_000_000;

        let t = Instant::now();
        let s = git::sync_source(&db, &source, now, Arc::new(NullSink)).await?;
        let secs = t.elapsed().as_secs_f64();
        let size = std::fs::metadata(&db_path).map(|m| m.len()).unwrap_or(0);
        line(
            "full sync",
            secs,
            s.commits_walked as usize,
            &format!(
                "{} tags, {} deployments, database {:.1} MiB",
                s.tags,
                s.deployments,
                size as f64 / 1048576.0
            ),
        );

        let t = Instant::now();
        let s = git::sync_source(&db, &source, now, Arc::new(NullSink)).await?;
        line(
            "re-sync, no change",
            t.elapsed().as_secs_f64(),
            s.commits_walked as usize,
            "",
        );

        if add > 0 {
            add_commits(&repo, add)?;
            let t = Instant::now();
            let s = git::sync_source(&db, &source, now, Arc::new(NullSink)).await?;
            line(
                &format!("incremental, +{add}"),
                t.elapsed().as_secs_f64(),
                s.commits_walked as usize,
                if s.full_walk { "(full walk!)" } else { "" },
            );
        }
        Ok::<_, BoxError>(())
    })?;
    println!("peak RSS             {:.0} MiB", peak_rss_mib());
    Ok(())
}

fn line(label: &str, secs: f64, commits: usize, extra: &str) {
    println!(
        "{label:<20} {secs:8.3}s  {commits:>7} commits  {:>9.0} commits/s  {extra}",
        commits as f64 / secs.max(1e-9)
    );
}

/// `n` commits on top of the default branch (HEAD's), by libgit2.
fn add_commits(repo: &std::path::Path, n: usize) -> Result<(), BoxError> {
    let r = git2::Repository::open(repo)?;
    let head = r.head()?;
    let name = head.name()?.to_string();
    let mut tip = head.peel_to_commit()?;
    let tree = tip.tree()?;
    let mut time = tip.committer().when().seconds();
    for i in 0..n {
        time += 600;
        let sig = git2::Signature::new("Bench", "bench@example.com", &git2::Time::new(time, 0))?;
        let oid = r.commit(None, &sig, &sig, &format!("Bench {i}"), &tree, &[&tip])?;
        tip = r.find_commit(oid)?;
    }
    r.reference(&name, tip.id(), true, "bench")?;
    Ok(())
}

fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}
