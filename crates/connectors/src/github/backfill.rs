//! A first sync's backfill (docs/sync.md#the-first-sync): per repository, every list the recent
//! pass stopped reading at its window is read on from the page where it stopped, one page at a
//! time. The next page to read is saved after each page (`backfill:<repo>:<phase>`), so a killed
//! backfill resumes there; what the recent pass wrote is skipped (pull requests and runs at the
//! same version, finished deployments) or rewritten as it was (commits, comments). Once every
//! phase is through, the positions are deleted and the repository is marked backfilled, in one
//! transaction.
//!
//! Resuming by page is safe on lists sorted newest first: a new or updated item goes to the front
//! and pushes the rest back, so a page is at worst read twice, never skipped (only a deleted item
//! could shift one past the saved page).

use super::api;
use super::sync::{
    Comment, Ctx, actions_refused, changed_pulls, comment_records, comments, comments_url,
    commits_url, deployments_url, fetch_pulls, items, pulls_url, rel, run_rule, runs_url,
    store_comments, store_deployment, store_err, write_commits, write_runs,
};
use crate::http::Fetched;
use crate::{ConnectorError, Result};
use bosun_store::code;
use bosun_store::sync_state::{self, BACKFILL_PREFIX};
use serde::de::DeserializeOwned;
use std::sync::Arc;

/// The value of a finished phase's position.
const DONE: &str = "done";

pub(super) async fn repo_job(ctx: &Arc<Ctx>, repo_id: i64, full: &str, branch: &str) -> Result<()> {
    const KIND: &str = "github-backfill";
    let (sid, now, scope) = (ctx.source_id, ctx.now, full.to_string());
    ctx.db
        .write(move |tx| sync_state::job_started(tx, sid, KIND, &scope, now).map_err(store_err))
        .await?;
    let result = repo(ctx, repo_id, full, branch).await;
    let err = result.as_ref().err().map(|e| e.to_string());
    let scope = full.to_string();
    ctx.db
        .write(move |tx| {
            sync_state::job_finished(tx, sid, KIND, &scope, now, err.as_deref()).map_err(store_err)
        })
        .await?;
    result
}

async fn repo(ctx: &Arc<Ctx>, repo_id: i64, full: &str, branch: &str) -> Result<()> {
    commits(ctx, repo_id, full, branch).await?;
    pulls(ctx, repo_id, full).await?;
    older_comments::<api::ReviewComment>(ctx, repo_id, full).await?;
    older_comments::<api::IssueComment>(ctx, repo_id, full).await?;
    // Recent comments on pull requests only the backfill stored were held back by the recent
    // pass (its cursor stops before them): now they can be written.
    comments::<api::ReviewComment>(ctx, repo_id, full).await?;
    comments::<api::IssueComment>(ctx, repo_id, full).await?;
    deployments(ctx, repo_id, full).await?;
    if ctx.deploy.enabled() {
        actions_refused(ctx, full, workflow_runs(ctx, repo_id, full, branch).await)?;
    }
    let (sid, now, full_s) = (ctx.source_id, ctx.now, full.to_string());
    ctx.db
        .write(move |tx| {
            let prefix = format!("{BACKFILL_PREFIX}{full_s}:");
            sync_state::delete_cursors_with_prefix(tx, sid, &prefix).map_err(store_err)?;
            if let Some(mut f) = sync_state::first_sync(tx, sid).map_err(store_err)? {
                f.mark_backfilled(&full_s);
                sync_state::set_first_sync(tx, sid, &f, now).map_err(store_err)?;
            }
            Ok(())
        })
        .await?;
    ctx.scope_finished(full);
    Ok(())
}

/// One page of a list: its items, the next page, and `(items before it, estimated length)` from
/// the page numbers in the URLs (GitHub's `page=`).
struct Page<T> {
    items: Vec<(T, Vec<u8>)>,
    next: Option<String>,
    before: u64,
    total: u64,
}

