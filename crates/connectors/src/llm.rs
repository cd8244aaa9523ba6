//! An OpenAI-compatible chat-completions client (`POST {base}/chat/completions`): a local Ollama
//! (`http://127.0.0.1:11434/v1`) by default, or any compatible endpoint. One attempt, no retries:
//! the caller falls back to its deterministic text on any failure (a timeout, a 429, a malformed
//! answer), so a slow or absent model never holds a note up.

use crate::http::{Auth, HttpClient, HttpConfig};
use crate::{ConnectorError, NullSink, Result};
use bosun_core::secret::Sensitive;
use serde::Deserialize;
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct LlmEndpoint {
    /// Up to and including the API version: `http://127.0.0.1:11434/v1`.
    pub base_url: String,
    pub model: String,
    /// Sent as a bearer token when set (local servers usually need none).
    pub api_key: Option<Sensitive<String>>,
    pub timeout: Duration,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Completion {
    pub text: String,
    /// The model that answered (as the server names it).
    pub model: String,
    pub id: Option<String>,
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
}

#[derive(Deserialize)]
struct Answer {
    id: Option<String>,
    model: Option<String>,
    choices: Vec<Choice>,
    usage: Option<Usage>,
}

#[derive(Deserialize)]
struct Choice {
    message: Message,
}

#[derive(Deserialize)]
struct Message {
    content: Option<String>,
}

#[derive(Deserialize)]
struct Usage {
    prompt_tokens: Option<u64>,
    completion_tokens: Option<u64>,
}

/// Ask `endpoint` to answer `user` under the `system` instructions, in at most `max_tokens`.
pub async fn complete(
    endpoint: &LlmEndpoint,
    system: &str,
    user: &str,
    max_tokens: u32,
) -> Result<Completion> {
    let auth = endpoint.api_key.clone().map_or(Auth::None, Auth::Bearer);
    let cfg = HttpConfig {
        timeout: endpoint.timeout,
        max_attempts: 1,
        concurrency: 1,
        ..HttpConfig::default()
    };
    let client = HttpClient::new(
        "llm",
        &endpoint.base_url,
        auth,
        Default::default(),
        cfg,
        Arc::new(NullSink),
    )?;
    let url = format!(
        "{}/chat/completions",
        endpoint.base_url.trim_end_matches('/')
    );
    let body = serde_json::json!({
        "model": endpoint.model,
        "messages": [
            {"role": "system", "content": system},
            {"role": "user", "content": user},
        ],
        "max_tokens": max_tokens,
        "temperature": 0.2,
        "stream": false,
    });
    let answer: Answer = client.post_json(&url, &body).await?;
    let text = answer
        .choices
        .into_iter()
        .next()
        .and_then(|c| c.message.content)
        .filter(|t| !t.trim().is_empty())
        .ok_or_else(|| ConnectorError::Malformed {
            url: url.clone(),
            detail: "no message content in choices[0]".into(),
        })?;
    let usage = answer.usage.unwrap_or(Usage {
        prompt_tokens: None,
        completion_tokens: None,
    });
    Ok(Completion {
        // Servers that do not count tokens: about four characters a token.
        prompt_tokens: usage
            .prompt_tokens
            .unwrap_or(((system.len() + user.len()) / 4) as u64),
        completion_tokens: usage.completion_tokens.unwrap_or((text.len() / 4) as u64),
        text,
        model: answer.model.unwrap_or_else(|| endpoint.model.clone()),
        id: answer.id,
    })
}
