//! The local git connector against repositories built here with libgit2: hand-set dates (author
//! and committer apart, time-zone offsets), a merge, annotated and lightweight tags, a bare
//! clone; full and incremental syncs, force-pushes, deleted tags, interrupted runs, watching.

use bosun_connectors::events::{Event, EventSink, NullSink};
use bosun_connectors::git::{self, GitSettings, GitStats};
use bosun_connectors::{ConnectorError, Db};
use bosun_core::HasCode;
use bosun_store::Store;
use bosun_store::sync_state::{self, NewSource, Source};
use git2::{ObjectType, Oid, Repository, RepositoryInitOptions, Signature, Time};
use rusqlite::types::ValueRef;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

const T0: i64 = 1_700_000_000;
const NOW: i64 = 1_800_000_000;
const RELEASES: &str = r"^v\d+\.\d+\.\d+$";

// ---------------------------------------------------------------------------------------------
// Building repositories
// ---------------------------------------------------------------------------------------------

struct Who(&'static str, &'static str, i64, i32);

const ANN: Who = Who("Ann Author", "ann@example.com", T0, 0);

struct Git {
    repo: Repository,
}

impl Git {
    fn init(path: &Path) -> Git {
        let mut opts = RepositoryInitOptions::new();
        opts.initial_head("main");
        Git {
            repo: Repository::init_opts(path, &opts).unwrap(),
        }
    }

    fn sig(w: &Who) -> Signature<'static> {
        Signature::new(w.0, w.1, &Time::new(w.2, w.3)).unwrap()
    }

    /// A commit with `parents` (in order), moving `branch` to it.
    fn commit(&self, branch: &str, parents: &[Oid], author: Who, committer: Who, msg: &str) -> Oid {
        let blob = self.repo.blob(msg.as_bytes()).unwrap();
        let mut tb = self.repo.treebuilder(None).unwrap();
        tb.insert("file.txt", blob, 0o100644).unwrap();
        let tree = self.repo.find_tree(tb.write().unwrap()).unwrap();
        let parents: Vec<_> = parents
            .iter()
            .map(|p| self.repo.find_commit(*p).unwrap())
            .collect();
        let refs: Vec<_> = parents.iter().collect();
        let oid = self
            .repo
            .commit(
                None,
                &Self::sig(&author),
                &Self::sig(&committer),
                msg,
                &tree,
                &refs,
            )
            .unwrap();
        self.branch(branch, oid);
        oid
    }

    /// A commit by Ann at `t` on `branch`.
    fn simple(&self, branch: &str, parents: &[Oid], t: i64, msg: &str) -> Oid {
        let who = || Who("Ann Author", "ann@example.com", t, 0);
        self.commit(branch, parents, who(), who(), msg)
    }

    fn branch(&self, name: &str, oid: Oid) {
        self.repo
            .reference(&format!("refs/heads/{name}"), oid, true, "test")
            .unwrap();
    }

    fn annotated(&self, name: &str, target: Oid, tagger: Who, msg: &str) -> Oid {
        let obj = self.repo.find_object(target, None).unwrap();
        self.repo
            .tag(name, &obj, &Self::sig(&tagger), msg, true)
            .unwrap()
    }

    fn lightweight(&self, name: &str, target: Oid) {
        let obj = self.repo.find_object(target, None).unwrap();
        self.repo.tag_lightweight(name, &obj, true).unwrap();
    }
}

/// The shas of the standard history.
#[allow(dead_code)]
struct History {
    c1: Oid,
    c2: Oid,
    c3: Oid,
    c4: Oid,
    m5: Oid,
    t6: Oid,
}

/// ```text
/// c1 ── c2 ── c4 ── m5        main      (m5 merges feature: parents c4, c3)
///         \     \  /
///          \     t6           topic     (not merged)
///           c3                feature
/// tags: v1.0.0 annotated on c2 (tagged later than committed), v1.1.0 lightweight on m5,
///       nightly-1 annotated on t6, tree-tag on a tree, blob-note annotated on a blob
/// ```
fn standard(path: &Path) -> (Git, History) {
    let g = Git::init(path);
    let c1 = g.commit("main", &[], ANN, ANN, "Initial commit\n");
    let c2 = g.commit(
        "main",
        &[c1],
        Who("Bob Author", "bob@example.com", T0 + 100, 120),
        Who("Carol Committer", "carol@example.com", T0 + 500, -300),
        "Add feature flag\n\nLonger body.\n\n",
    );
    let c3 = g.commit(
        "feature",
        &[c2],
        Who("Dave", "dave@example.com", T0 + 200, 0),
        Who("Dave", "dave@example.com", T0 + 200, 0),
        "Feature work\n",
    );
    let c4 = g.simple("main", &[c2], T0 + 300, "Fix typo\n");
    let m5 = g.simple("main", &[c4, c3], T0 + 400, "Merge branch 'feature'\n");
    let t6 = g.simple("topic", &[c4], T0 + 450, "Topic work\n");
    g.annotated(
        "v1.0.0",
        c2,
        Who("Rel Eng", "rel@example.com", T0 + 1000, 60),
        "Release 1.0.0\n",
    );
    g.lightweight("v1.1.0", m5);
    g.annotated(
        "nightly-1",
        t6,
        Who("Bot", "bot@example.com", T0 + 2000, 0),
        "nightly\n",
    );
    let tree = g.repo.find_commit(c1).unwrap().tree_id();
    g.lightweight("tree-tag", tree);
    let blob = g.repo.blob(b"notes").unwrap();
    g.annotated(
        "blob-note",
        blob,
        Who("Bot", "bot@example.com", T0, 0),
        "a blob\n",
    );
    (
        g,
        History {
            c1,
            c2,
            c3,
            c4,
            m5,
            t6,
        },
    )
}