async fn page<T: DeserializeOwned>(ctx: &Ctx, url: &str, key: Option<&str>) -> Result<Page<T>> {
    let resp = match ctx.http.get(url, None).await? {
        Fetched::Ok(r) => r,
        Fetched::NotModified => {
            return Err(ConnectorError::Malformed {
                url: url.to_string(),
                detail: "unexpected 304".into(),
            });
        }
    };
    let items = items::<T>(&resp, key)?;
    let (before, total) = page_span(
        url,
        resp.last.as_deref(),
        items.len() as u64,
        u64::from(ctx.per_page),
    );
    Ok(Page {
        items,
        next: resp.next,
        before,
        total,
    })
}

/// The `page` query parameter of a URL (1 without one).
fn page_number(url: &str) -> Option<u64> {
    let query = url.split_once('?').map_or("", |(_, q)| q);
    query
        .split('&')
        .find_map(|kv| kv.strip_prefix("page="))
        .map_or(Some(1), |v| v.parse().ok())
}

/// Items on the pages before `url`'s, and the list's length: exact on the last page (no `last`
/// link), else the last page's number times the page size.
fn page_span(url: &str, last: Option<&str>, len: u64, per_page: u64) -> (u64, u64) {
    let Some(n) = page_number(url) else {
        return (0, len);
    };
    let before = (n - 1) * per_page;
    let total = match last.and_then(page_number) {
        Some(last) if last > n => last * per_page,
        _ => before + len,
    };
    (before, total)
}

/// Where the backfill of `scope` (`<repo>:<phase>`) stands: the next page to read (from where the
/// recent pass stopped, else `first`), or `None` when it is through.
async fn position(ctx: &Ctx, scope: &str, first: String) -> Result<Option<String>> {
    let at = ctx.cursor_text(format!("{BACKFILL_PREFIX}{scope}")).await?;
    Ok(match at.as_deref() {
        None => Some(first),
        Some(DONE) => None,
        Some(page) => Some(format!("{}{page}", ctx.api)),
    })
}

/// The page after the one just handled: saved as the position (or [`DONE`]).
async fn advance(ctx: &Ctx, scope: &str, next: Option<&str>) -> Result<()> {
    let (sid, now) = (ctx.source_id, ctx.now);
    let at = format!("{BACKFILL_PREFIX}{scope}");
    let value = next.map_or_else(|| DONE.to_string(), |n| rel(&ctx.api, n));
    ctx.db
        .write(move |tx| sync_state::set_cursor(tx, sid, &at, &value, now).map_err(store_err))
        .await
}

async fn commits(ctx: &Arc<Ctx>, repo_id: i64, full: &str, branch: &str) -> Result<()> {
    let scope = format!("{full}:commits");
    let mut next = position(ctx, &scope, commits_url(ctx, full, branch)).await?;
    while let Some(url) = next {
        let p = match page::<api::Commit>(ctx, &url, None).await {
            // An empty repository (the recent pass warned about it): nothing older either.
            Err(crate::ConnectorError::Http { status: 409, .. }) => return Ok(()),
            other => other?,
        };
        // Every commit of the page, older or not: a commit dated out of order past the window's
        // page is written here.
        write_commits(ctx, repo_id, full, &p.items, false).await?;
        advance(ctx, &scope, p.next.as_deref()).await?;
        ctx.progress(full, "commits", p.before + p.items.len() as u64, p.total);
        next = p.next;
    }
    Ok(())
}

async fn pulls(ctx: &Arc<Ctx>, repo_id: i64, full: &str) -> Result<()> {
    let scope = format!("{full}:pulls");
    let mut next = position(ctx, &scope, pulls_url(ctx, full)).await?;
    while let Some(url) = next {
        let p = page::<api::Pull>(ctx, &url, None).await?;
        let n = p.items.len() as u64;
        let todo =
            changed_pulls(ctx, repo_id, p.items.into_iter().map(|(x, _)| x).collect()).await?;
        fetch_pulls(ctx, repo_id, full, todo, false).await?;
        advance(ctx, &scope, p.next.as_deref()).await?;
        ctx.progress(full, "pull requests", p.before + n, p.total);
        next = p.next;
    }
    Ok(())
}

