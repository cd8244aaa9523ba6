//! The fake GitLab's own tests, over real HTTP.

use super::*;
use crate::testkit::{Answer, demo, send};
use crate::{DEMO_TOKEN, FaultConfig, RunningFake, ServeOptions, start_gitlab};
use bosun_demo::RealWorld;
use std::sync::OnceLock;

/// The same world shaped like a real organisation (forks, archived and empty repositories).
fn shaped() -> Arc<World> {
    static W: OnceLock<Arc<World>> = OnceLock::new();
    W.get_or_init(|| {
        Arc::new(
            (*demo())
                .clone()
                .real_world_shaped(RealWorld { big_repo_pulls: 40 }),
        )
    })
    .clone()
}

async fn serve(world: Arc<World>) -> RunningFake {
    start_gitlab(world, &ServeOptions::default()).await.unwrap()
}

async fn get_url(url: &str) -> Answer {
    send(
        reqwest::Client::new()
            .get(url)
            .header("PRIVATE-TOKEN", DEMO_TOKEN),
    )
    .await
}

async fn get(fake: &RunningFake, path: &str) -> Answer {
    get_url(&format!("{}{path}", fake.base_url)).await
}

/// Every item of a list, following `Link: rel="next"`, and the pages it took.
async fn all_pages(fake: &RunningFake, path: &str) -> (Vec<Value>, usize) {
    let mut url = Some(format!("{}{path}", fake.base_url));
    let (mut items, mut pages) = (Vec::new(), 0);
    while let Some(u) = url.take() {
        let a = get_url(&u).await;
        assert_eq!(a.status, 200, "{u}: {}", a.text);
        items.extend(a.body.as_array().unwrap().iter().cloned());
        pages += 1;
        url = a.next();
    }
    (items, pages)
}

fn ids(items: &[Value], key: &str) -> Vec<i64> {
    items.iter().map(|v| v[key].as_i64().unwrap()).collect()
}

fn project_path(r: &Repo) -> String {
    format!("/api/v4/projects/tidewater%2F{}", r.name)
}

/// The repository with the most pull requests whose review comments have replies.
fn busy_repo(w: &World) -> &Repo {
    w.repos
        .iter()
        .filter(|r| r.review_comments.iter().any(|c| c.in_reply_to.is_some()))
        .max_by_key(|r| r.pulls.len())
        .unwrap()
}

#[tokio::test]
async fn a_wrong_token_is_refused_and_either_header_accepted() {
    let fake = serve(demo()).await;
    let url = format!("{}/api/v4/user", fake.base_url);
    let c = reqwest::Client::new();
    for req in [
        c.get(&url),
        c.get(&url).header("PRIVATE-TOKEN", "nope"),
        c.get(&url).header("authorization", "Bearer nope"),
    ] {
        let a = send(req).await;
        assert_eq!(a.status, 401);
        assert_eq!(a.body, json!({"message": "401 Unauthorized"}));
    }
    let w = demo();
    let me = &w.org.person(&w.org.company.me).unwrap().github;
    for req in [
        c.get(&url).header("PRIVATE-TOKEN", DEMO_TOKEN),
        c.get(&url)
            .header("authorization", format!("Bearer {DEMO_TOKEN}")),
    ] {
        let a = send(req).await;
        assert_eq!(a.status, 200, "{}", a.text);
        assert_eq!(a.body["username"], json!(me));
        assert_eq!(a.body["web_url"], json!(format!("{WEB}/{me}")));
        assert_eq!(a.header("ratelimit-limit"), Some("5000"));
        assert!(a.header("ratelimit-remaining").is_some());
        assert!(a.header("ratelimit-reset").is_some());
    }
}

