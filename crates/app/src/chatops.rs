//! Slack commands (docs/slack.md): `/standup [team]`, `/sprint-health [team]`, `/triage [team]`,
//! `/ask QUESTION` and `/brief`, answered from the same engines as the app and the CLI, as Slack
//! blocks. Who gets what is the policy's (`chatops.rego`): only the manager and the members of
//! their teams, `/brief` the manager's alone, a rate limit per user, no individual metric or
//! private section to anyone but the manager, answers to the asker only unless the policy lets a
//! command answer the channel (`/ask` only from shareable documents). Every command and its
//! answer is audited with the Slack user id.
//!
//! [`App::listen_slack`] runs Socket Mode ([`bosun_connectors::slack::socket`]): each command is
//! acknowledged on arrival, answered here, and the answer posted to the command's response URL.

use crate::{App, AppError, Result};
use bosun_connectors::events::EventSink;
use bosun_connectors::slack::socket::{
    self, Delivery, Incoming, SlashCommand, SocketMode, SocketStats, SocketStatus,
};
use bosun_core::Sensitive;
use bosun_core::model::Provider;
use bosun_notes::note::{Note, NoteKind};
use bosun_notes::slack::{self as blocks, Block, Text, cut};
use bosun_policy::{ChatCode, ChatDecision};
use bosun_store::chatops as db;
use serde::Serialize;
use serde_json::json;
use std::sync::Arc;
use tokio::sync::{mpsc, watch};

/// The token-store entry of a Slack source's app-level token (`xapp-…`): `<source>.app`.
pub fn app_token_entry(source: &str) -> String {
    format!("{source}.app")
}

/// How often drafts waiting for approval are offered to the manager in Slack.
const OFFER_EVERY: std::time::Duration = std::time::Duration::from_secs(30);

/// Passages an `/ask` answer shows.
const ASK_PASSAGES: usize = 3;
/// Characters of a cited passage shown.
const PASSAGE_CHARS: usize = 700;

/// A slash command as Bosun reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Standup {
        team: Option<String>,
    },
    SprintHealth {
        team: Option<String>,
    },
    Triage {
        team: Option<String>,
    },
    Ask {
        question: String,
    },
    Brief,
    Help,
    /// A command this version does not answer (`/foo`).
    Unknown(String),
}

impl Command {
    /// Read `/standup harbor`: the command, then what follows.
    pub fn parse(command: &str, text: &str) -> Command {
        let team = || {
            let t = text.trim().trim_start_matches('#');
            (!t.is_empty()).then(|| t.to_string())
        };
        match command.trim().trim_start_matches('/') {
            "standup" => Command::Standup { team: team() },
            "sprint-health" | "sprint_health" | "sprint" => Command::SprintHealth { team: team() },
            "triage" => Command::Triage { team: team() },
            "ask" => Command::Ask {
                question: text.trim().to_string(),
            },
            "brief" => Command::Brief,
            "bosun" | "help" => match text.trim().split_once(' ') {
                // `/bosun standup harbor` works as well as `/standup harbor`.
                Some((c, rest)) if c != "help" => Command::parse(c, rest),
                None if !text.trim().is_empty() && text.trim() != "help" => {
                    Command::parse(text.trim(), "")
                }
                _ => Command::Help,
            },
            other => Command::Unknown(other.to_string()),
        }
    }

    /// Its name for the policy and the audit (`sprint_health`).
    pub fn name(&self) -> &'static str {
        match self {
            Command::Standup { .. } => "standup",
            Command::SprintHealth { .. } => "sprint_health",
            Command::Triage { .. } => "triage",
            Command::Ask { .. } => "ask",
            Command::Brief => "brief",
            Command::Help => "help",
            Command::Unknown(_) => "unknown",
        }
    }
}

/// Where an answer shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ResponseType {
    /// Only the asker sees it.
    Ephemeral,
    /// Everyone in the channel sees it.
    InChannel,
}

/// The answer as Slack takes it at a response URL.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SlackReply {
    pub response_type: ResponseType,
    /// The fallback text (notifications, screen readers).
    pub text: String,
    pub blocks: Vec<Block>,
}

/// A command answered: the reply, and what the policy decided.
#[derive(Debug, Clone, Serialize)]
pub struct Answered {
    pub command: String,
    pub reply: SlackReply,
    pub allowed: bool,
    pub codes: Vec<ChatCode>,
    /// The audit entry that records it.
    pub audit_seq: i64,
}