async fn older_comments<C: Comment>(ctx: &Arc<Ctx>, repo_id: i64, full: &str) -> Result<()> {
    let scope = format!("{full}:{}", C::PHASE);
    let mut next = position(ctx, &scope, comments_url::<C>(ctx, full)).await?;
    while let Some(url) = next {
        let p = page::<C>(ctx, &url, None).await?;
        let recs = comment_records(ctx, full, p.items.iter());
        // A comment whose pull request is not stored is left out, as a one-pass sync leaves it
        // (its cursor would hold before it; the backfill has no cursor to hold).
        store_comments(ctx, repo_id, full, recs).await?;
        advance(ctx, &scope, p.next.as_deref()).await?;
        ctx.progress(full, C::PHASE, p.before + p.items.len() as u64, p.total);
        next = p.next;
    }
    Ok(())
}

async fn deployments(ctx: &Arc<Ctx>, repo_id: i64, full: &str) -> Result<()> {
    let scope = format!("{full}:deployments");
    let mut next = position(ctx, &scope, deployments_url(ctx, full)).await?;
    while let Some(url) = next {
        let p = page::<api::Deployment>(ctx, &url, None).await?;
        let n = p.items.len() as u64;
        let states = ctx
            .db
            .read(move |s| code::deployment_states(s.conn(), repo_id).map_err(store_err))
            .await?;
        for (d, raw) in p.items {
            // Finished and stored: nothing can change.
            if states.get(&d.id.to_string()) != Some(&true) {
                store_deployment(ctx, repo_id, full, d, raw).await?;
            }
        }
        advance(ctx, &scope, p.next.as_deref()).await?;
        ctx.progress(full, "deployments", p.before + n, p.total);
        next = p.next;
    }
    Ok(())
}

async fn workflow_runs(ctx: &Arc<Ctx>, repo_id: i64, full: &str, branch: &str) -> Result<()> {
    let Some(mut rule) = run_rule(ctx, repo_id, full).await? else {
        return Ok(());
    };
    for w in rule.workflows.clone() {
        let scope = format!("{full}:workflow_runs:{}", w.id);
        let mut next = position(ctx, &scope, runs_url(ctx, full, &w)).await?;
        while let Some(url) = next {
            let p = page::<api::WorkflowRun>(ctx, &url, Some("workflow_runs")).await?;
            write_runs(ctx, repo_id, full, branch, &w, &mut rule, &p.items).await?;
            advance(ctx, &scope, p.next.as_deref()).await?;
            ctx.progress(
                full,
                "workflow runs",
                p.before + p.items.len() as u64,
                p.total,
            );
            next = p.next;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_numbers_give_the_position_and_an_estimated_length() {
        let u = "http://h/repos/o/r/pulls?per_page=100&page=3";
        assert_eq!(page_number(u), Some(3));
        assert_eq!(
            page_number("http://h/repos/o/r/pulls?per_page=100"),
            Some(1)
        );
        assert_eq!(page_number("http://h/x?page=abc"), None);
        // Page 3 of 12: 200 items before it, about 1,200 in all.
        assert_eq!(
            page_span(
                u,
                Some("http://h/repos/o/r/pulls?per_page=100&page=12"),
                100,
                100
            ),
            (200, 1200)
        );
        // The last page (no `last` link): exact.
        assert_eq!(page_span(u, None, 37, 100), (200, 237));
        // No page number (an opaque cursor): this page only.
        assert_eq!(page_span("http://h/x?page=abc", None, 40, 100), (0, 40));
    }
}