/// A bare mirror of `src` (every branch and tag) at `dst`, HEAD on main.
fn bare_clone(src: &Path, dst: &Path) -> Repository {
    let mut opts = RepositoryInitOptions::new();
    opts.bare(true).initial_head("main");
    let bare = Repository::init_opts(dst, &opts).unwrap();
    {
        let mut remote = bare.remote_anonymous(src.to_str().unwrap()).unwrap();
        remote
            .fetch(
                &["+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"],
                None,
                None,
            )
            .unwrap();
    }
    bare
}

// ---------------------------------------------------------------------------------------------
// A store with a git source
// ---------------------------------------------------------------------------------------------

struct Env {
    _dir: tempfile::TempDir,
    db: Db,
    source: Source,
}

fn settings(path: &Path, release: Option<&str>) -> serde_json::Value {
    serde_json::to_value(GitSettings {
        path: path.to_str().unwrap().to_string(),
        release_tags: release.map(str::to_string),
        default_branch: None,
    })
    .unwrap()
}

fn env_with(settings: serde_json::Value) -> Env {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("bosun.db")).unwrap();
    let id = store
        .write(|tx| {
            sync_state::add_source(
                tx,
                &NewSource {
                    kind: bosun_core::model::Provider::Git,
                    name: "local",
                    base_url: None,
                    settings: settings.clone(),
                    demo: false,
                },
                0,
            )
        })
        .unwrap();
    let source = sync_state::source_by_id(store.conn(), id).unwrap().unwrap();
    Env {
        _dir: dir,
        db: Db::new(store),
        source,
    }
}

fn env(path: &Path) -> Env {
    env_with(settings(path, Some(RELEASES)))
}

impl Env {
    async fn sync(&self) -> GitStats {
        self.sync_at(NOW).await.unwrap()
    }

    async fn sync_at(&self, now: i64) -> bosun_connectors::Result<GitStats> {
        git::sync_source(&self.db, &self.source, now, Arc::new(NullSink)).await
    }

    /// Rows of a query, columns joined by `|`, NULL as `∅`.
    async fn rows(&self, sql: &str) -> Vec<String> {
        let sql = sql.to_string();
        self.db
            .read(move |s| {
                let mut stmt = s.conn().prepare(&sql).map_err(crate::support::sql_err)?;
                let n = stmt.column_count();
                let mut rows = stmt.query([]).map_err(crate::support::sql_err)?;
                let mut out = Vec::new();
                while let Some(r) = rows.next().map_err(crate::support::sql_err)? {
                    let cols: Vec<String> = (0..n)
                        .map(|i| match r.get_ref(i).unwrap() {
                            ValueRef::Null => "∅".to_string(),
                            ValueRef::Integer(x) => x.to_string(),
                            ValueRef::Real(x) => x.to_string(),
                            ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
                            ValueRef::Blob(b) => format!("<{} bytes>", b.len()),
                        })
                        .collect();
                    out.push(cols.join("|"));
                }
                Ok(out)
            })
            .await
            .unwrap()
    }

    async fn count(&self, sql: &str) -> i64 {
        self.rows(sql).await[0].parse().unwrap()
    }

    async fn dump(&self) -> Vec<String> {
        self.db
            .read(|s| Ok(bosun_store::dump::canonical(s.conn())?))
            .await
            .unwrap()
    }

    async fn on_default(&self, sha: Oid) -> bool {
        self.rows(&format!(
            "SELECT on_default_branch FROM commits WHERE sha = '{sha}'"
        ))
        .await
            == ["1"]
    }
}

/// What a first sync of the repository at `path` would store.
async fn fresh_dump(path: &Path) -> Vec<String> {
    let e = env(path);
    e.sync().await;
    e.dump().await
}

// ---------------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------------

