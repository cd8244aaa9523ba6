//! Guardrails as policy (docs/signals.md): Rego files evaluated in process with `regorus`.
//!
//! A [`Bundle`] is a set of `.rego` files: the default one ships in the binary
//! ([`DEFAULT_BUNDLE`]) and is copied into the user's policy folder on first run, where they can
//! edit it. Two entry points are asked:
//!
//! - `data.bosun.actions.decision` — may this outbound action go now? ([`Decision`]: allowed,
//!   needs approval, denied with reasons, or deferred with reasons and how long to wait);
//! - `data.bosun.agreements.violations` — which working agreements were broken (each becomes a
//!   signal);
//! - `data.bosun.chatops.decision` — may this Slack user have this answer to their slash
//!   command, and may the channel see it? ([`ChatDecision`]).
//!
//! A file that does not compile is an error naming the file and the line; the app then keeps the
//! last bundle that compiled ([`Bundle::from_files`] on the saved copy).

#![warn(missing_docs)]

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The default bundle: (file name, text).
pub const DEFAULT_BUNDLE: &[(&str, &str)] = &[
    ("actions.rego", include_str!("../bundle/actions.rego")),
    ("agreements.rego", include_str!("../bundle/agreements.rego")),
    ("chatops.rego", include_str!("../bundle/chatops.rego")),
];

const DECISION: &str = "data.bosun.actions.decision";
const VIOLATIONS: &str = "data.bosun.agreements.violations";
const CHATOPS: &str = "data.bosun.chatops.decision";
const CHATOPS_PACKAGE: &str = "data.bosun.chatops";

/// Why the policy files could not be loaded or evaluated.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    /// A policy file does not compile.
    #[error("policy {file}: {message}")]
    Invalid {
        /// The file.
        file: String,
        /// The compiler's message, with the offending line.
        message: String,
    },
    /// The policy folder or one of its files could not be read or written.
    #[error("policy folder {path}: {source}")]
    Io {
        /// The folder or file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The policy folder holds no `.rego` file.
    #[error("policy folder {0} has no .rego files")]
    Empty(String),
    /// Evaluating a rule failed.
    #[error("evaluating {rule}: {message}")]
    Eval {
        /// The rule (`data.bosun....`).
        rule: String,
        /// What went wrong.
        message: String,
    },
    /// A rule returned something other than what Bosun expects of it.
    #[error("{rule} returned an unexpected shape: {message}")]
    Shape {
        /// The rule (`data.bosun....`).
        rule: String,
        /// What was expected and what came.
        message: String,
    },
}

impl bosun_core::HasCode for PolicyError {
    fn code(&self) -> bosun_core::Code {
        match self {
            PolicyError::Io { .. } => bosun_core::Code::Io,
            _ => bosun_core::Code::Config,
        }
    }
}

/// A result whose error is a [`PolicyError`].
pub type Result<T, E = PolicyError> = std::result::Result<T, E>;

/// Compiled policy files.
#[derive(Clone)]
pub struct Bundle {
    engine: regorus::Engine,
    /// (file name, text) as loaded.
    pub files: Vec<(String, String)>,
}

impl std::fmt::Debug for Bundle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bundle")
            .field(
                "files",
                &self.files.iter().map(|(n, _)| n).collect::<Vec<_>>(),
            )
            .finish()
    }
}

/// What the policy says about one action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    /// The action may be sent.
    pub allow: bool,
    /// The action waits for the manager's approval before it is sent.
    pub needs_approval: bool,
    /// Why it may not go at all.
    pub deny: Vec<String>,
    /// Why it may not go yet.
    pub defer: Vec<String>,
    /// How long to wait when deferred.
    pub wait_minutes: i64,
    /// Why, as codes (a bundle written before codes existed gives none: its sentences are all
    /// there is, shown as they are).
    #[serde(default)]
    pub codes: Vec<ReasonCode>,
    /// When a deferred action may go (unix seconds; set by the caller, who knows the time).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub defer_until: Option<i64>,
}

/// Why the policy denied or deferred an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReasonCode {
    /// The signal kind is about one person's numbers.
    IndividualMetricKind,
    /// The text gives a figure about a named person (from `carries`, whatever the wording).
    IndividualMetric,
    /// The text matches the individual-metric pattern.
    IndividualMetricText,
    /// A recipient's quiet hours.
    QuietHours,
    /// A recipient's weekend.
    Weekend,
    /// A recipient's daily cap.
    DailyCap,
    /// A code of the user's own rules.
    #[serde(other)]
    Other,
}