#[tokio::test]
async fn group_projects_page_by_keyset_through_every_repository_once() {
    let w = shaped();
    let fake = serve(w.clone()).await;
    let group = get(&fake, "/api/v4/groups/tidewater").await;
    assert_eq!(group.body["id"], json!(GROUP_ID));
    assert_eq!(group.body["name"], json!("Tidewater Labs"));
    assert_eq!(
        get(&fake, &format!("/api/v4/groups/{GROUP_ID}")).await.body,
        group.body
    );
    let (items, pages) = all_pages(
        &fake,
        "/api/v4/groups/tidewater/projects?include_subgroups=true&pagination=keyset&order_by=id&sort=asc&per_page=4",
    )
    .await;
    let got = ids(&items, "id");
    let mut want: Vec<i64> = w.repos.iter().map(|r| r.id).collect();
    want.sort_unstable();
    assert_eq!(got, want, "every repository once, by id");
    assert_eq!(pages, want.len().div_ceil(4));
    let first = get(
        &fake,
        "/api/v4/groups/tidewater/projects?pagination=keyset&order_by=id&sort=asc&per_page=4",
    )
    .await;
    assert_eq!(first.header("x-total"), None);
    assert!(
        first
            .next()
            .unwrap()
            .contains(&format!("id_after={}", want[3]))
    );
    // Offset pagination, and the archived filter.
    let (live, _) = all_pages(
        &fake,
        "/api/v4/groups/9001/projects?archived=false&per_page=5",
    )
    .await;
    assert_eq!(live.len(), w.repos.iter().filter(|r| !r.archived).count());
    assert!(live.iter().all(|p| p["archived"] == json!(false)));
    // The shaped world's fork, and its empty repository (whose commits are an empty list).
    let fork = items.iter().find(|p| p["name"] == "pgx").unwrap();
    assert_eq!(
        fork["forked_from_project"]["path_with_namespace"],
        json!("jackc/pgx")
    );
    let empty = items
        .iter()
        .find(|p| p["name"] == json!(bosun_demo::real_world::EMPTY))
        .unwrap();
    assert_eq!(empty["empty_repo"], json!(true));
    assert_eq!(empty["namespace"]["full_path"], json!("tidewater"));
    let commits = get(
        &fake,
        &format!("/api/v4/projects/{}/repository/commits", empty["id"]),
    )
    .await;
    assert_eq!((commits.status, commits.body), (200, json!([])));
    // A project by id and by its encoded path.
    let r = &w.repos[0];
    let by_id = get(&fake, &format!("/api/v4/projects/{}", r.id)).await;
    assert_eq!(
        by_id.body["path_with_namespace"],
        json!(format!("tidewater/{}", r.name))
    );
    assert_eq!(get(&fake, &project_path(r)).await.body, by_id.body);
    let missing = get(&fake, "/api/v4/projects/other%2Fgateway").await;
    assert_eq!(
        (missing.status, missing.body),
        (404, json!({"message": "404 Project Not Found"}))
    );
    let missing = get(&fake, "/api/v4/groups/other").await;
    assert_eq!(
        (missing.status, missing.body),
        (404, json!({"message": "404 Group Not Found"}))
    );
}