#[test]
fn read_lists_branches_tags_and_walks_commits() {
    let dir = tempfile::tempdir().unwrap();
    let (_g, h) = standard(dir.path());
    let repo = git::open(dir.path()).unwrap();
    assert!(!repo.is_bare());
    assert_eq!(repo.root(), dir.path().canonicalize().unwrap());

    let refs = repo.refs().unwrap();
    assert_eq!(refs.head.as_deref(), Some("main"));
    let branches: Vec<_> = refs
        .branches
        .iter()
        .map(|b| (b.name.as_str(), b.sha.clone()))
        .collect();
    assert_eq!(
        branches,
        [
            ("feature", h.c3.to_string()),
            ("main", h.m5.to_string()),
            ("topic", h.t6.to_string())
        ]
    );
    let tags: Vec<_> = refs
        .tags
        .iter()
        .map(|t| {
            (
                t.name.as_str(),
                t.sha.clone(),
                t.tagged_at,
                t.annotated,
                t.message.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        tags,
        [
            (
                "nightly-1",
                h.t6.to_string(),
                Some(T0 + 2000),
                Some(true),
                Some("nightly")
            ),
            (
                "v1.0.0",
                h.c2.to_string(),
                Some(T0 + 1000),
                Some(true),
                Some("Release 1.0.0")
            ),
            (
                "v1.1.0",
                h.m5.to_string(),
                Some(T0 + 400),
                Some(false),
                None
            ),
        ]
    );
    assert_eq!(refs.notes.len(), 2, "{:?}", refs.notes);
    assert!(
        refs.notes
            .iter()
            .any(|n| n.contains("tree-tag") && n.contains("tree") && n.contains("skipped"))
    );
    assert!(
        refs.notes
            .iter()
            .any(|n| n.contains("blob-note") && n.contains("blob") && n.contains("skipped"))
    );

    let all = repo.commits(&[]).unwrap();
    assert_eq!(all.len(), 6);
    let c2 = all.iter().find(|c| c.sha == h.c2.to_string()).unwrap();
    assert_eq!(c2.author_name.as_deref(), Some("Bob Author"));
    assert_eq!(c2.author_email.as_deref(), Some("bob@example.com"));
    assert_eq!(c2.authored_at, T0 + 100, "UTC seconds, offset ignored");
    assert_eq!(c2.committer_name.as_deref(), Some("Carol Committer"));
    assert_eq!(c2.committer_email.as_deref(), Some("carol@example.com"));
    assert_eq!(c2.committed_at, T0 + 500);
    assert_eq!(c2.message, "Add feature flag\n\nLonger body.");
    assert_eq!(c2.parents, [h.c1.to_string()]);
    assert!(c2.author.is_none() && c2.committer.is_none() && c2.html_url.is_none());
    let m5 = all.iter().find(|c| c.sha == h.m5.to_string()).unwrap();
    assert_eq!(m5.parents, [h.c4.to_string(), h.c3.to_string()]);
    // Newest first, parents after their children.
    let pos = |o: Oid| all.iter().position(|c| c.sha == o.to_string()).unwrap();
    assert!(pos(h.m5) < pos(h.c4) && pos(h.c4) < pos(h.c2) && pos(h.c2) < pos(h.c1));

    // Hiding known tips leaves only what is new.
    let newer = repo.commits(&[h.m5.to_string()]).unwrap();
    assert_eq!(
        newer.iter().map(|c| c.sha.clone()).collect::<Vec<_>>(),
        [h.t6.to_string()]
    );
    // A hidden sha that does not exist hides nothing.
    assert_eq!(repo.commits(&["0".repeat(40)]).unwrap().len(), 6);
    assert!(
        repo.is_ancestor(&h.c1.to_string(), &h.m5.to_string())
            .unwrap()
    );
    assert!(
        !repo
            .is_ancestor(&h.t6.to_string(), &h.m5.to_string())
            .unwrap()
    );
    assert_eq!(
        repo.walk(&[h.c4.to_string()], &[h.c1.to_string()]).unwrap(),
        [h.c4.to_string(), h.c2.to_string()]
    );
}

#[test]
fn opening_something_that_is_not_a_repository_is_a_clear_config_error() {
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("plain");
    std::fs::create_dir(&plain).unwrap();
    for p in [plain.clone(), dir.path().join("missing")] {
        let Err(e) = git::open(&p) else {
            panic!("{} opened", p.display())
        };
        assert!(matches!(e, ConnectorError::Config(_)), "{e:?}");
        assert_eq!(e.code(), bosun_core::Code::Config);
        assert!(e.to_string().contains(p.to_str().unwrap()), "{e}");
    }
    let e = git::open(&plain).err().unwrap().to_string();
    assert!(e.contains("is not a git repository"), "{e}");
    // A sub-directory of a work tree is not its repository (no search upwards).
    let (_g, _) = standard(&dir.path().join("repo"));
    std::fs::create_dir(dir.path().join("repo/sub")).unwrap();
    assert!(git::open(dir.path().join("repo/sub")).is_err());
    assert!(git::open(dir.path().join("repo/.git")).is_ok());
}

// ---------------------------------------------------------------------------------------------
// Syncing
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_first_sync_stores_exact_commits_branches_tags_and_tag_deployments() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shop");
    let (_g, h) = standard(&path);
    let e = env(&path);
    let stats = e.sync().await;
    assert!(stats.full_walk);
    assert_eq!(stats.commits_walked, 6);
    assert_eq!((stats.branches, stats.tags, stats.deployments), (3, 3, 2));
    assert_eq!(stats.default_branch, "main");
    assert_eq!(stats.notes.len(), 2, "{:?}", stats.notes);

    let canon = path.canonicalize().unwrap();
    let parent = canon.parent().unwrap().to_str().unwrap().to_string();
    assert_eq!(stats.repo, format!("{parent}/shop"));
    assert_eq!(
        e.rows("SELECT provider, external_id, owner, name, full_name, default_branch, source_id FROM repos")
            .await,
        [format!(
            "git|{}|{parent}|shop|{parent}/shop|main|{}",
            canon.display(),
            e.source.id
        )]
    );

    assert_eq!(
        e.rows(
            "SELECT sha, author_name, author_email, authored_at, committer_name, committer_email, committed_at,
                    message, parent_count, on_default_branch, author_account_id, html_url
             FROM commits ORDER BY committed_at"
        )
        .await,
        [
            format!(
                "{}|Ann Author|ann@example.com|{T0}|Ann Author|ann@example.com|{T0}|Initial commit|0|1|∅|∅",
                h.c1
            ),
            format!(
                "{}|Dave|dave@example.com|{}|Dave|dave@example.com|{}|Feature work|1|1|∅|∅",
                h.c3,
                T0 + 200,
                T0 + 200
            ),
            format!(
                "{}|Ann Author|ann@example.com|{}|Ann Author|ann@example.com|{}|Fix typo|1|1|∅|∅",
                h.c4,
                T0 + 300,
                T0 + 300
            ),
            format!(
                "{}|Ann Author|ann@example.com|{}|Ann Author|ann@example.com|{}|Merge branch 'feature'|2|1|∅|∅",
                h.m5,
                T0 + 400,
                T0 + 400
            ),
            format!(
                "{}|Ann Author|ann@example.com|{}|Ann Author|ann@example.com|{}|Topic work|1|0|∅|∅",
                h.t6,
                T0 + 450,
                T0 + 450
            ),
            format!(
                "{}|Bob Author|bob@example.com|{}|Carol Committer|carol@example.com|{}|Add feature flag\n\nLonger body.|1|1|∅|∅",
                h.c2,
                T0 + 100,
                T0 + 500
            ),
        ]
    );
    assert_eq!(
        e.rows(&format!(
            "SELECT position, parent_sha FROM commit_parents WHERE sha = '{}' ORDER BY position",
            h.m5
        ))
        .await,
        [format!("0|{}", h.c4), format!("1|{}", h.c3)]
    );
    assert_eq!(e.count("SELECT count(*) FROM commit_parents").await, 6);

    assert_eq!(
        e.rows("SELECT name, sha FROM branches ORDER BY name").await,
        [
            format!("feature|{}", h.c3),
            format!("main|{}", h.m5),
            format!("topic|{}", h.t6)
        ]
    );
    assert_eq!(
        e.rows("SELECT name, sha, tagged_at, annotated, message FROM tags ORDER BY name")
            .await,
        [
            format!("nightly-1|{}|{}|1|nightly", h.t6, T0 + 2000),
            format!("v1.0.0|{}|{}|1|Release 1.0.0", h.c2, T0 + 1000),
            format!("v1.1.0|{}|{}|0|∅", h.m5, T0 + 400),
        ]
    );
    assert_eq!(
        e.rows(
            "SELECT d.kind, d.external_id, d.sha, d.ref_name, d.environment, d.production, d.created_at,
                    s.external_id, s.state, s.environment, s.created_at
             FROM deployments d JOIN deployment_statuses s ON s.deployment_id = d.id ORDER BY d.external_id"
        )
        .await,
        [
            format!(
                "tag|v1.0.0|{}|v1.0.0|production|1|{}|tag|success|production|{}",
                h.c2,
                T0 + 1000,
                T0 + 1000
            ),
            format!(
                "tag|v1.1.0|{}|v1.1.0|production|1|{}|tag|success|production|{}",
                h.m5,
                T0 + 400,
                T0 + 400
            ),
        ]
    );
    assert_eq!(
        e.rows(
            "SELECT kind, scope, state, attempts, last_error, started_at, finished_at FROM jobs"
        )
        .await,
        [format!("git-repo|{}|done|1|∅|{NOW}|{NOW}", path.display())]
    );
    let cursor = e
        .rows(&format!(
            "SELECT value FROM cursors WHERE scope = '{}:tips'",
            path.display()
        ))
        .await;
    assert_eq!(cursor.len(), 1);
    assert!(cursor[0].contains(&h.m5.to_string()) && !cursor[0].contains("dirty"));
}

#[tokio::test]
async fn a_bare_clone_syncs_like_its_work_tree() {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("svc");
    let (_g, h) = standard(&work);
    let bare_path = dir.path().join("mirror").join("svc.git");
    std::fs::create_dir_all(bare_path.parent().unwrap()).unwrap();
    bare_clone(&work, &bare_path);

    let repo = git::open(&bare_path).unwrap();
    assert!(repo.is_bare());
    let mirror = dir.path().join("mirror").canonicalize().unwrap();
    assert_eq!(
        repo.identity(),
        (mirror.to_str().unwrap().to_string(), "svc".to_string())
    );

    let a = env(&work);
    a.sync().await;
    let b = env(&bare_path);
    let stats = b.sync().await;
    assert_eq!(stats.repo, format!("{}/svc", mirror.display()));
    assert_eq!(stats.default_branch, "main");
    assert_eq!(stats.commits_walked, 6);
    for sql in [
        "SELECT sha, author_name, authored_at, committer_name, committed_at, message, parent_count, on_default_branch
         FROM commits ORDER BY sha",
        "SELECT sha, position, parent_sha FROM commit_parents ORDER BY sha, position",
        "SELECT name, sha FROM branches ORDER BY name",
        "SELECT name, sha, tagged_at, annotated, message FROM tags ORDER BY name",
        "SELECT external_id, sha, created_at, production FROM deployments ORDER BY external_id",
    ] {
        assert_eq!(a.rows(sql).await, b.rows(sql).await, "{sql}");
    }
    assert!(b.on_default(h.m5).await && !b.on_default(h.t6).await);

    // The two repositories have distinct names.
    assert_ne!(
        a.rows("SELECT full_name FROM repos").await,
        b.rows("SELECT full_name FROM repos").await
    );
}

#[tokio::test]
async fn syncing_twice_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (_g, _) = standard(dir.path());
    let e = env(dir.path());
    e.sync().await;
    let before = e.dump().await;
    // Even at another time: nothing is rewritten, not even the cursor's timestamp.
    let again = e.sync_at(NOW + 3600).await.unwrap();
    assert!(!again.full_walk);
    assert_eq!(again.commits_walked, 0);
    assert_eq!(e.dump().await, before);
    assert_eq!(before, fresh_dump(dir.path()).await);
}

