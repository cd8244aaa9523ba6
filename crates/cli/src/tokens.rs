//! `bosun tokens`: where the sources' tokens are kept — the OS keychain, or the encrypted token
//! file `<data dir>/tokens.enc` — and moving them between the two; and, for the commands that
//! need a token, asking for the file's passphrase once (docs/cli.md, docs/tokens.md).

use anyhow::Context;
use bosun_app::secrets::{self, StoreKind, TokenFileError};
use bosun_app::{App, AppError};
use bosun_core::Sensitive;
use clap::Subcommand;
use std::io::{BufRead, IsTerminal, Write};

#[derive(Debug, Subcommand)]
pub enum TokensCommand {
    /// Which store keeps the tokens, whether the encrypted file is locked, and which sources have
    /// a token there.
    Status,
    /// Keep tokens in an encrypted file (<data dir>/tokens.enc) from now on, for when no OS
    /// keychain works: asks for a passphrase twice (or reads BOSUN_TOKENS_PASSPHRASE) and moves
    /// there the tokens the keychain gives.
    UseFile,
    /// Keep tokens in the OS keychain again: every token of the file moves there, then the file
    /// is removed.
    UseKeychain,
}

/// Read a passphrase: from the terminal with echo off (switched with `stty`, the terminal's own
/// tool, rather than unsafe termios calls), or a line from a pipe. Only the line end is taken
/// off: spaces are part of a passphrase.
pub(crate) fn read_passphrase(prompt: &str) -> anyhow::Result<Sensitive<String>> {
    eprint!("{prompt}");
    std::io::stderr().flush().ok();
    let stdin = std::io::stdin();
    let stty = |arg: &str| {
        std::process::Command::new("stty")
            .arg(arg)
            .stdin(std::process::Stdio::inherit())
            .status()
            .is_ok_and(|s| s.success())
    };
    let hidden = stdin.is_terminal() && stty("-echo");
    let mut line = String::new();
    let read = stdin.lock().read_line(&mut line);
    if hidden {
        stty("echo");
        eprintln!();
    }
    read.context("reading the passphrase")?;
    let end = line.trim_end_matches(['\n', '\r']).len();
    line.truncate(end);
    Ok(Sensitive::new(line))
}

/// The passphrase of a new file: `BOSUN_TOKENS_PASSPHRASE`, else asked twice.
fn new_passphrase() -> anyhow::Result<Sensitive<String>> {
    if let Some(p) = std::env::var(secrets::PASSPHRASE_VAR)
        .ok()
        .filter(|p| !p.is_empty())
    {
        return Ok(Sensitive::new(p));
    }
    let first = read_passphrase("Passphrase for the token file: ")?;
    let again = read_passphrase("The same passphrase again: ")?;
    if first.expose() != again.expose() {
        return Err(AppError::InvalidInput("the two passphrases differ".into()).into());
    }
    Ok(first)
}

/// Before a command that reads or adds a token: when the token file is in use and locked (and
/// `BOSUN_TOKENS_PASSPHRASE` does not open it), ask for its passphrase on the terminal, up to
/// three times. Without a terminal nothing is asked: the command reports the locked file.
pub fn unlock_if_needed(app: &App) -> anyhow::Result<()> {
    let tokens = app.tokens();
    if tokens.kind() != StoreKind::File || !tokens.is_locked() || !std::io::stdin().is_terminal() {
        return Ok(());
    }
    let prompt = format!(
        "Passphrase of the token file {}: ",
        tokens.file_path().display()
    );
    for attempt in 1..=3 {
        match app.unlock_tokens(&read_passphrase(&prompt)?) {
            Ok(()) => return Ok(()),
            Err(AppError::TokenFile {
                error: TokenFileError::WrongPassphrase,
                ..
            }) if attempt < 3 => eprintln!("Wrong passphrase."),
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

pub fn run(app: &App, command: TokensCommand, json: bool) -> anyhow::Result<()> {
    match command {
        TokensCommand::Status => {
            let view = app.token_store()?;
            if json {
                return crate::print_json(&view);
            }
            let s = &view.status;
            match s.store {
                StoreKind::Keychain => println!("Tokens are kept in the OS keychain."),
                StoreKind::File => println!(
                    "Tokens are kept in the encrypted file {} ({}).",
                    s.file,
                    if s.locked { "locked" } else { "unlocked" }
                ),
            }
            match &s.keychain_problem {
                None => println!("The OS keychain answers."),
                Some(p) => println!("The OS keychain does not answer: {p}"),
            }
            if let Some(p) = &s.file_problem {
                println!("The token file cannot be opened: {p}");
            }
            if s.store == StoreKind::File && s.locked && s.file_problem.is_none() {
                println!(
                    "Commands that need a token ask for its passphrase, or set {}.",
                    secrets::PASSPHRASE_VAR
                );
            }
            if s.store == StoreKind::Keychain && !s.keychain_ok {
                println!("`bosun tokens use-file` keeps tokens in an encrypted file instead.");
            }
            if view.sources.is_empty() {
                println!("No source has a token there.");
            } else {
                println!("Sources with a token there: {}", view.sources.join(", "));
            }
        }
        TokensCommand::UseFile => {
            let passphrase = new_passphrase()?;
            let moved = app.use_token_file(&passphrase)?;
            if json {
                return crate::print_json(&moved);
            }
            println!(
                "Tokens are kept in the encrypted file {} from now on.",
                app.tokens().file_path().display()
            );
            if !moved.moved.is_empty() {
                println!("Moved from the OS keychain: {}.", moved.moved.join(", "));
            }
            if let Some(e) = &moved.not_read {
                println!("Not read from the OS keychain ({e}): add those tokens again.");
            }
            println!(
                "Each process asks for the passphrase once; `bosun serve` and scripts read {}.",
                secrets::PASSPHRASE_VAR
            );
        }
        TokensCommand::UseKeychain => {
            unlock_if_needed(app)?;
            let moved = app.use_keychain()?;
            if json {
                return crate::print_json(&moved);
            }
            println!(
                "Tokens are kept in the OS keychain again; moved: {}.",
                if moved.moved.is_empty() {
                    "none".to_string()
                } else {
                    moved.moved.join(", ")
                }
            );
        }
    }
    Ok(())
}