/// What the policy is told about the asker.
#[derive(Debug, Clone, Serialize)]
struct AskerFacts {
    slack_id: String,
    person_id: Option<i64>,
    name: String,
    is_manager: bool,
    member_of_my_teams: bool,
    teams: Vec<String>,
}

/// The drafted answer before the policy sees it.
struct Draft {
    reply: SlackReply,
    /// What it is, for the policy (`standup`, `ask`, …).
    kind: &'static str,
    /// Built from one person's numbers (a 1:1 pack would be).
    individual_metrics: bool,
    /// It holds a private section (never sent: the blocks carry public sections only).
    private: bool,
    sources_shareable: bool,
    title: String,
}

/// Where an @mention was made: its channel, and the thread to answer in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mention {
    pub channel: String,
    pub thread_ts: String,
}

/// An `app_mention` event (`@Bosun standup harbor`) read as the command it names: the mention
/// taken off, the first word the command, the rest its text.
pub fn mention_command(payload: &serde_json::Value) -> Option<(SlashCommand, Mention)> {
    let e = payload.get("event")?;
    if e.get("type")?.as_str()? != "app_mention" {
        return None;
    }
    let text = e.get("text")?.as_str()?;
    // `<@U0BOSUN> standup harbor`: every leading mention dropped.
    let mut rest = text.trim();
    while let Some(after) = rest.strip_prefix("<@") {
        rest = after.split_once('>').map_or("", |(_, r)| r).trim_start();
    }
    let (word, args) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    let word = word.trim_start_matches('/');
    let ts = e.get("ts")?.as_str()?;
    Some((
        SlashCommand {
            command: format!("/{}", if word.is_empty() { "bosun" } else { word }),
            text: args.trim().to_string(),
            user_id: e.get("user")?.as_str()?.to_string(),
            user_name: None,
            channel_id: e
                .get("channel")
                .and_then(|c| c.as_str())
                .map(str::to_string),
            team_id: None,
            response_url: None,
        },
        Mention {
            channel: e.get("channel")?.as_str()?.to_string(),
            thread_ts: e
                .get("thread_ts")
                .and_then(|t| t.as_str())
                .unwrap_or(ts)
                .to_string(),
        },
    ))
}

fn plain_reply(text: &str) -> SlackReply {
    SlackReply {
        response_type: ResponseType::Ephemeral,
        text: text.to_string(),
        blocks: vec![Block::Section {
            text: Text::Mrkdwn {
                text: blocks::escape(text),
            },
        }],
    }
}

fn note_draft(note: &Note) -> Draft {
    let m = blocks::message(note);
    Draft {
        kind: note.kind.slug(),
        individual_metrics: note.kind == NoteKind::OneOnOne,
        private: false,
        title: note.title.clone(),
        reply: SlackReply {
            response_type: ResponseType::Ephemeral,
            text: m.text,
            blocks: m.blocks,
        },
        sources_shareable: false,
    }
}

const HELP: &str = "Bosun answers: /standup [team], /sprint-health [team], /triage [team], /ask QUESTION, /brief (the manager's). Answers show only to you unless your manager's policy says otherwise.";