#[tokio::test]
async fn an_incremental_sync_walks_only_new_commits() {
    let dir = tempfile::tempdir().unwrap();
    let (g, h) = standard(dir.path());
    let sink = Arc::new(bosun_connectors::VecSink::default());
    let e = env(dir.path());
    e.sync().await;

    let c7 = g.simple("main", &[h.m5], T0 + 3000, "Next\n");
    let c8 = g.simple("main", &[c7], T0 + 3100, "And next\n");
    g.annotated(
        "v1.2.0",
        c8,
        Who("Rel Eng", "rel@example.com", T0 + 3500, 0),
        "Release 1.2.0\n",
    );
    let stats = git::sync_source(&e.db, &e.source, NOW, sink.clone())
        .await
        .unwrap();
    assert!(!stats.full_walk);
    assert_eq!(stats.commits_walked, 2, "only the new commits are walked");
    assert_eq!(stats.deployments, 3);
    assert!(e.on_default(c7).await && e.on_default(c8).await);
    assert_eq!(
        e.rows("SELECT external_id, sha, created_at FROM deployments WHERE external_id = 'v1.2.0'")
            .await,
        [format!("v1.2.0|{c8}|{}", T0 + 3500)]
    );
    let events = sink.events();
    assert!(events.contains(&Event::Progress {
        source: "local".into(),
        scope: dir.path().to_str().unwrap().into(),
        phase: "commits".into(),
        done: 2,
        total: 2,
        pass: bosun_connectors::Pass::Full,
        eta_secs: None,
    }));
    assert!(matches!(
        events.last(),
        Some(Event::ScopeFinished { items: 2, .. })
    ));

    // The topic branch merged into main: one new commit walked, and the topic's commit, stored
    // before as off the default branch, is now on it.
    assert!(!e.on_default(h.t6).await);
    let m9 = g.simple("main", &[c8, h.t6], T0 + 4000, "Merge topic\n");
    let stats = e.sync().await;
    assert_eq!((stats.full_walk, stats.commits_walked), (false, 1));
    assert!(e.on_default(m9).await && e.on_default(h.t6).await);

    // A fast-forward of main onto a branch already synced walks nothing and flags its commits.
    let f1 = g.simple("ff", &[m9], T0 + 4100, "On a branch\n");
    let stats = e.sync().await;
    assert_eq!(stats.commits_walked, 1);
    assert!(!e.on_default(f1).await);
    g.branch("main", f1);
    let stats = e.sync().await;
    assert_eq!((stats.full_walk, stats.commits_walked), (false, 0));
    assert!(e.on_default(f1).await);

    // The incremental result is exactly what a first sync of the same repository stores.
    assert_eq!(e.dump().await, fresh_dump(dir.path()).await);
}