#[tokio::test]
async fn merge_requests_page_through_every_pull_once_and_filter_by_update() {
    let w = demo();
    let r = busy_repo(&w);
    let fake = serve(w.clone()).await;
    let path = format!(
        "{}/merge_requests?state=all&scope=all&order_by=updated_at&sort=asc&per_page=7",
        project_path(r)
    );
    let first = get(&fake, &path).await;
    assert_eq!(
        first.header("x-total"),
        Some(r.pulls.len().to_string().as_str())
    );
    assert_eq!(
        first.header("x-total-pages"),
        Some(r.pulls.len().div_ceil(7).to_string().as_str())
    );
    assert_eq!(first.header("x-page"), Some("1"));
    assert_eq!(first.header("x-per-page"), Some("7"));
    assert_eq!(first.header("x-next-page"), Some("2"));
    assert_eq!(first.header("x-prev-page"), Some(""));
    let link = first.header("link").unwrap();
    assert!(link.contains("rel=\"first\"") && link.contains("rel=\"last\""));
    assert!(first.next().unwrap().starts_with(&fake.base_url));
    assert!(first.next().unwrap().contains("order_by=updated_at"));
    let (items, pages) = all_pages(&fake, &path).await;
    assert_eq!(pages, r.pulls.len().div_ceil(7));
    let keys: Vec<(String, i64)> = items
        .iter()
        .map(|m| {
            (
                m["updated_at"].as_str().unwrap().to_string(),
                m["iid"].as_i64().unwrap(),
            )
        })
        .collect();
    assert!(
        keys.windows(2).all(|k| k[0] < k[1]),
        "ordered by (updated_at, iid)"
    );
    let mut got = ids(&items, "iid");
    got.sort_unstable();
    let mut want: Vec<i64> = r.pulls.iter().map(|p| p.number).collect();
    want.sort_unstable();
    assert_eq!(got, want, "every pull request once");
    let last = get_url(&format!("{}{path}&page={pages}", fake.base_url)).await;
    assert_eq!(last.header("x-next-page"), Some(""));
    assert_eq!(last.next(), None);
    // updated_after keeps those updated at or after it.
    let mut times: Vec<Ts> = r.pulls.iter().map(|p| p.updated_at).collect();
    times.sort_unstable();
    let t = times[times.len() / 2];
    let (after, _) = all_pages(&fake, &format!("{path}&updated_after={}", ts(t))).await;
    assert_eq!(after.len(), times.iter().filter(|&&u| u >= t).count());
    assert!(after.len() < r.pulls.len());
    let bad = get(&fake, &format!("{path}&updated_after=yesterday")).await;
    assert_eq!(
        (bad.status, bad.body),
        (400, json!({"error": "updated_after is invalid"}))
    );
    // The merge request itself, with its state and counts.
    let p = r.pulls.iter().find(|p| p.merged_at.is_some()).unwrap();
    let mr = get(
        &fake,
        &format!("{}/merge_requests/{}", project_path(r), p.number),
    )
    .await;
    assert_eq!(mr.body["id"], json!(p.id));
    assert_eq!(mr.body["state"], json!("merged"));
    assert_eq!(mr.body["changes_count"], json!(p.changed_files.to_string()));
    assert_eq!(mr.body["sha"], json!(p.head_sha(r)));
    assert_eq!(
        mr.body["references"]["full"],
        json!(format!("tidewater/{}!{}", r.name, p.number))
    );
    let commits = get(
        &fake,
        &format!(
            "{}/merge_requests/{}/commits?per_page=100",
            project_path(r),
            p.number
        ),
    )
    .await;
    let want: Vec<&str> = p
        .commits
        .iter()
        .rev()
        .map(|&i| r.commits[i].sha.as_str())
        .collect();
    let got: Vec<&str> = commits
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(got, want, "newest first");
    let missing = get(&fake, &format!("{}/merge_requests/999999", project_path(r))).await;
    assert_eq!(missing.status, 404);
}

