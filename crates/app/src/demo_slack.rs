//! `bosun demo slack "/standup harbor" [--as PERSON]`: type a slash command into the running
//! demo's fake Slack as one of its users and wait for the answer Bosun posts back — what that
//! user would see in Slack. A running demo (`bosun serve --demo`, the desktop demo) says where
//! its fake Slack and its data are in [`running_file`].

use crate::{App, AppError, Result};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// What a running demo announces.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunningDemo {
    /// The fake Slack's base URL.
    pub slack: String,
    /// The demo's data folder.
    pub data_dir: PathBuf,
    /// The process serving it.
    pub pid: u32,
}

/// Where the running demo of this user is announced (private to the user: the temp dir, with
/// the user's name in it).
pub fn running_file() -> PathBuf {
    let user = std::env::var("USER").unwrap_or_else(|_| "user".into());
    std::env::temp_dir().join(format!("bosun-demo-{user}.json"))
}

/// Announce a running demo (its fake Slack at `slack`).
pub fn announce(app: &App, slack: &str) -> Result<()> {
    let file = running_file();
    let body = serde_json::to_vec_pretty(&RunningDemo {
        slack: slack.to_string(),
        data_dir: app.paths.data_dir.clone(),
        pid: std::process::id(),
    })?;
    std::fs::write(&file, body).map_err(|e| AppError::Io {
        path: file.display().to_string(),
        source: e,
    })
}

/// Withdraw the announcement, if it is this process's.
pub fn withdraw() {
    let file = running_file();
    let mine = std::fs::read(&file)
        .ok()
        .and_then(|b| serde_json::from_slice::<RunningDemo>(&b).ok())
        .is_some_and(|r| r.pid == std::process::id());
    if mine {
        let _ = std::fs::remove_file(file);
    }
}

/// The running demo: the one announced, or — with `data_dir` — the demo synced there (its
/// Slack source's address).
pub fn running(data_dir: Option<&Path>) -> Result<RunningDemo> {
    if let Some(dir) = data_dir {
        let app = App::new(
            crate::Paths::in_dir(dir),
            std::sync::Arc::new(bosun_core::clock::SystemClock),
        )?;
        let store = app.store()?;
        let slack = bosun_store::sync_state::sources(store.conn())?
            .into_iter()
            .find(|s| s.demo && s.kind == bosun_core::model::Provider::Slack)
            .and_then(|s| s.base_url)
            .ok_or_else(|| {
                AppError::NotFound(format!("{} holds no demo Slack source", dir.display()))
            })?;
        return Ok(RunningDemo {
            slack,
            data_dir: dir.to_path_buf(),
            pid: 0,
        });
    }
    let file = running_file();
    let bytes = std::fs::read(&file).map_err(|_| {
        AppError::NotFound(
            "no demo is running: start one with `bosun serve --demo` (or the desktop app's demo), or pass --data-dir".into(),
        )
    })?;
    serde_json::from_slice(&bytes).map_err(|e| {
        AppError::InvalidInput(format!(
            "{}: not a running demo's file: {e}",
            file.display()
        ))
    })
}

/// What `bosun demo slack` prints.
#[derive(Debug, Clone, Serialize)]
pub struct DemoSlackReply {
    pub command: String,
    /// Who typed it: the Slack user id, and their name when Bosun knows them.
    pub user_id: String,
    pub user: Option<String>,
    pub envelope_id: String,
    /// What Slack shows (the answer posted to the command's response URL).
    pub response: Value,
}

/// The fake Slack of a running demo, over HTTP.
struct FakeSlack {
    http: reqwest::Client,
    base: String,
}

impl FakeSlack {
    fn of(demo: &RunningDemo) -> Result<FakeSlack> {
        Ok(FakeSlack {
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .build()
                .map_err(|e| AppError::Internal(e.to_string()))?,
            base: demo.slack.trim_end_matches('/').to_string(),
        })
    }

    fn unreachable(&self, e: reqwest::Error) -> AppError {
        AppError::NotFound(format!(
            "the demo's Slack at {} does not answer ({e}): is the demo still running?",
            self.base
        ))
    }

    async fn call(&self, req: reqwest::RequestBuilder) -> Result<Value> {
        req.send()
            .await
            .map_err(|e| self.unreachable(e))?
            .json()
            .await
            .map_err(|e| self.unreachable(e))
    }

