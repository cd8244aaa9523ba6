//! A fake OpenAI-compatible server (`POST /v1/chat/completions`, `GET /v1/models`), for the
//! optional LLM polish of meeting notes and the written answer of `ask`. Its "model" is
//! deterministic: it answers a note with the note it was given, introduced by one sentence and with
//! each list item's dash turned into a bullet, so a test can see both that the polish happened and
//! that nothing was lost; a question over numbered passages with passage 1's first sentence,
//! marked `[1]`. Every request body is
//! kept (`GET /_fake/openai/requests`) so tests can check what left the machine. The usual faults
//! apply (`PUT /_fake/faults`): delays (timeouts), 429s, 5xx, truncated and malformed answers.

use crate::faults::Faults;
use crate::http::{self, Guard, json, json_response};
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};

/// The model the fake answers as.
pub const MODEL: &str = "fake-polish-1";

#[derive(Clone)]
struct OpenAi {
    requests: Arc<Mutex<Vec<Value>>>,
}

/// The fake OpenAI-compatible chat completions API, accepting `token`.
pub fn router(faults: Arc<Faults>, token: String) -> Router {
    let requests = Arc::new(Mutex::new(Vec::new()));
    let guard = Guard {
        faults: faults.clone(),
        token,
        style: http::Style::Http401,
    };
    Router::new()
        .route("/v1/chat/completions", post(completions))
        .route("/v1/models", get(models))
        .with_state(OpenAi {
            requests: requests.clone(),
        })
        .route_layer(axum::middleware::from_fn_with_state(guard, http::guard))
        .route(
            "/_fake/openai/requests",
            get(move || {
                let requests = requests.clone();
                async move {
                    json(&Value::Array(
                        requests.lock().unwrap_or_else(|e| e.into_inner()).clone(),
                    ))
                }
            }),
        )
        .merge(crate::github::admin_router(faults))
}

async fn models() -> Response {
    json(
        &json!({"object": "list", "data": [{"id": MODEL, "object": "model", "owned_by": "bosun-fakes"}]}),
    )
}

fn error(status: StatusCode, message: &str) -> Response {
    json_response(
        status,
        &json!({"error": {"message": message, "type": "invalid_request_error"}}),
    )
}

/// The deterministic "polish": one introductory sentence, then the text with `- ` items as `• `.
pub fn polish(text: &str) -> String {
    let items = text
        .lines()
        .filter(|l| l.trim_start().starts_with("- "))
        .count();
    let body: Vec<String> = text
        .lines()
        .map(|l| match l.find("- ") {
            Some(i) if l[..i].trim().is_empty() => format!("{}• {}", &l[..i], &l[i + 2..]),
            _ => l.to_string(),
        })
        .collect();
    format!(
        "Here is the note in plain words; it covers {items} items.\n\n{}",
        body.join("\n")
    )
}

/// The deterministic written answer to a question asked over numbered passages (`Question: …`
/// then `[1] label` and the passage): the first sentence of passage 1, marked `[1]`; `NO ANSWER`
/// when passage 1 is empty.
pub fn answer(user: &str) -> Option<String> {
    if !user.starts_with("Question: ") {
        return None;
    }
    let first = user.split("\n[1] ").nth(1)?;
    let body: String = first
        .lines()
        .skip(1)
        .take_while(|l| !l.starts_with("[2] "))
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect::<Vec<_>>()
        .join(" ");
    let sentence = body
        .split_inclusive(['.', '!', '?'])
        .next()
        .unwrap_or("")
        .trim()
        .trim_end_matches(['.', '!', '?']);
    Some(if sentence.is_empty() {
        "NO ANSWER".to_string()
    } else {
        format!("{sentence} [1].")
    })
}

async fn completions(State(s): State<OpenAi>, body: axum::body::Bytes) -> Response {
    let Ok(req) = serde_json::from_slice::<Value>(&body) else {
        return error(StatusCode::BAD_REQUEST, "the body is not JSON");
    };
    s.requests
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(req.clone());
    let Some(messages) = req["messages"].as_array().filter(|m| !m.is_empty()) else {
        return error(StatusCode::BAD_REQUEST, "messages is required");
    };
    let user = messages
        .iter()
        .rev()
        .find(|m| m["role"] == "user")
        .and_then(|m| m["content"].as_str())
        .unwrap_or("");
    let prompt: usize = messages
        .iter()
        .filter_map(|m| m["content"].as_str())
        .map(|c| c.len() / 4 + 4)
        .sum();
    let text = answer(user).unwrap_or_else(|| polish(user));
    let completion = text.len() / 4 + 1;
    let n = s.requests.lock().unwrap_or_else(|e| e.into_inner()).len();
    json(&json!({
        "id": format!("chatcmpl-fake-{n}"),
        "object": "chat.completion",
        "created": 1_795_000_000,
        "model": req["model"].as_str().unwrap_or(MODEL),
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion},
    }))
}