impl App {
    /// Answer one slash command as the policy allows, audited with the Slack user id.
    pub fn answer_slack_command(&self, c: &SlashCommand) -> Result<Answered> {
        let command = Command::parse(&c.command, &c.text);
        let now = self.now();
        let (asker, recent) = {
            let store = self.store()?;
            let conn = store.conn();
            let me = self.me(conn)?;
            let found = db::asker(conn, &c.user_id)?;
            let person_id = found.as_ref().and_then(|a| a.person_id);
            let teams = match person_id {
                Some(p) => db::teams_of(conn, p)?,
                None => Vec::new(),
            };
            let mut mine = bosun_store::notes::teams_managed_by(conn, me)?;
            if mine.is_empty() {
                mine = db::all_teams(conn)?;
            }
            let asker = AskerFacts {
                slack_id: c.user_id.clone(),
                person_id,
                name: found
                    .map(|a| a.name)
                    .or_else(|| c.user_name.clone())
                    .unwrap_or_default(),
                is_manager: me.is_some() && person_id == me,
                member_of_my_teams: teams.iter().any(|t| mine.contains(t)),
                teams,
            };
            (asker, db::commands_since(conn, &c.user_id, now - 60)?)
        };
        let draft = match self.draft_answer(&command, &asker) {
            Ok(d) => d,
            // A command that cannot be answered (no such team, no running sprint) says why.
            Err(e @ (AppError::InvalidInput(_) | AppError::NotFound(_))) => Draft {
                reply: plain_reply(&format!("Bosun could not answer: {e}")),
                kind: "error",
                individual_metrics: false,
                private: false,
                sources_shareable: false,
                title: "error".into(),
            },
            Err(e) => return Err(e),
        };
        let input = json!({
            "command": {"name": command.name(), "text": c.text},
            "user": asker,
            "answer": {
                "kind": draft.kind,
                "individual_metrics": draft.individual_metrics,
                "private": draft.private,
                "sources_shareable": draft.sources_shareable,
            },
            "recent": {"last_minute": recent},
        });
        let mut store = self.store()?;
        let decision: ChatDecision = self.policy(store.conn())?.bundle.chatops(&input)?;
        let reply = if decision.allow {
            SlackReply {
                response_type: if decision.in_channel {
                    ResponseType::InChannel
                } else {
                    ResponseType::Ephemeral
                },
                ..draft.reply
            }
        } else {
            plain_reply(&format!(
                "Bosun cannot answer that: {}.",
                decision.deny.join("; ")
            ))
        };
        let actor = db::actor(&c.user_id);
        let entry = store.write(|tx| {
            bosun_store::audit::append(
                tx,
                &bosun_store::audit::NewEntry {
                    at: now,
                    actor: &actor,
                    action: db::COMMAND_ACTION,
                    subject: Some(&format!("slack:/{}", command.name())),
                    result: if decision.allow { "ok" } else { "denied" },
                    trace: json!({
                        "command": c.command,
                        "text": c.text,
                        "channel": c.channel_id,
                        "person_id": asker.person_id,
                        "name": asker.name,
                        "answer": draft.title,
                        "blocks": reply.blocks.len(),
                        "in_channel": reply.response_type == ResponseType::InChannel,
                        "codes": decision.codes,
                    }),
                },
            )
        })?;
        Ok(Answered {
            command: command.name().to_string(),
            reply,
            allowed: decision.allow,
            codes: decision.codes,
            audit_seq: entry.seq,
        })
    }

    /// The answer to `command` for `asker`, before the policy.
    fn draft_answer(&self, command: &Command, asker: &AskerFacts) -> Result<Draft> {
        // A team member's default team is their own; the manager's, the one they manage.
        let team_of = |t: &Option<String>| -> Option<String> {
            t.clone().or_else(|| {
                (!asker.is_manager)
                    .then(|| asker.teams.first().cloned())
                    .flatten()
            })
        };
        Ok(match command {
            Command::Standup { team } => note_draft(&self.standup(team_of(team).as_deref(), None)?),
            Command::SprintHealth { team } => {
                note_draft(&self.sprint_report(None, team_of(team).as_deref())?.1)
            }
            Command::Triage { team } => note_draft(&self.triage(team.as_deref())?.1),
            Command::Brief => note_draft(&self.brief()?.note),
            Command::Ask { question } => self.ask_draft(question)?,
            Command::Help => Draft {
                reply: plain_reply(HELP),
                kind: "help",
                individual_metrics: false,
                private: false,
                sources_shareable: false,
                title: "help".into(),
            },
            Command::Unknown(c) => {
                let text = format!("Bosun does not know /{c}. {HELP}");
                Draft {
                    reply: plain_reply(&text),
                    kind: "help",
                    individual_metrics: false,
                    private: false,
                    sources_shareable: false,
                    title: "unknown".into(),
                }
            }
        })
    }