impl Decision {
    /// Whether the policy refused it outright.
    pub fn denied(&self) -> bool {
        !self.deny.is_empty()
    }

    /// Whether it must wait (quiet hours, the weekend, a daily cap).
    pub fn deferred(&self) -> bool {
        !self.defer.is_empty()
    }

    /// Set [`Decision::defer_until`] from the time of the decision.
    pub fn at(mut self, now: i64) -> Decision {
        self.defer_until = self.deferred().then(|| now + self.wait_minutes.max(1) * 60);
        self
    }

    /// One line for people.
    pub fn explain(&self) -> String {
        if !self.deny.is_empty() {
            format!("denied: {}", self.deny.join("; "))
        } else if !self.defer.is_empty() {
            format!(
                "deferred {} min: {}",
                self.wait_minutes,
                self.defer.join("; ")
            )
        } else if self.needs_approval {
            "allowed once approved".into()
        } else {
            "allowed".into()
        }
    }
}

/// What the policy says about answering one slash command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatDecision {
    /// The asker may have the answer.
    pub allow: bool,
    /// Everyone in the channel sees it (else only the asker).
    #[serde(default)]
    pub in_channel: bool,
    /// Why not, in words.
    #[serde(default)]
    pub deny: Vec<String>,
    /// Why not, as codes.
    #[serde(default)]
    pub codes: Vec<ChatCode>,
}

/// Why the policy refused a slash command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChatCode {
    /// The asker is neither the manager nor a member of the manager's teams.
    NotAMember,
    /// The command is the manager's only.
    ManagerOnly,
    /// Too many commands from this asker in the last minute.
    RateLimited,
    /// The answer is built from one person's numbers.
    IndividualMetric,
    /// The answer holds a private section.
    PrivateNote,
    /// A code of the user's own rules.
    #[serde(other)]
    Other,
}

/// A broken working agreement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Violation {
    /// The agreement broken.
    pub rule: String,
    /// What broke it: `pull_request`, `ticket`, ...
    pub subject_kind: String,
    /// Which one (`repo#123`, a ticket key, ...).
    pub subject_ref: String,
    /// `low`, `medium` or `high`.
    pub severity: String,
    /// Why it counts as broken, in one sentence.
    pub why: String,
    /// What to do about it, when the policy says.
    #[serde(default)]
    pub suggest: Option<String>,
}

/// Turn a regorus error into one readable line: where (`file:line:col`), the source line, and
/// what is wrong.
fn readable(e: &anyhow::Error) -> String {
    let text = e.to_string();
    let mut at = None;
    let mut source = None;
    let mut what = Vec::new();
    for l in text.lines() {
        let t = l.trim();
        if let Some(x) = t.strip_prefix("-->") {
            at = Some(x.trim().to_string());
        } else if let Some((_, code)) = t
            .split_once(" | ")
            .filter(|(n, _)| n.trim().parse::<u32>().is_ok())
        {
            source = Some(code.trim().to_string());
        } else if let Some(x) = t.strip_prefix("error:") {
            what.push(x.trim().to_string());
        } else if !t.is_empty()
            && !t.starts_with('|')
            && !t.chars().all(|c| c == '^' || c == ' ')
            && t.trim_end_matches('|').trim().parse::<u32>().is_err()
        {
            what.push(t.to_string());
        }
    }
    let mut out = String::new();
    if let Some(a) = at {
        out.push_str(&format!("at {a}: "));
    }
    out.push_str(&what.join("; "));
    if let Some(s) = source {
        out.push_str(&format!(" (in `{s}`)"));
    }
    out
}

fn invalid(file: &str, e: &anyhow::Error) -> PolicyError {
    PolicyError::Invalid {
        file: file.to_string(),
        message: readable(e),
    }
}

impl Bundle {
    /// The default bundle, compiled.
    pub fn builtin() -> Bundle {
        let files: Vec<(String, String)> = DEFAULT_BUNDLE
            .iter()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect();
        Bundle::from_files(files)
            .unwrap_or_else(|e| unreachable!("the default policy compiles: {e}"))
    }

