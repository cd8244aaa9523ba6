//! `bosun backup` and `bosun restore`: a consistent copy of the database (with the config in
//! it), and putting one back after checking it.

use bosun_app::App;
use clap::Args;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct BackupArgs {
    /// The file to write [default: <data dir>/backups/bosun-<time>.db].
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// A file written by `bosun backup`.
    pub file: PathBuf,
    /// Replace an existing database (it is kept as bosun.db.bak).
    #[arg(long)]
    pub force: bool,
}

pub fn backup(app: &App, a: BackupArgs, json: bool) -> anyhow::Result<()> {
    let r = app.backup(a.out)?;
    if json {
        return crate::print_json(&r);
    }
    println!(
        "Backed up the database (schema v{}, {}){} to {}.",
        r.schema_version,
        crate::human_bytes(r.bytes as i64),
        if r.config_included {
            " and the config"
        } else {
            ""
        },
        r.file
    );
    Ok(())
}

pub fn restore(app: &App, a: RestoreArgs, json: bool) -> anyhow::Result<()> {
    let r = app.restore(&a.file, a.force)?;
    if json {
        return crate::print_json(&r);
    }
    println!(
        "Restored {} (schema v{}, integrity ok).",
        r.restored_from, r.schema_version
    );
    if let Some(p) = &r.previous {
        println!("The database it replaced is {p}.");
    }
    if r.config_restored {
        println!("Its config was restored too.");
    }
    if let Some(p) = &r.previous_config {
        println!("The config it replaced is {p}.");
    }
    if let Some(seq) = r.audit_anchor_moved_from {
        println!(
            "The audit ledger's anchor (outside the database) recorded entry {seq} of the replaced database; it now anchors the restored ledger, and the restore is in that ledger."
        );
    }
    Ok(())
}