#[tokio::test]
async fn replies_join_the_discussion_of_their_root_comment() {
    let w = demo();
    let r = busy_repo(&w);
    let reply = r
        .review_comments
        .iter()
        .find(|c| c.in_reply_to.is_some())
        .unwrap();
    let root = r
        .review_comments
        .iter()
        .find(|c| Some(c.id) == reply.in_reply_to)
        .unwrap();
    let p = r
        .pulls
        .iter()
        .find(|p| p.number == reply.pull_number)
        .unwrap();
    let fake = serve(w.clone()).await;
    let (list, _) = all_pages(
        &fake,
        &format!(
            "{}/merge_requests/{}/discussions?per_page=3",
            project_path(r),
            p.number
        ),
    )
    .await;
    let thread = list
        .iter()
        .find(|d| d["notes"][0]["id"] == json!(root.id))
        .unwrap();
    assert_eq!(thread["individual_note"], json!(false));
    assert_eq!(thread["id"].as_str().unwrap().len(), 40);
    let note_ids = ids(thread["notes"].as_array().unwrap(), "id");
    assert!(note_ids.contains(&reply.id), "{thread}");
    let first = &thread["notes"][0];
    assert_eq!(first["type"], json!("DiffNote"));
    assert_eq!(first["position"]["new_path"], json!(root.path));
    assert_eq!(first["position"]["new_line"], json!(root.line));
    assert_eq!(first["position"]["head_sha"], json!(root.commit_sha));
    assert_eq!(first["noteable_iid"], json!(p.number));
    // Every review comment, conversation comment and review appears; system notes stand alone.
    let all: Vec<&Value> = list
        .iter()
        .flat_map(|d| d["notes"].as_array().unwrap())
        .collect();
    let comments = r
        .review_comments
        .iter()
        .filter(|c| c.pull_number == p.number)
        .count()
        + r.issue_comments
            .iter()
            .filter(|c| c.number == p.number)
            .count();
    let plain = all.iter().filter(|n| n["system"] == json!(false)).count();
    let commented = p
        .reviews
        .iter()
        .filter(|rv| rv.state == "COMMENTED" && !rv.body.is_empty())
        .count();
    assert_eq!(plain, comments + commented);
    for rv in p.reviews.iter().filter(|rv| rv.state == "APPROVED") {
        let d = list
            .iter()
            .find(|d| d["notes"][0]["id"] == json!(rv.id))
            .unwrap();
        assert_eq!(d["individual_note"], json!(true));
        assert_eq!(d["notes"][0]["body"], json!("approved this merge request"));
        assert_eq!(d["notes"][0]["system"], json!(true));
    }
    let firsts: Vec<(String, i64)> = list
        .iter()
        .map(|d| {
            (
                d["notes"][0]["created_at"].as_str().unwrap().to_string(),
                d["notes"][0]["id"].as_i64().unwrap(),
            )
        })
        .collect();
    assert!(
        firsts.windows(2).all(|k| k[0] < k[1]),
        "ordered by first note"
    );
    let mr = get(
        &fake,
        &format!("{}/merge_requests/{}", project_path(r), p.number),
    )
    .await;
    assert_eq!(mr.body["user_notes_count"], json!(plain));
}

#[test]
fn note_ids_never_collide_within_a_project() {
    for w in [demo(), shaped()] {
        for r in &w.repos {
            let by_pull = comments_by_pull(r);
            let mut seen = HashSet::new();
            for p in &r.pulls {
                for (_, notes) in discussions(&w, r, by_pull.get(&p.number), p) {
                    for n in notes {
                        assert!(seen.insert(n.id), "{}: note {} twice", r.name, n.id);
                    }
                }
            }
        }
    }
}

#[test]
fn timeline_events_become_gitlabs_system_notes() {
    let w = demo();
    let mut bodies: HashMap<String, usize> = HashMap::new();
    for r in &w.repos {
        for p in &r.pulls {
            for e in &p.events {
                if let Some(b) = event_note(&w, p, e) {
                    let kind = b.split(' ').take(2).collect::<Vec<_>>().join(" ");
                    *bodies.entry(kind).or_default() += 1;
                }
            }
        }
    }
    for kind in ["requested review", "added ~\"", "marked this", "merged"] {
        assert!(
            bodies.keys().any(|k| k.starts_with(kind)),
            "{kind} missing from {bodies:?}"
        );
    }
    let merged = w
        .repos
        .iter()
        .flat_map(|r| &r.pulls)
        .find(|p| p.merged_at.is_some())
        .unwrap();
    let closed = merged.events.iter().find(|e| e.event == "closed").unwrap();
    assert_eq!(
        event_note(&w, merged, closed),
        None,
        "a merge is not also a close"
    );
}