    /// Compile these files; the first that does not compile is the error.
    pub fn from_files(files: Vec<(String, String)>) -> Result<Bundle> {
        let mut engine = regorus::Engine::new();
        for (name, text) in &files {
            engine
                .add_policy(name.clone(), text.clone())
                .map_err(|e| invalid(name, &e))?;
        }
        let mut bundle = Bundle { engine, files };
        // Type errors and unsafe variables surface on first evaluation: do one now, with an empty
        // input, so that a broken bundle never replaces a good one.
        bundle.check()?;
        Ok(bundle)
    }

    /// Evaluate the sample inputs on the bundle's own engine (not a clone): besides finding
    /// errors, this leaves the engine analysed and scheduled, so every clone made for an
    /// evaluation starts ready instead of analysing the modules again (about 1.5 ms each).
    fn check(&mut self) -> Result<()> {
        let sample = serde_json::json!({
            "action": {"kind": "slack_dm", "provider": "slack", "body": "hello", "summary": "", "signal_kind": "review_waiting", "carries": {"names": [1], "person_figures": [], "links": []}, "approved": true, "approved_by": "check"},
            "recipients": [{"id": 1, "name": "x", "local_minutes": 600, "local_time": "10:00", "local_weekday": 1, "sent_today": 0}],
            "now": {"utc": "2026-01-01T00:00:00Z"}
        });
        let who = self
            .files
            .first()
            .map_or("bundle".to_string(), |f| f.0.clone());
        let engine = &mut self.engine;
        eval_on(engine, DECISION, sample)
            .and_then(decision_of)
            .map_err(|e| PolicyError::Invalid {
                file: who.clone(),
                message: e.to_string(),
            })?;
        let empty = serde_json::json!({"pull_requests": [], "deployments": []});
        eval_on(engine, VIOLATIONS, empty)
            .and_then(violations_of)
            .map_err(|e| PolicyError::Invalid {
                file: who.clone(),
                message: e.to_string(),
            })?;
        let command = serde_json::json!({
            "command": {"name": "standup", "text": "harbor"},
            "user": {"slack_id": "U1", "person_id": 1, "name": "x", "is_manager": false, "member_of_my_teams": true, "teams": ["harbor"]},
            "answer": {"kind": "standup", "individual_metrics": false, "private": false, "sources_shareable": false},
            "recent": {"last_minute": 0}
        });
        // A folder without the rule is asked with the built-in one (see `chatops`).
        if has_package(engine, CHATOPS_PACKAGE) {
            eval_on(engine, CHATOPS, command)
                .and_then(chat_decision_of)
                .map_err(|e| PolicyError::Invalid {
                    file: who,
                    message: e.to_string(),
                })?;
        }
        Ok(())
    }

    /// Load every `.rego` file of `dir` (sorted by name).
    pub fn load_dir(dir: &Path) -> Result<Bundle> {
        let io = |source| PolicyError::Io {
            path: dir.display().to_string(),
            source,
        };
        let mut names: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(io)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "rego"))
            .collect();
        names.sort();
        if names.is_empty() {
            return Err(PolicyError::Empty(dir.display().to_string()));
        }
        let mut files = Vec::new();
        for p in names {
            let text = std::fs::read_to_string(&p).map_err(|source| PolicyError::Io {
                path: p.display().to_string(),
                source,
            })?;
            files.push((p.display().to_string(), text));
        }
        Bundle::from_files(files)
    }

    /// `data.bosun.actions.decision` for one action.
    pub fn decide(&self, input: &serde_json::Value) -> Result<Decision> {
        let mut engine = self.engine.clone();
        decision_of(eval_on(&mut engine, DECISION, input.clone())?)
    }

    /// [`Bundle::decide`] for several actions, on one copy of the engine (in input order).
    pub fn decide_all(&self, inputs: &[serde_json::Value]) -> Result<Vec<Decision>> {
        let mut engine = self.engine.clone();
        inputs
            .iter()
            .map(|i| decision_of(eval_on(&mut engine, DECISION, i.clone())?))
            .collect()
    }

    /// `data.bosun.chatops.decision` for one slash command and its drafted answer. A bundle
    /// without the rule (a policy folder from before Slack commands, its file removed) is asked
    /// with the built-in one.
    pub fn chatops(&self, input: &serde_json::Value) -> Result<ChatDecision> {
        let mut engine = if has_package(&self.engine, CHATOPS_PACKAGE) {
            self.engine.clone()
        } else {
            Bundle::builtin().engine
        };
        chat_decision_of(eval_on(&mut engine, CHATOPS, input.clone())?)
    }

    /// `data.bosun.agreements.violations` (a set; an undefined rule means none). Takes the input:
    /// it is large (every open and recent pull request) and the engine keeps its own form.
    pub fn violations(&self, input: serde_json::Value) -> Result<Vec<Violation>> {
        let mut engine = self.engine.clone();
        violations_of(eval_on(&mut engine, VIOLATIONS, input)?)
    }
}

