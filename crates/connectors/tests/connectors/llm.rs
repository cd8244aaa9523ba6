//! The OpenAI-compatible client against the fake server over HTTP: an answer with its token
//! counts, and every failure the notes fall back from — a timeout, a 429, a 5xx, a truncated or
//! malformed answer, refused credentials — as a clear error, never a hang or a panic.

use bosun_connectors::ConnectorError;
use bosun_connectors::llm::{LlmEndpoint, complete};
use bosun_core::secret::Sensitive;
use bosun_fakes::faults::{Burst, FaultConfig, SecondaryLimit};
use bosun_fakes::{DEMO_TOKEN, ServeOptions, start_openai};
use std::time::Duration;

fn endpoint(base: &str, key: &str) -> LlmEndpoint {
    LlmEndpoint {
        base_url: format!("{base}/v1"),
        model: "fake-polish-1".into(),
        api_key: Some(Sensitive::new(key.to_string())),
        timeout: Duration::from_millis(1500),
    }
}

#[tokio::test]
async fn a_completion_comes_back_with_its_token_counts() {
    let fake = start_openai(&ServeOptions::default()).await.unwrap();
    let c = complete(
        &endpoint(&fake.base_url, DEMO_TOKEN),
        "Rewrite as prose.",
        "## Done\n- Merged #12\n- Reviewed #14",
        400,
    )
    .await
    .unwrap();
    assert!(
        c.text
            .starts_with("Here is the note in plain words; it covers 2 items."),
        "{}",
        c.text
    );
    assert!(c.text.contains("• Merged #12"));
    assert_eq!(c.model, "fake-polish-1");
    assert!(c.prompt_tokens > 0 && c.completion_tokens > 0);
    let sent: serde_json::Value = reqwest::get(format!("{}/_fake/openai/requests", fake.base_url))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(sent[0]["messages"][0]["content"], "Rewrite as prose.");
    assert_eq!(sent[0]["max_tokens"], 400);
}

#[tokio::test]
async fn every_failure_is_a_clear_error() {
    let fake = start_openai(&ServeOptions::default()).await.unwrap();
    let good = endpoint(&fake.base_url, DEMO_TOKEN);
    let ask = || complete(&good, "s", "- x", 50);
    let cases: Vec<(FaultConfig, &str)> = vec![
        (
            FaultConfig {
                delay_ms: Some(3000),
                ..Default::default()
            },
            "timeout",
        ),
        (
            FaultConfig {
                secondary_rate_limit: Some(SecondaryLimit {
                    requests: 1,
                    retry_after_secs: 30,
                    status: 429,
                    no_retry_after: false,
                }),
                ..Default::default()
            },
            "429",
        ),
        (
            FaultConfig {
                server_errors: Some(Burst {
                    count: 1,
                    path_contains: None,
                    status: 503,
                }),
                ..Default::default()
            },
            "503",
        ),
        (
            FaultConfig {
                truncate: Some(Burst {
                    count: 1,
                    path_contains: None,
                    status: 200,
                }),
                ..Default::default()
            },
            "malformed",
        ),
        (
            FaultConfig {
                malformed: Some(Burst {
                    count: 1,
                    path_contains: None,
                    status: 200,
                }),
                ..Default::default()
            },
            "malformed",
        ),
    ];
    for (fault, expect) in cases {
        fake.faults.set(fault);
        let started = std::time::Instant::now();
        let err = ask().await.expect_err(expect);
        let msg = err.to_string();
        match expect {
            "timeout" => assert!(
                matches!(err, ConnectorError::Unavailable { .. })
                    && started.elapsed() < Duration::from_secs(3),
                "{msg}"
            ),
            "429" | "503" => assert!(
                matches!(err, ConnectorError::Http { .. }) && msg.contains(expect),
                "{msg}"
            ),
            _ => assert!(
                matches!(err, ConnectorError::Malformed { .. }),
                "{expect}: {msg}"
            ),
        }
        fake.faults.set(FaultConfig::default());
    }
    let err = complete(&endpoint(&fake.base_url, "wrong"), "s", "- x", 50)
        .await
        .unwrap_err();
    assert!(
        matches!(err, ConnectorError::Auth { status: 401, .. }),
        "{err}"
    );
    assert!(
        ask().await.is_ok(),
        "and it works again once the faults clear"
    );
}