#[tokio::test]
async fn approvals_agree_with_the_reviews() {
    let w = demo();
    let r = busy_repo(&w);
    let fake = serve(w.clone()).await;
    let mut seen_approved = 0;
    for p in r.pulls.iter().filter(|p| !p.reviews.is_empty()).take(25) {
        let a = get(
            &fake,
            &format!("{}/merge_requests/{}/approvals", project_path(r), p.number),
        )
        .await;
        let mut want: Vec<i64> = Vec::new();
        for rv in &p.reviews {
            let last = p
                .reviews
                .iter()
                .rev()
                .find(|x| x.reviewer == rv.reviewer)
                .unwrap();
            let id = w.users[rv.reviewer].id;
            if rv.state == "APPROVED" && last.state == "APPROVED" && !want.contains(&id) {
                want.push(id);
            }
        }
        let got: Vec<i64> = a.body["approved_by"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["user"]["id"].as_i64().unwrap())
            .collect();
        assert_eq!(got, want, "!{}", p.number);
        assert_eq!(a.body["approved"], json!(!want.is_empty()));
        assert_eq!(a.body["approvals_left"], json!(i32::from(want.is_empty())));
        seen_approved += usize::from(!want.is_empty());
    }
    assert!(seen_approved > 0);
}

#[tokio::test]
async fn pipelines_and_jobs_match_the_check_runs() {
    let w = demo();
    let r = w
        .repos
        .iter()
        .filter(|r| !r.check_runs.is_empty())
        .min_by_key(|r| r.check_runs.len())
        .unwrap();
    let fake = serve(w.clone()).await;
    let (list, _) = all_pages(
        &fake,
        &format!(
            "/api/v4/projects/{}/pipelines?order_by=updated_at&sort=asc&per_page=100",
            r.id
        ),
    )
    .await;
    let shas: HashSet<&str> = r.check_runs.iter().map(|c| c.head_sha.as_str()).collect();
    assert_eq!(list.len(), shas.len());
    let mut jobs = 0;
    for pl in &list {
        let sha = pl["sha"].as_str().unwrap();
        let runs: Vec<i64> = r
            .check_runs
            .iter()
            .filter(|c| c.head_sha == sha)
            .map(|c| c.id)
            .collect();
        assert_eq!(
            pl["id"],
            json!(runs.iter().min().unwrap() + PIPELINE_ID_OFFSET)
        );
        let (js, _) = all_pages(
            &fake,
            &format!(
                "/api/v4/projects/{}/pipelines/{}/jobs?include_retried=true&per_page=100",
                r.id, pl["id"]
            ),
        )
        .await;
        let mut got = ids(&js, "id");
        got.sort_unstable();
        let mut want = runs.clone();
        want.sort_unstable();
        assert_eq!(got, want);
        assert!(js.iter().all(|j| j["pipeline"]["id"] == pl["id"]));
        jobs += js.len();
    }
    assert_eq!(jobs, r.check_runs.len());
    let updated: Vec<&str> = list
        .iter()
        .map(|p| p["updated_at"].as_str().unwrap())
        .collect();
    assert!(updated.windows(2).all(|u| u[0] <= u[1]));
    let missing = get(
        &fake,
        &format!("/api/v4/projects/{}/pipelines/1/jobs", r.id),
    )
    .await;
    assert_eq!(missing.status, 404);
}