    /// Queue `body` on the admin route `path` (an envelope), then wait up to `wait` for the
    /// first answer posted to the response URL keyed `key` (the envelope's id when `None`).
    async fn queue_and_wait(
        &self,
        path: &str,
        body: Value,
        key: Option<String>,
        wait: Duration,
    ) -> Result<(String, Value)> {
        let queued = self
            .call(self.http.post(format!("{}{path}", self.base)).json(&body))
            .await?;
        let envelope_id = queued
            .get("envelope_id")
            .and_then(Value::as_str)
            .ok_or_else(|| AppError::Demo(format!("the fake Slack refused it: {queued}")))?
            .to_string();
        let key = key.unwrap_or_else(|| envelope_id.clone());
        let started = std::time::Instant::now();
        loop {
            let url = format!("{}/_fake/slack/socket/responses/{key}", self.base);
            let answers = self.call(self.http.get(url)).await?;
            if let Some(first) = answers.as_array().and_then(|a| a.first()) {
                return Ok((envelope_id, first.clone()));
            }
            if started.elapsed() > wait {
                return Err(AppError::NotFound(format!(
                    "no answer within {} s: is the running demo listening to Slack (it logs \"slack commands\")?",
                    wait.as_secs()
                )));
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }
}

/// Type `line` (`/standup harbor`) into the running demo's Slack as `who` (a person Bosun
/// knows — name, email, key — or a raw Slack user id; default: the demo's manager) and wait up
/// to `wait` for the answer.
pub async fn send(
    demo: &RunningDemo,
    line: &str,
    who: Option<&str>,
    wait: Duration,
) -> Result<DemoSlackReply> {
    let line = line.trim();
    if !line.starts_with('/') {
        return Err(AppError::InvalidInput(format!(
            "{line:?} is not a slash command (try \"/standup harbor\")"
        )));
    }
    let (command, text) = line.split_once(' ').unwrap_or((line, ""));
    let (user_id, user) = demo_user(demo, who)?;
    let body =
        json!({"command": command, "text": text.trim(), "user_id": user_id, "user_name": user});
    let (envelope_id, response) = FakeSlack::of(demo)?
        .queue_and_wait("/_fake/slack/socket/command", body, None, wait)
        .await?;
    Ok(DemoSlackReply {
        command: line.to_string(),
        user_id,
        user,
        envelope_id,
        response,
    })
}

/// Press Approve (`approve`) or Reject (`reject`) on the running demo's Slack message of draft
/// `id`, as `who` (default: the demo's manager), and wait for what replaced the message.
pub async fn press(
    demo: &RunningDemo,
    approve: bool,
    id: i64,
    who: Option<&str>,
    wait: Duration,
) -> Result<DemoSlackReply> {
    let (user_id, user) = demo_user(demo, who)?;
    let fake = FakeSlack::of(demo)?;
    let key = format!("press-{id}-{}", std::process::id());
    let action_id = if approve {
        "bosun_approve"
    } else {
        "bosun_reject"
    };
    let body = json!({"type": "block_actions", "user": {"id": user_id},
        "actions": [{"action_id": action_id, "value": id.to_string(), "type": "button"}],
        "response_url": format!("{}/_fake/slack/respond/{key}", fake.base)});
    let (envelope_id, response) = fake
        .queue_and_wait("/_fake/slack/socket/interaction", body, Some(key), wait)
        .await?;
    Ok(DemoSlackReply {
        command: format!("{} draft #{id}", if approve { "Approve" } else { "Reject" }),
        user_id,
        user,
        envelope_id,
        response,
    })
}

/// The Slack user id (and name) `who` names in the demo.
fn demo_user(demo: &RunningDemo, who: Option<&str>) -> Result<(String, Option<String>)> {
    let app = App::new(
        crate::Paths::in_dir(&demo.data_dir),
        std::sync::Arc::new(bosun_core::clock::SystemClock),
    )?;
    let store = app.store()?;
    let conn = store.conn();
    let person = match who {
        None => app.me(conn)?.ok_or_else(|| {
            AppError::NotFound("the demo has no manager ([identity] me): pass --as".into())
        })?,
        Some(w) => match crate::notes::resolve_person(conn, w) {
            Ok(p) => p.id,
            // An id Slack would send for someone Bosun does not know.
            Err(_) if w.starts_with('U') && w.chars().all(|c| c.is_ascii_alphanumeric()) => {
                return Ok((w.to_string(), None));
            }
            Err(e) => return Err(e),
        },
    };
    let id = bosun_store::chatops::slack_id_of(conn, person)?.ok_or_else(|| {
        AppError::NotFound(format!("person {person} has no Slack account in the demo"))
    })?;
    let name = bosun_store::chatops::asker(conn, &id)?.map(|a| a.name);
    Ok((id, name))
}

/// The reply as text, roughly as Slack shows it: the header, then each block's text.
pub fn render(reply: &DemoSlackReply) -> String {
    let r = &reply.response;
    let mut out = format!(
        "{} (as {}{}) — {}\n\n",
        reply.command,
        reply.user.as_deref().unwrap_or("an unknown user"),
        format_args!(" <{}>", reply.user_id),
        match (
            r.get("response_type").and_then(Value::as_str),
            r.get("replace_original").and_then(Value::as_bool),
        ) {
            (_, Some(true)) => "the message now reads",
            (Some("in_channel"), _) => "shown to the channel",
            _ => "only you can see this",
        }
    );
    let blocks = r.get("blocks").and_then(Value::as_array);
    match blocks {
        Some(bs) if !bs.is_empty() => {
            for b in bs {
                let text = |v: &Value| {
                    v.get("text")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .replace("&lt;", "<")
                        .replace("&gt;", ">")
                        .replace("&amp;", "&")
                };
                match b.get("type").and_then(Value::as_str) {
                    Some("header") => {
                        out.push_str(&format!("{}\n", text(&b["text"])));
                    }
                    Some("context") => {
                        for e in b["elements"].as_array().into_iter().flatten() {
                            out.push_str(&format!("{}\n", text(e)));
                        }
                    }
                    Some("section") => out.push_str(&format!("\n{}\n", text(&b["text"]))),
                    Some("divider") => out.push_str("---\n"),
                    _ => {}
                }
            }
        }
        _ => out.push_str(r.get("text").and_then(Value::as_str).unwrap_or_default()),
    }
    // One blank line between parts at most, and a final newline.
    while out.contains("\n\n\n") {
        out = out.replace("\n\n\n", "\n\n");
    }
    format!("{}\n", out.trim_end())
}
