//! Real GitLab payloads (go-gitlab's test data, GitLab's API examples through python-gitlab)
//! decode with the GitLab connector's types and normalize to the records the metrics read.

use bosun_connectors::github::Production;
use bosun_connectors::gitlab::{api, normalize};
use bosun_core::model::{CommentKind, PrState, Provider};
use serde::de::DeserializeOwned;
use std::path::Path;

fn fixture<T: DeserializeOwned>(rel: &str) -> T {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/gitlab")
        .join(rel);
    let bytes = std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

#[test]
fn a_real_merge_request_is_a_pull_request() {
    let m: api::MergeRequest = fixture("get_merge_request.json");
    let pr = normalize::pull(&m);
    assert_eq!((pr.number, pr.external_id.as_str()), (14656, "33092005"));
    assert_eq!(pr.state, PrState::Open);
    assert!(!pr.merged && pr.merged_at.is_none() && pr.merge_commit_sha.is_none());
    // `changes_count` is a string in GitLab's answer.
    assert_eq!(pr.changed_files, Some(35));
    assert_eq!(pr.head_ref.as_deref(), Some("delete-designs-v2"));
    assert_eq!(pr.base_ref.as_deref(), Some("master"));
    let author = pr.author.as_ref().unwrap();
    assert_eq!(author.provider, Provider::Gitlab);
    assert_eq!(author.login.as_deref(), Some("alexkalderimis"));
    assert_eq!(author.display_name.as_deref(), Some("Alex Kalderimis"));
    assert!(!author.is_bot);
    assert_eq!(
        pr.requested_reviewers
            .iter()
            .map(|a| a.login.as_deref().unwrap())
            .collect::<Vec<_>>(),
        vec!["tkuah"]
    );
    assert!(pr.labels.contains(&"database::reviewed".to_string()));
    assert_eq!(pr.labels.len(), 9);
}

#[test]
fn a_real_merge_request_list_decodes_with_drafts_from_the_old_field() {
    let list: Vec<api::MergeRequest> = fixture("get_merge_requests.json");
    let prs: Vec<_> = list.iter().map(normalize::pull).collect();
    assert_eq!(
        prs.iter().map(|p| p.number).collect::<Vec<_>>(),
        vec![15442, 15441, 15440]
    );
    // These payloads predate `draft`: `work_in_progress` says it.
    assert_eq!(
        prs.iter().map(|p| p.draft).collect::<Vec<_>>(),
        vec![true, true, false]
    );
}

#[test]
fn a_commit_without_dates_is_skipped_not_invented() {
    let c: api::Commit = fixture("get_commit.json");
    assert_eq!(c.parent_ids.len(), 1);
    // go-gitlab's trimmed commit has no date at all: the connector skips it with a warning
    // rather than give it a made-up time.
    assert!(normalize::commit(&c).is_none());
    let mut dated: serde_json::Value = fixture("get_commit.json");
    dated["created_at"] = "2019-07-11T22:34:43.500+02:00".into();
    let c: api::Commit = serde_json::from_value(dated).unwrap();
    let rec = normalize::commit(&c).unwrap();
    assert_eq!(rec.authored_at, 1_562_877_283);
    assert_eq!(rec.sha, c.id);
    assert!(rec.author.is_none(), "GitLab commit lists name no account");
}

#[test]
fn a_real_user_keeps_its_public_email() {
    let u: api::User = fixture("get_user.json");
    let a = normalize::account(&u);
    assert_eq!(a.login.as_deref(), Some("john_smith"));
    assert_eq!(a.email.as_deref(), Some("john@example.com"));
    assert!(!a.is_bot);
}

#[test]
fn real_diff_positions_become_diff_comments() {
    // Draft notes carry the same `position` as published diff notes.
    let drafts: Vec<serde_json::Value> = fixture("list_draft_notes.json");
    let position: api::Position =
        serde_json::from_value(drafts[1]["position"].clone()).expect("position");
    let m: api::MergeRequest = fixture("get_merge_request.json");
    let note = |id: i64, author: &str, uid: i64, pos: Option<&api::Position>| api::Note {
        id,
        kind: pos.map(|_| "DiffNote".to_string()),
        body: format!("note {id}"),
        author: Some(api::User {
            id: uid,
            username: author.into(),
            name: None,
            web_url: None,
            bot: None,
            public_email: None,
        }),
        created_at: api::Time(1_566_000_000 + id),
        updated_at: None,
        system: false,
        position: pos.cloned(),
    };
    let discussions = vec![
        api::Discussion {
            id: "a".into(),
            individual_note: false,
            notes: vec![
                note(1, "tkuah", 2_535_118, Some(&position)),
                note(2, "alexkalderimis", 3_614_858, Some(&position)),
            ],
        },
        api::Discussion {
            id: "b".into(),
            individual_note: true,
            notes: vec![note(3, "alexkalderimis", 3_614_858, None)],
        },
    ];
    let talk = normalize::conversation(&m, &discussions, &api::Approvals::default());
    let c = &talk.comments[0];
    assert_eq!(c.kind, CommentKind::Review);
    assert_eq!(c.path.as_deref(), Some("src/some-dir/some-file.js"));
    assert_eq!(c.line, Some(9));
    assert_eq!(talk.comments[1].in_reply_to.as_deref(), Some("1"));
    assert_eq!(talk.comments[2].kind, CommentKind::Issue);
    // The reviewer's thread is a review; the author's own reply and note are not.
    assert_eq!(talk.reviews.len(), 1);
    assert_eq!(talk.reviews[0].state, "COMMENTED");
    assert_eq!(
        talk.reviews[0].commit_sha.as_deref(),
        Some("2c972dbf9094c380f5f00dcd8112d2c69b24c859")
    );
}

#[test]
fn a_real_deployment_without_a_tier_is_production_by_name() {
    let d: api::Deployment = fixture("pygitlab/deployments__response_get_content.json");
    assert!(d.environment.tier.is_none());
    let rec = normalize::deployment(&d, &Production::default());
    assert!(rec.production);
    assert_eq!(rec.environment, "production");
    assert_eq!(rec.statuses.len(), 1);
    assert_eq!(rec.statuses[0].state, "success");
    // No `finished_at` on the deployment: its last update is when it ended.
    assert_eq!(rec.statuses[0].created_at, 1_470_915_241);
    assert_eq!(
        rec.creator.as_ref().and_then(|a| a.login.as_deref()),
        Some("root")
    );
    // A tier says production whatever the name; names given by the source win over both.
    let mut staging = d.clone();
    staging.environment.name = "eu-live-1".into();
    staging.environment.tier = Some("production".into());
    assert!(normalize::deployment(&staging, &Production::default()).production);
    let only = Production::new(&["gke-prod".into()], None).unwrap();
    assert!(!normalize::deployment(&staging, &only).production);
}

#[test]
fn real_jobs_and_pipelines_decode() {
    let job: api::Job = fixture("pygitlab/jobs__failed_job_content.json");
    let run = normalize::check_run(&job, "a91957a858320c0e17f3a0eca7cfacbff50ea29a");
    assert_eq!(run.name, "test / rubocop");
    assert_eq!(
        (run.status.as_str(), run.conclusion.as_deref()),
        ("completed", Some("failure"))
    );
    // The job's commit names no sha: the pipeline's is used.
    assert_eq!(run.head_sha, "a91957a858320c0e17f3a0eca7cfacbff50ea29a");
    assert_eq!(run.completed_at.unwrap() - run.started_at.unwrap(), 1);
    let p: api::Pipeline = fixture("pygitlab/pipelines__pipeline_content.json");
    assert_eq!((p.id, p.status.as_str()), (46, "pending"));
    assert_eq!(p.ref_name.as_deref(), Some("main"));
}