#[tokio::test]
async fn a_deleted_tag_takes_its_deployment_with_it() {
    let dir = tempfile::tempdir().unwrap();
    let (g, h) = standard(dir.path());
    let e = env(dir.path());
    e.sync().await;
    assert_eq!(e.count("SELECT count(*) FROM deployments").await, 2);

    g.repo.tag_delete("v1.1.0").unwrap();
    let stats = e.sync().await;
    assert_eq!((stats.deployments, stats.deployments_removed), (1, 1));
    assert_eq!(
        e.rows("SELECT name FROM tags ORDER BY name").await,
        ["nightly-1", "v1.0.0"]
    );
    assert_eq!(
        e.rows("SELECT external_id FROM deployments").await,
        ["v1.0.0"]
    );
    assert_eq!(e.count("SELECT count(*) FROM deployment_statuses").await, 1);
    // Its commit is still reachable from main: nothing else moves.
    assert_eq!(e.count("SELECT count(*) FROM commits").await, 6);
    assert!(e.on_default(h.m5).await);

    // A moved tag moves its deployment (sha and date).
    g.annotated(
        "v1.0.0",
        h.c4,
        Who("Rel Eng", "rel@example.com", T0 + 5000, 0),
        "Re-release\n",
    );
    e.sync().await;
    assert_eq!(
        e.rows(
            "SELECT d.sha, d.created_at, s.created_at FROM deployments d JOIN deployment_statuses s ON s.deployment_id = d.id"
        )
        .await,
        [format!("{}|{}|{}", h.c4, T0 + 5000, T0 + 5000)]
    );
    assert_eq!(e.dump().await, fresh_dump(dir.path()).await);

    // A pattern that no longer matches removes the deployments too, and only this repository's.
    let other =
        e.db.write(move |tx| {
            let repo = bosun_core::model::Repo {
                provider: bosun_core::model::Provider::Git,
                external_id: "/elsewhere/other".into(),
                owner: "/elsewhere".into(),
                name: "other".into(),
                default_branch: "main".into(),
                description: None,
                html_url: None,
                archived: false,
            };
            let id = bosun_store::code::upsert_repo(tx, None, &repo)?;
            let tag = bosun_core::model::Tag {
                name: "v1.0.0".into(),
                sha: h.c4.to_string(),
                tagged_at: Some(T0),
                annotated: Some(false),
                message: None,
            };
            bosun_store::code::upsert_deployment(tx, id, &git::tag_deployment(&tag))?;
            Ok(id)
        })
        .await
        .unwrap();
    let mut source = e.source.clone();
    source.settings = settings(dir.path(), Some("^release-"));
    let stats = git::sync_source(&e.db, &source, NOW, Arc::new(NullSink))
        .await
        .unwrap();
    assert_eq!((stats.deployments, stats.deployments_removed), (0, 1));
    assert_eq!(
        e.rows("SELECT repo_id, external_id FROM deployments").await,
        [format!("{other}|v1.0.0")]
    );
}