    fn ask_draft(&self, question: &str) -> Result<Draft> {
        let view = self.ask(question, ASK_PASSAGES)?;
        let mut out = vec![Block::Header {
            text: Text::Plain {
                text: cut(&format!("Ask: {question}"), 150),
            },
        }];
        if view.answers.is_empty() {
            let why = view
                .refusal
                .clone()
                .unwrap_or_else(|| "no passage is confident enough".into());
            let line = format!("Bosun found nothing it can cite for this: {why}");
            out.push(Block::Section {
                text: Text::Mrkdwn {
                    text: blocks::escape(&line),
                },
            });
        }
        for a in &view.answers {
            let cited = cut(a.cited_text.trim(), PASSAGE_CHARS);
            let quoted: String = cited
                .lines()
                .map(|l| format!("> {}", blocks::escape(l)))
                .collect::<Vec<_>>()
                .join("\n");
            let heading = if a.heading.is_empty() {
                String::new()
            } else {
                format!(" — {}", blocks::escape(&a.heading))
            };
            out.push(Block::Section {
                text: Text::Mrkdwn {
                    text: format!(
                        "*{}* lines {}–{}{heading}\n{quoted}",
                        blocks::escape(&a.file),
                        a.start_line,
                        a.end_line
                    ),
                },
            });
        }
        if !view.experts.is_empty() {
            let names: Vec<String> = view.experts.iter().map(|e| e.name.clone()).collect();
            out.push(Block::Context {
                elements: vec![Text::Mrkdwn {
                    text: blocks::escape(&format!("Who knows this: {}", names.join(", "))),
                }],
            });
        }
        let sources_shareable = !view.answers.is_empty()
            && view
                .answers
                .iter()
                .all(|a| self.config.slack.shareable(&a.root, &a.file));
        Ok(Draft {
            reply: SlackReply {
                response_type: ResponseType::Ephemeral,
                text: format!("Ask: {question}"),
                blocks: out,
            },
            kind: "ask",
            individual_metrics: false,
            private: false,
            sources_shareable,
            title: format!("ask: {} passage(s)", view.answers.len()),
        })
    }

    /// The Slack source whose app-level token answers commands, with that token
    /// ([`App::slack_app_token`]). `None` when commands are off or no Slack source has one.
    pub async fn slack_commands_source(
        &self,
    ) -> Result<Option<(bosun_store::sync_state::Source, Sensitive<String>)>> {
        if !self.config.slack.commands {
            return Ok(None);
        }
        let sources = {
            let store = self.store()?;
            bosun_store::sync_state::sources(store.conn())?
        };
        for s in sources.into_iter().filter(|s| s.kind == Provider::Slack) {
            if let Some((token, _)) = self.slack_app_token(&s).await? {
                return Ok(Some((s, token)));
            }
        }
        Ok(None)
    }

    /// Answer Slack commands over Socket Mode until `stop` turns true: each acknowledged on
    /// arrival, answered from the engines (off the async runtime), the answer posted to its
    /// response URL. `Ok(None)` when there is nothing to listen for (commands off, no app token).
    /// `status`, when given, follows the connection (Settings shows it).
    pub async fn listen_slack(
        self: Arc<Self>,
        stop: watch::Receiver<bool>,
        sink: Arc<dyn EventSink>,
        status: Option<watch::Sender<SocketStatus>>,
    ) -> Result<Option<SocketStats>> {
        let Some((source, token)) = self.slack_commands_source().await? else {
            return Ok(None);
        };
        let api = source
            .base_url
            .clone()
            .unwrap_or_else(|| "https://slack.com".into());
        let cfg = self.config.http();
        let mut client = SocketMode::new(&api, token, cfg.clone(), sink.clone())?;
        if let Some(status) = status {
            client = client.with_status(status);
        }
        // The bot token's client: drafts are offered to the manager with it.
        let endpoints = match self.endpoints(&[source.id]).await {
            Ok(e) => Some(e),
            Err(e) => {
                tracing::warn!("slack: drafts will not be offered in Slack: {e}");
                None
            }
        };
        let bot = endpoints.as_ref().and_then(|e| e.by_source.get(&source.id));
        let (tx, mut rx) = mpsc::unbounded_channel::<Delivery>();
        let run = tokio::spawn(async move { client.run(tx, stop).await });
        let mut offer = tokio::time::interval(OFFER_EVERY);
        loop {
            let d = tokio::select! {
                d = rx.recv() => match d {
                    Some(d) => d,
                    None => break,
                },
                _ = offer.tick() => {
                    if let Some(ep) = bot
                        && let Err(e) = self.offer_drafts_in_slack(ep).await
                    {
                        tracing::warn!("slack: drafts not offered: {e}");
                    }
                    continue;
                }
            };
            let (c, mention) = match d.incoming {
                Incoming::Command(c) => (c, None),
                Incoming::Interaction(payload) => {
                    if let Err(e) = self
                        .slack_interaction(&payload, &api, bot, sink.clone())
                        .await
                    {
                        tracing::warn!("slack: a button press failed: {e}");
                    }
                    continue;
                }
                Incoming::Event(payload) => match mention_command(&payload) {
                    Some((c, m)) => (c, Some(m)),
                    None => {
                        tracing::debug!(envelope = %d.envelope_id, "slack: an event, not answered");
                        continue;
                    }
                },
            };
            let app = self.clone();
            let cmd = c.clone();
            let answered = tokio::task::spawn_blocking(move || app.answer_slack_command(&cmd))
                .await
                .map_err(|e| AppError::Internal(e.to_string()))?;
            let reply = match answered {
                Ok(a) => serde_json::to_value(&a.reply)?,
                Err(e) => {
                    tracing::warn!("slack: {} {}: {e}", c.command, c.text);
                    serde_json::to_value(plain_reply(&format!("Bosun could not answer: {e}")))?
                }
            };
            if let Some(m) = mention {
                // An @mention has no response URL: the answer goes in its thread, through the
                // bot token — to the asker only unless the policy lets the channel see it.
                let Some(ep) = bot else {
                    tracing::warn!("slack: an @mention not answered: no bot token");
                    continue;
                };
                let in_channel = reply["response_type"] == "in_channel";
                let method = if in_channel {
                    "chat.postMessage"
                } else {
                    "chat.postEphemeral"
                };
                let mut body = json!({
                    "channel": m.channel,
                    "thread_ts": m.thread_ts,
                    "text": reply["text"],
                    "blocks": reply["blocks"],
                });
                if !in_channel {
                    body["user"] = json!(c.user_id);
                }
                let posted =
                    bosun_connectors::slack::post_api(&ep.http, &ep.api, method, &body).await;
                if let Err(e) = posted {
                    tracing::warn!("slack: the answer to an @mention was not delivered: {e}");
                }
                continue;
            }
            match &c.response_url {
                Some(url) => {
                    if let Err(e) =
                        socket::respond(&api, url, &reply, cfg.clone(), sink.clone()).await
                    {
                        tracing::warn!("slack: the answer to {} was not delivered: {e}", c.command);
                    }
                }
                None => tracing::warn!("slack: {} came without a response URL", c.command),
            }
        }
        let stats = run
            .await
            .map_err(|e| AppError::Internal(format!("the Slack listener stopped: {e}")))??;
        Ok(Some(stats))
    }
}