#[tokio::test]
async fn deployments_environments_releases_tags_and_codeowners() {
    let w = demo();
    let r = w
        .repos
        .iter()
        .filter(|r| !r.codeowners.is_empty() && !r.releases.is_empty())
        .max_by_key(|r| r.deployments.len())
        .unwrap();
    let fake = serve(w.clone()).await;
    let base = project_path(r);
    let (deps, _) = all_pages(
        &fake,
        &format!("{base}/deployments?order_by=updated_at&sort=asc&per_page=20"),
    )
    .await;
    assert_eq!(deps.len(), r.deployments.len());
    let (envs, _) = all_pages(&fake, &format!("{base}/environments")).await;
    let mut names: Vec<&str> = r
        .deployments
        .iter()
        .map(|d| d.environment.as_str())
        .collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(
        envs.iter()
            .map(|e| e["name"].as_str().unwrap())
            .collect::<Vec<_>>(),
        names
    );
    for d in &deps {
        let env = envs
            .iter()
            .find(|e| e["name"] == d["environment"]["name"])
            .unwrap();
        assert_eq!(d["environment"]["id"], env["id"]);
        assert_eq!(
            d["deployable"]["id"],
            json!(d["id"].as_i64().unwrap() + DEPLOYABLE_ID_OFFSET)
        );
    }
    let prod = envs.iter().find(|e| e["name"] == "production").unwrap();
    assert_eq!(prod["tier"], json!("production"));
    let (prod_deps, _) = all_pages(
        &fake,
        &format!("{base}/deployments?environment=production&per_page=100"),
    )
    .await;
    assert_eq!(
        prod_deps.len(),
        r.deployments
            .iter()
            .filter(|d| d.environment == "production")
            .count()
    );
    let releases = get(&fake, &format!("{base}/releases?per_page=100")).await;
    assert_eq!(releases.body.as_array().unwrap().len(), r.releases.len());
    let tags = get(&fake, &format!("{base}/repository/tags?per_page=100")).await;
    assert_eq!(tags.body.as_array().unwrap().len(), r.tags.len());
    let owners = get(
        &fake,
        &format!(
            "{base}/repository/files/CODEOWNERS/raw?ref={}",
            r.default_branch
        ),
    )
    .await;
    assert_eq!(owners.status, 200);
    assert_eq!(owners.text, r.codeowners);
    assert!(
        owners
            .header("content-type")
            .unwrap()
            .starts_with("text/plain")
    );
    let elsewhere = get(
        &fake,
        &format!("{base}/repository/files/.gitlab%2FCODEOWNERS/raw?ref=main"),
    )
    .await;
    assert_eq!(
        (elsewhere.status, elsewhere.body),
        (404, json!({"message": "404 File Not Found"}))
    );
}

#[tokio::test]
async fn faults_conditional_requests_and_rate_limits() {
    let w = demo();
    let r = busy_repo(&w);
    let fake = serve(w.clone()).await;
    let mrs = format!("{}/merge_requests", project_path(r));
    let a = get(&fake, &mrs).await;
    let etag = a.header("etag").unwrap().to_string();
    let again = send(
        reqwest::Client::new()
            .get(format!("{}{mrs}", fake.base_url))
            .header("PRIVATE-TOKEN", DEMO_TOKEN)
            .header("if-none-match", &etag),
    )
    .await;
    assert_eq!(again.status, 304);
    fake.faults.set(FaultConfig {
        server_errors: Some(crate::faults::Burst {
            count: 1,
            path_contains: Some("/merge_requests".into()),
            status: 503,
        }),
        ..Default::default()
    });
    assert_eq!(
        get(&fake, &format!("{}/pipelines", project_path(r)))
            .await
            .status,
        200
    );
    assert_eq!(get(&fake, &mrs).await.status, 503);
    assert_eq!(get(&fake, &mrs).await.status, 200);
    fake.faults.set(FaultConfig {
        secondary_rate_limit: Some(crate::faults::SecondaryLimit {
            requests: 1,
            retry_after_secs: 7,
            status: 403,
            no_retry_after: false,
        }),
        ..Default::default()
    });
    let limited = get(&fake, &mrs).await;
    assert_eq!(limited.status, 429);
    assert_eq!(limited.header("retry-after"), Some("7"));
    assert_eq!(limited.body, json!({"message": "429 Too Many Requests"}));
    fake.faults.set(FaultConfig {
        primary_rate_limit: Some(crate::faults::PrimaryLimit {
            remaining: 0,
            reset_after_secs: 30,
        }),
        ..Default::default()
    });
    let limited = get(&fake, &mrs).await;
    assert_eq!(limited.status, 429);
    assert_eq!(limited.header("ratelimit-remaining"), Some("0"));
    let secs: u64 = limited.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=30).contains(&secs));
    fake.faults.clear();
    assert_eq!(get(&fake, &mrs).await.status, 200);
}