#[tokio::test]
async fn a_force_push_ends_with_the_rows_of_a_first_sync() {
    let dir = tempfile::tempdir().unwrap();
    let (g, h) = standard(dir.path());
    let e = env(dir.path());
    let c7 = g.simple("main", &[h.m5], T0 + 3000, "Oops\n");
    let m8 = g.simple("main", &[c7, h.t6], T0 + 3100, "Merge topic\n");
    g.lightweight("v1.2.0", m8);
    e.sync().await;
    assert!(e.on_default(h.t6).await);
    assert_eq!(e.count("SELECT count(*) FROM commits").await, 8);

    // main rewritten to before the merge of topic, the tag of the dropped commit deleted.
    g.repo.tag_delete("v1.2.0").unwrap();
    let x = g.simple("main", &[h.m5], T0 + 3200, "Redo\n");
    let stats = e.sync().await;
    assert!(stats.full_walk, "history was rewritten");
    assert_eq!(stats.commits_removed, 2, "c7 and m8 are gone");
    assert_eq!(stats.deployments_removed, 1);
    assert_eq!(e.count("SELECT count(*) FROM commits").await, 7);
    assert_eq!(
        e.count(&format!(
            "SELECT count(*) FROM commit_parents WHERE sha IN ('{c7}', '{m8}')"
        ))
        .await,
        0
    );
    assert!(e.on_default(x).await);
    assert!(!e.on_default(h.t6).await, "topic is off main again");
    assert_eq!(e.dump().await, fresh_dump(dir.path()).await);

    // main moved backwards onto a commit still reachable: flags follow.
    g.branch("main", h.c4);
    g.branch("old-main", x);
    let stats = e.sync().await;
    assert!(stats.full_walk);
    assert!(!e.on_default(h.m5).await && e.on_default(h.c4).await);
    assert_eq!(e.dump().await, fresh_dump(dir.path()).await);
}