/// Evaluate `rule` with `input` on `engine` (which keeps its analysis for the next call).
fn eval_on(
    engine: &mut regorus::Engine,
    rule: &str,
    input: serde_json::Value,
) -> Result<serde_json::Value> {
    let span = tracing::debug_span!("policy.set_input").entered();
    engine.set_input(regorus::Value::from(input));
    drop(span);
    let _span = tracing::debug_span!("policy.eval").entered();
    let v = engine
        .eval_rule(rule.to_string())
        .map_err(|e| PolicyError::Eval {
            rule: rule.to_string(),
            message: readable(&e),
        })?;
    serde_json::to_value(&v).map_err(|e| PolicyError::Shape {
        rule: rule.to_string(),
        message: e.to_string(),
    })
}

fn decision_of(v: serde_json::Value) -> Result<Decision> {
    serde_json::from_value(v.clone()).map_err(|e| PolicyError::Shape {
        rule: DECISION.into(),
        message: format!("{e} (got {v})"),
    })
}

/// Whether a file of the bundle declares `package` (`data.bosun.chatops`).
fn has_package(engine: &regorus::Engine, package: &str) -> bool {
    engine
        .get_packages()
        .is_ok_and(|p| p.iter().any(|x| x == package))
}

fn chat_decision_of(v: serde_json::Value) -> Result<ChatDecision> {
    serde_json::from_value(v.clone()).map_err(|e| PolicyError::Shape {
        rule: CHATOPS.into(),
        message: format!("{e} (got {v})"),
    })
}

fn violations_of(v: serde_json::Value) -> Result<Vec<Violation>> {
    if v.is_string() && v.as_str() == Some("<undefined>") {
        return Ok(Vec::new());
    }
    let mut out: Vec<Violation> =
        serde_json::from_value(v.clone()).map_err(|e| PolicyError::Shape {
            rule: VIOLATIONS.into(),
            message: format!("{e} (got {v})"),
        })?;
    out.sort_by(|a, b| (&a.rule, &a.subject_ref).cmp(&(&b.rule, &b.subject_ref)));
    Ok(out)
}

/// SHA-256 of earlier shipped versions of the default files, exactly as shipped: a user file
/// still equal to one was never edited, and is brought up to date. (The first `actions.rego`
/// denied every draft waiting for approval, so drafts written at night or at the weekend were
/// dead on arrival; the second decided individual metrics on the text's wording only.)
const EARLIER_DEFAULTS: &[(&str, &str)] = &[
    (
        "actions.rego",
        "279463bc166fcb9b9160639ef840c44f74485c77f2e2337181cabe6ed29c7915",
    ),
    (
        "actions.rego",
        "a88fd169739fefc6fd8d45ce30f2778d6e55f19c1025bf20d8728ae854a3d15c",
    ),
];

fn sha256_hex(text: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// What [`install_defaults`] did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Installed {
    /// Files written where there were none.
    pub written: Vec<PathBuf>,
    /// Unedited copies of an earlier default replaced by the current one (the old copy is kept
    /// beside it as `<name>.previous`).
    pub upgraded: Vec<PathBuf>,
}

/// Write the default bundle's files into `dir` (created if needed). A file the user has is never
/// overwritten, unless it is an unedited copy of an earlier default ([`EARLIER_DEFAULTS`]).
pub fn install_defaults(dir: &Path) -> std::io::Result<Installed> {
    std::fs::create_dir_all(dir)?;
    let mut done = Installed::default();
    for (name, text) in DEFAULT_BUNDLE {
        let p = dir.join(name);
        match std::fs::read_to_string(&p) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                std::fs::write(&p, text)?;
                done.written.push(p);
            }
            Err(e) => return Err(e),
            Ok(current) => {
                let hash = sha256_hex(&current);
                if EARLIER_DEFAULTS
                    .iter()
                    .any(|(n, h)| n == name && *h == hash)
                {
                    std::fs::write(p.with_extension("rego.previous"), &current)?;
                    std::fs::write(&p, text)?;
                    done.upgraded.push(p);
                }
            }
        }
    }
    Ok(done)
}
