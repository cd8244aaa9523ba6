//! `bosun forget PERSON`: erase a person's messages, notes and names; a pseudonym stays in the
//! aggregates.

use bosun_app::App;
use clap::Args;

#[derive(Debug, Args)]
pub struct ForgetArgs {
    /// A person key, name, email or account (github:login works too).
    pub person: String,
}

pub fn run(app: &App, a: ForgetArgs, json: bool) -> anyhow::Result<()> {
    let r = app.forget(&a.person)?;
    if json {
        return crate::print_json(&r);
    }
    let d = &r.database;
    println!(
        "Forgot them: they are {} now ({} strings of theirs replaced).",
        d.pseudonym, d.strings
    );
    println!(
        "  {} chat messages erased, {} private notes and {} emails deleted, {} accounts pseudonymised, {} raw payloads deleted",
        d.chat_messages_erased,
        d.private_notes_deleted,
        d.emails_deleted,
        d.accounts_pseudonymised,
        d.raw_payloads_deleted
    );
    let rows: usize = d.rows_rewritten.values().sum();
    println!(
        "  {rows} rows rewritten in {} tables",
        d.rows_rewritten.len()
    );
    if let Some(seq) = d.audit_rechained_from {
        println!("  audit ledger re-chained from entry {seq} (recorded in the ledger)");
    }
    if let Some(seq) = r.audit_anchor_moved_from {
        println!(
            "  the ledger's anchor outside the database moved from entry {seq} to the re-chained head"
        );
    }
    for f in &r.files_rewritten {
        println!("  rewrote {f}");
    }
    for f in &r.files_deleted {
        println!("  deleted {f}");
    }
    println!("A later sync brings back whatever the providers still hold about them.");
    Ok(())
}