/// Panics (a simulated kill) after `n` batches were written.
struct KillAfter(usize, AtomicUsize);

impl EventSink for KillAfter {
    fn emit(&self, event: Event) {
        if let Event::Progress { phase, done, .. } = &event
            && phase == "commits"
            && *done > 0
            && self.1.fetch_add(1, Ordering::SeqCst) + 1 >= self.0
        {
            panic!("simulated kill after {} batches", self.0);
        }
    }
}

async fn killed_sync(e: &Env) {
    let (db, source) = (e.db.clone(), e.source.clone());
    let res = tokio::spawn(async move {
        git::sync_source(
            &db,
            &source,
            NOW,
            Arc::new(KillAfter(1, AtomicUsize::new(0))),
        )
        .await
    })
    .await;
    assert!(res.unwrap_err().is_panic());
}

#[tokio::test]
async fn a_sync_killed_between_batches_resumes_to_the_same_rows() {
    let dir = tempfile::tempdir().unwrap();
    let (g, h) = standard(dir.path());
    let mut tip = h.m5;
    for i in 0..(git::BATCH as i64 + 500) {
        tip = g.simple(
            "main",
            &[tip],
            T0 + 10_000 + i * 60,
            &format!("Commit {i}\n"),
        );
    }

    // Killed during the first sync.
    let e = env(dir.path());
    killed_sync(&e).await;
    let partial = e.count("SELECT count(*) FROM commits").await;
    assert_eq!(partial, git::BATCH as i64);
    assert_eq!(e.count("SELECT count(*) FROM tags").await, 0);
    let stats = e.sync().await;
    assert!(stats.full_walk);
    assert_eq!(e.dump().await, fresh_dump(dir.path()).await);

    // Killed during an incremental sync, and main force-pushed before the re-run: the re-run
    // notices the interrupted run and walks everything.
    let base = tip;
    for i in 0..(git::BATCH as i64 + 10) {
        tip = g.simple(
            "main",
            &[tip],
            T0 + 200_000 + i * 60,
            &format!("More {i}\n"),
        );
    }
    killed_sync(&e).await;
    assert_eq!(
        e.count("SELECT count(*) FROM commits").await,
        6 + git::BATCH as i64 + 500 + git::BATCH as i64
    );
    let cursor = e
        .rows("SELECT value FROM cursors")
        .await
        .into_iter()
        .next()
        .unwrap();
    assert!(cursor.contains("\"dirty\":true"), "{cursor}");
    g.branch("main", base);
    g.simple("main", &[base], T0 + 300_000, "Instead\n");
    let stats = e.sync().await;
    assert!(stats.full_walk);
    assert_eq!(e.dump().await, fresh_dump(dir.path()).await);
}

#[tokio::test]
async fn bad_settings_and_paths_are_config_errors() {
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("not-a-repo");
    std::fs::create_dir(&plain).unwrap();
    let e = env(&plain);
    let err = e.sync_at(NOW).await.unwrap_err();
    assert_eq!(err.code(), bosun_core::Code::Config);
    assert!(
        err.to_string()
            .contains(&format!("{} is not a git repository", plain.display())),
        "{err}"
    );
    // The failure is recorded on the job.
    let job = e.rows("SELECT state, last_error FROM jobs").await;
    assert!(job[0].starts_with("failed|") && job[0].contains("not a git repository"));

    for (s, want) in [
        (serde_json::json!({"path": "relative/repo"}), "not absolute"),
        (
            serde_json::json!({"path": "/x", "release_tag": "v"}),
            "unknown field",
        ),
        (
            serde_json::json!({"path": "/x", "release_tags": "v(("}),
            "release_tags",
        ),
        (serde_json::json!({}), "missing field"),
    ] {
        let e = env_with(s.clone());
        let err = e.sync_at(NOW).await.unwrap_err();
        assert!(matches!(err, ConnectorError::Config(_)), "{s}: {err:?}");
        assert!(err.to_string().contains(want), "{s}: {err}");
    }
}