#[cfg(test)]
mod tests {
    use super::Command;

    #[test]
    fn commands_read_their_team_or_question() {
        assert_eq!(
            Command::parse("/standup", " #harbor "),
            Command::Standup {
                team: Some("harbor".into())
            }
        );
        assert_eq!(
            Command::parse("/sprint-health", ""),
            Command::SprintHealth { team: None }
        );
        assert_eq!(
            Command::parse("/ask", " how do I declare an incident "),
            Command::Ask {
                question: "how do I declare an incident".into()
            }
        );
        assert_eq!(
            Command::parse("/bosun", "triage compass"),
            Command::Triage {
                team: Some("compass".into())
            }
        );
        assert_eq!(Command::parse("/bosun", "brief"), Command::Brief);
        assert_eq!(Command::parse("/bosun", ""), Command::Help);
        assert_eq!(
            Command::parse("/deploy", "now"),
            Command::Unknown("deploy".into())
        );
    }
}

#[cfg(test)]
mod mention_tests {
    #[test]
    fn a_mention_is_the_command_it_names_answered_in_its_thread() {
        let payload = serde_json::json!({"type": "event_callback", "event": {"type": "app_mention",
            "user": "U02TOMASR", "text": "<@UBOSUNBOT> standup  harbor", "ts": "1795170000.000100",
            "channel": "C01HARBOR"}});
        let (c, m) = super::mention_command(&payload).unwrap();
        assert_eq!(
            (c.command.as_str(), c.text.as_str(), c.user_id.as_str()),
            ("/standup", "harbor", "U02TOMASR")
        );
        assert_eq!(
            m,
            super::Mention {
                channel: "C01HARBOR".into(),
                thread_ts: "1795170000.000100".into()
            }
        );
        let bare = serde_json::json!({"event": {"type": "app_mention", "user": "U1", "text": "<@UBOSUNBOT>",
            "ts": "1.2", "thread_ts": "1.1", "channel": "C1"}});
        let (c, m) = super::mention_command(&bare).unwrap();
        assert_eq!(
            (c.command.as_str(), m.thread_ts.as_str()),
            ("/bosun", "1.1")
        );
        let other = serde_json::json!({"event": {"type": "reaction_added"}});
        assert!(super::mention_command(&other).is_none());
    }
}
