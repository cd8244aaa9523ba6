//! `bosun data export` and `bosun data stores`: everything in the database as JSON Lines, and
//! what Bosun keeps (tables, sizes, retention).

use bosun_app::App;
use clap::Subcommand;
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum DataCommand {
    /// Every row of the database as JSON Lines: {"table": ..., "row": {...}} (tokens are never in it).
    Export {
        /// Write here instead of standard output.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// What Bosun stores: every table with its rows, size and retention, and the other files.
    Stores,
}

pub fn run(app: &App, c: DataCommand, json: bool) -> anyhow::Result<()> {
    match c {
        DataCommand::Export { out: Some(path) } => {
            let file = std::fs::File::create(&path).map_err(|e| bosun_app::AppError::Io {
                path: path.display().to_string(),
                source: e,
            })?;
            let mut w = std::io::BufWriter::new(file);
            let r = app.export_data(&mut w)?;
            if json {
                crate::print_json(&r)?;
            } else {
                eprintln!(
                    "Exported {} rows of {} tables to {}.",
                    r.rows,
                    r.tables,
                    path.display()
                );
            }
        }
        DataCommand::Export { out: None } => {
            let stdout = std::io::stdout();
            let mut w = std::io::BufWriter::new(stdout.lock());
            let r = app.export_data(&mut w)?;
            eprintln!("Exported {} rows of {} tables.", r.rows, r.tables);
        }
        DataCommand::Stores => {
            let s = app.storage()?;
            if json {
                crate::print_json(&s)?;
                return Ok(());
            }
            println!(
                "{} — {} (+{} write-ahead log)",
                s.database,
                crate::human_bytes(s.size_bytes),
                crate::human_bytes(s.wal_bytes)
            );
            println!("{:<28} {:>9} {:>10}  kept", "table", "rows", "size");
            for t in s.tables.iter().filter(|t| t.rows > 0 || t.bytes > 4096) {
                println!(
                    "{:<28} {:>9} {:>10}  {}{}",
                    t.name,
                    t.rows,
                    crate::human_bytes(t.bytes),
                    t.retention,
                    if t.derived { " (index, rebuilt)" } else { "" }
                );
            }
            let empty = s
                .tables
                .iter()
                .filter(|t| t.rows == 0 && t.bytes <= 4096)
                .count();
            println!("({empty} empty tables not shown)");
            for f in &s.files {
                println!("file {:<40} {:>10}", f.path, crate::human_bytes(f.bytes));
            }
        }
    }
    Ok(())
}