#[tokio::test]
async fn a_configured_default_branch_and_an_empty_repository() {
    let dir = tempfile::tempdir().unwrap();
    let (_g, h) = standard(&dir.path().join("r"));
    let mut s = settings(&dir.path().join("r"), None);
    s["default_branch"] = "topic".into();
    let e = env_with(s);
    let stats = e.sync().await;
    assert_eq!(
        (stats.default_branch.as_str(), stats.deployments),
        ("topic", 0)
    );
    assert!(e.on_default(h.t6).await && e.on_default(h.c4).await);
    assert!(!e.on_default(h.m5).await && !e.on_default(h.c3).await);
    assert_eq!(e.rows("SELECT default_branch FROM repos").await, ["topic"]);

    let empty = dir.path().join("empty");
    Git::init(&empty);
    let e = env(&empty);
    let stats = e.sync().await;
    assert_eq!(
        (stats.commits_walked, stats.branches, stats.tags),
        (0, 0, 0)
    );
    assert_eq!(stats.default_branch, "main");
    assert_eq!(e.sync().await.commits_walked, 0);
}

#[tokio::test]
async fn checking_out_another_branch_does_not_move_the_default_branch() {
    let dir = tempfile::tempdir().unwrap();
    let (g, h) = standard(dir.path());
    let e = env(dir.path());
    assert_eq!(e.sync().await.default_branch, "main");
    g.repo.set_head("refs/heads/topic").unwrap();
    let stats = e.sync().await;
    assert_eq!(stats.default_branch, "main");
    assert_eq!((stats.full_walk, stats.commits_walked), (false, 0));
    assert!(e.on_default(h.m5).await && !e.on_default(h.t6).await);

    // A first sync with another branch checked out: HEAD decides...
    let e2 = env(dir.path());
    assert_eq!(e2.sync().await.default_branch, "topic");
    // ... unless the clone knows its remote's default branch.
    g.repo
        .reference("refs/remotes/origin/main", h.m5, true, "test")
        .unwrap();
    g.repo
        .reference_symbolic(
            "refs/remotes/origin/HEAD",
            "refs/remotes/origin/main",
            true,
            "test",
        )
        .unwrap();
    let refs = git::open(dir.path()).unwrap().refs().unwrap();
    assert_eq!(
        (refs.head.as_deref(), refs.origin_head.as_deref()),
        (Some("topic"), Some("main"))
    );
    assert_eq!(refs.default_branch(Some("feature")), "main");
    let e3 = env(dir.path());
    let stats = e3.sync().await;
    assert_eq!(stats.default_branch, "main");
    assert!(e3.on_default(h.m5).await && !e3.on_default(h.t6).await);
    // Remote-tracking branches are not branches of the repository.
    assert_eq!(stats.branches, 3);
}

// ---------------------------------------------------------------------------------------------
// Watching
// ---------------------------------------------------------------------------------------------

async fn next_change(w: &mut git::RepoWatcher, within: Duration) -> Option<PathBuf> {
    tokio::time::timeout(within, w.changed())
        .await
        .ok()
        .flatten()
}

#[tokio::test]
async fn the_watcher_reports_a_commit_and_ignores_reads() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a");
    let b = dir.path().join("b.git");
    let (g, h) = standard(&a);
    bare_clone(&a, &b);
    let mut w = git::watch(&[a.clone(), b.clone()], Duration::from_millis(200)).unwrap();
    assert_eq!(next_change(&mut w, Duration::from_millis(600)).await, None);

    // A commit on main: reported once, for that repository only.
    g.simple("main", &[h.m5], T0 + 9000, "Watched\n");
    assert_eq!(
        next_change(&mut w, Duration::from_secs(10)).await,
        Some(a.clone())
    );
    // Reading the repository (what a sync does) is not a change.
    let e = env(&a);
    e.sync().await;
    git::open(&b).unwrap().commits(&[]).unwrap();
    assert_eq!(next_change(&mut w, Duration::from_millis(800)).await, None);

    // A tag in the bare repository, a branch created under a new directory, a packed ref.
    let bare = Repository::open_bare(&b).unwrap();
    let obj = bare.find_object(h.c1, Some(ObjectType::Commit)).unwrap();
    bare.tag_lightweight("v9", &obj, false).unwrap();
    assert_eq!(
        next_change(&mut w, Duration::from_secs(10)).await,
        Some(b.clone())
    );
    g.branch("team/x/feature", h.c1);
    assert_eq!(
        next_change(&mut w, Duration::from_secs(10)).await,
        Some(a.clone())
    );
    std::fs::write(
        a.join(".git/packed-refs"),
        format!(
            "# pack-refs with: peeled fully-peeled sorted \n{} refs/heads/packed\n",
            h.c2
        ),
    )
    .unwrap();
    assert_eq!(
        next_change(&mut w, Duration::from_secs(10)).await,
        Some(a.clone())
    );
    assert_eq!(next_change(&mut w, Duration::from_millis(600)).await, None);

    assert!(matches!(
        git::watch(&[dir.path().to_path_buf()], git::DEFAULT_DEBOUNCE),
        Err(ConnectorError::Config(_))
    ));
}
