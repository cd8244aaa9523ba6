//! Knowledge: documents, their chunks (with exact byte and line spans), the FTS5 index the
//! triggers keep in step with `chunks`, and embeddings tagged with the model that produced them.
//! Index-wide settings (the pinned model, the indexed roots) live in `meta` under `knowledge.*`.

use crate::Result;
use rusqlite::{Connection, OptionalExtension, params};

/// A document as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct DocumentRow {
    pub id: i64,
    pub root: String,
    pub path: String,
    pub kind: String,
    pub title: Option<String>,
    pub content_hash: String,
    pub size: i64,
    pub mtime: Option<i64>,
    pub indexed_at: i64,
    pub status: String,
    pub note: Option<String>,
}

/// A document to write (chunks follow separately).
#[derive(Debug, Clone)]
pub struct NewDocument<'a> {
    pub root: &'a str,
    pub path: &'a str,
    pub kind: &'a str,
    pub title: Option<&'a str>,
    pub content_hash: &'a str,
    pub size: i64,
    pub mtime: Option<i64>,
    pub indexed_at: i64,
    /// `indexed` or `skipped`.
    pub status: &'a str,
    pub note: Option<&'a str>,
}

#[derive(Debug, Clone)]
pub struct NewChunk<'a> {
    pub ordinal: i64,
    pub heading_path: &'a str,
    pub text: &'a str,
    pub byte_start: i64,
    pub byte_end: i64,
    pub line_start: i64,
    pub line_end: i64,
    pub token_estimate: i64,
}

/// A chunk with its document, as search results need it.
#[derive(Debug, Clone, PartialEq)]
pub struct ChunkRow {
    pub chunk_id: i64,
    pub document_id: i64,
    pub root: String,
    pub path: String,
    pub kind: String,
    pub title: Option<String>,
    pub heading_path: String,
    pub text: String,
    pub byte_start: i64,
    pub byte_end: i64,
    pub line_start: i64,
    pub line_end: i64,
    pub indexed_at: i64,
}

fn document(r: &rusqlite::Row<'_>) -> rusqlite::Result<DocumentRow> {
    Ok(DocumentRow {
        id: r.get(0)?,
        root: r.get(1)?,
        path: r.get(2)?,
        kind: r.get(3)?,
        title: r.get(4)?,
        content_hash: r.get(5)?,
        size: r.get(6)?,
        mtime: r.get(7)?,
        indexed_at: r.get(8)?,
        status: r.get(9)?,
        note: r.get(10)?,
    })
}

const DOC_COLUMNS: &str =
    "id, root, path, kind, title, content_hash, size, mtime, indexed_at, status, note";

pub fn document_by_path(conn: &Connection, root: &str, path: &str) -> Result<Option<DocumentRow>> {
    let sql = format!("SELECT {DOC_COLUMNS} FROM documents WHERE root = ?1 AND path = ?2");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row(params![root, path], document)
        .optional()?)
}

/// Every document under `root` (one indexed folder, a repository's work tree, `store:tickets`).
pub fn documents_under(conn: &Connection, root: &str) -> Result<Vec<DocumentRow>> {
    let sql = format!("SELECT {DOC_COLUMNS} FROM documents WHERE root = ?1 ORDER BY path");
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt
        .query_map([root], document)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// Indexed documents with this content hash (a renamed or copied file reuses their vectors).
pub fn documents_with_hash(conn: &Connection, content_hash: &str) -> Result<Vec<DocumentRow>> {
    let sql = format!(
        "SELECT {DOC_COLUMNS} FROM documents WHERE content_hash = ?1 AND status = 'indexed' ORDER BY id"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt
        .query_map([content_hash], document)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// Write a document, replacing any earlier version at the same root and path (its chunks and
/// their embeddings go with it). Returns the document id, stable across versions.
pub fn put_document(conn: &Connection, d: &NewDocument<'_>) -> Result<i64> {
    let id: i64 = conn
        .prepare_cached(
            "INSERT INTO documents (root, path, kind, title, content_hash, size, mtime, indexed_at, status, note)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
             ON CONFLICT (root, path) DO UPDATE SET
                 kind = excluded.kind, title = excluded.title, content_hash = excluded.content_hash,
                 size = excluded.size, mtime = excluded.mtime, indexed_at = excluded.indexed_at,
                 status = excluded.status, note = excluded.note
             RETURNING id",
        )?
        .query_row(
            params![
                d.root,
                d.path,
                d.kind,
                d.title,
                d.content_hash,
                d.size,
                d.mtime,
                d.indexed_at,
                d.status,
                d.note
            ],
            |r| r.get(0),
        )?;
    conn.prepare_cached("DELETE FROM chunks WHERE document_id = ?1")?
        .execute([id])?;
    Ok(id)
}

pub fn delete_document(conn: &Connection, id: i64) -> Result<()> {
    conn.prepare_cached("DELETE FROM documents WHERE id = ?1")?
        .execute([id])?;
    Ok(())
}

pub fn insert_chunk(conn: &Connection, document_id: i64, c: &NewChunk<'_>) -> Result<i64> {
    Ok(conn
        .prepare_cached(
            "INSERT INTO chunks (document_id, ordinal, heading_path, text, byte_start, byte_end,
                                 line_start, line_end, token_estimate)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) RETURNING id",
        )?
        .query_row(
            params![
                document_id,
                c.ordinal,
                c.heading_path,
                c.text,
                c.byte_start,
                c.byte_end,
                c.line_start,
                c.line_end,
                c.token_estimate
            ],
            |r| r.get(0),
        )?)
}

/// Store a vector as little-endian f32.
pub fn put_embedding(
    conn: &Connection,
    chunk_id: i64,
    model_id: &str,
    vector: &[f32],
) -> Result<()> {
    let mut blob = Vec::with_capacity(vector.len() * 4);
    for x in vector {
        blob.extend_from_slice(&x.to_le_bytes());
    }
    conn.prepare_cached(
        "INSERT INTO embeddings (chunk_id, model_id, dims, vector) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (chunk_id, model_id) DO UPDATE SET dims = excluded.dims, vector = excluded.vector",
    )?
    .execute(params![chunk_id, model_id, vector.len() as i64, blob])?;
    Ok(())
}

/// Decode a little-endian f32 blob.
pub fn decode_vector(blob: &[u8]) -> Vec<f32> {
    blob.chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect()
}

/// Visit every embedding of `model_id` with `dims` dimensions (vectors of other sizes are
/// ignored: a changed model never crashes a search).
pub fn for_each_embedding(
    conn: &Connection,
    model_id: &str,
    dims: usize,
    mut f: impl FnMut(i64, &[u8]),
) -> Result<()> {
    let mut stmt = conn.prepare_cached(
        "SELECT chunk_id, vector FROM embeddings WHERE model_id = ?1 AND dims = ?2 ORDER BY chunk_id",
    )?;
    let mut rows = stmt.query(params![model_id, dims as i64])?;
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        if let Ok(blob) = r.get_ref(1)?.as_blob() {
            f(id, blob);
        }
    }
    Ok(())
}

/// Every chunk's id, text and heading path, by id (the in-memory BM25 index is built from it).
pub fn for_each_chunk_text(conn: &Connection, mut f: impl FnMut(i64, &str, &str)) -> Result<()> {
    let mut stmt = conn.prepare_cached("SELECT id, text, heading_path FROM chunks ORDER BY id")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let text = r.get_ref(1)?.as_str().unwrap_or_default();
        let heading = r.get_ref(2)?.as_str().unwrap_or_default();
        f(id, text, heading);
    }
    Ok(())
}

/// The texts and vectors of a document's chunks for `model_id` (reused when the document changes:
/// an unchanged chunk is not embedded again).
pub fn document_vectors(
    conn: &Connection,
    document_id: i64,
    model_id: &str,
) -> Result<Vec<(String, String, Vec<f32>)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT c.heading_path, c.text, e.vector FROM chunks c
         JOIN embeddings e ON e.chunk_id = c.id AND e.model_id = ?2
         WHERE c.document_id = ?1 ORDER BY c.ordinal",
    )?;
    let rows = stmt
        .query_map(params![document_id, model_id], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                decode_vector(&r.get::<_, Vec<u8>>(2)?),
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// Up to `limit` chunks that have no embedding from `model_id` yet: (id, heading path, text).
pub fn chunks_without_embedding(
    conn: &Connection,
    model_id: &str,
    limit: usize,
) -> Result<Vec<(i64, String, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT c.id, c.heading_path, c.text FROM chunks c
         WHERE NOT EXISTS (SELECT 1 FROM embeddings e WHERE e.chunk_id = c.id AND e.model_id = ?1)
         ORDER BY c.id LIMIT ?2",
    )?;
    let rows = stmt
        .query_map(params![model_id, limit as i64], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// Full-text candidates for an FTS5 `MATCH` expression, best first: (chunk id, BM25 score as a
/// positive number, higher is better). Text counts fully, the heading path half. Search uses it
/// for identifier phrases (short posting lists); BM25 over all words is computed in memory.
pub fn fts_search(conn: &Connection, expr: &str, limit: usize) -> Result<Vec<(i64, f64)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT rowid, -bm25(chunks_fts, 1.0, 0.5) AS s FROM chunks_fts WHERE chunks_fts MATCH ?1
         ORDER BY bm25(chunks_fts, 1.0, 0.5) LIMIT ?2",
    )?;
    let rows = stmt
        .query_map(params![expr, limit as i64], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// Chunks by id, with their documents, in the order asked.
pub fn chunk_rows(conn: &Connection, ids: &[i64]) -> Result<Vec<ChunkRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT c.id, d.id, d.root, d.path, d.kind, d.title, c.heading_path, c.text, c.byte_start,
                c.byte_end, c.line_start, c.line_end, d.indexed_at
         FROM chunks c JOIN documents d ON d.id = c.document_id WHERE c.id = ?1",
    )?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(row) = stmt
            .query_row([id], |r| {
                Ok(ChunkRow {
                    chunk_id: r.get(0)?,
                    document_id: r.get(1)?,
                    root: r.get(2)?,
                    path: r.get(3)?,
                    kind: r.get(4)?,
                    title: r.get(5)?,
                    heading_path: r.get(6)?,
                    text: r.get(7)?,
                    byte_start: r.get(8)?,
                    byte_end: r.get(9)?,
                    line_start: r.get(10)?,
                    line_end: r.get(11)?,
                    indexed_at: r.get(12)?,
                })
            })
            .optional()?
        {
            out.push(row);
        }
    }
    Ok(out)
}

/// Counts for `index status`.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct KnowledgeCounts {
    pub documents: i64,
    pub skipped: i64,
    pub chunks: i64,
    /// Chunks with an embedding from the pinned model.
    pub embedded: i64,
    /// The most recent `indexed_at`, if anything is indexed.
    pub updated_at: Option<i64>,
}

pub fn counts(conn: &Connection, model_id: Option<&str>) -> Result<KnowledgeCounts> {
    let (documents, skipped, updated_at): (i64, i64, Option<i64>) = conn.query_row(
        "SELECT count(*) FILTER (WHERE status = 'indexed'), count(*) FILTER (WHERE status = 'skipped'),
                max(indexed_at) FROM documents",
        [],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let chunks: i64 = conn.query_row("SELECT count(*) FROM chunks", [], |r| r.get(0))?;
    let embedded: i64 = match model_id {
        Some(m) => conn.query_row(
            "SELECT count(*) FROM embeddings WHERE model_id = ?1",
            [m],
            |r| r.get(0),
        )?,
        None => 0,
    };
    Ok(KnowledgeCounts {
        documents,
        skipped,
        chunks,
        embedded,
        updated_at,
    })
}

/// Documents per root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RootCounts {
    pub root: String,
    pub indexed: i64,
    pub skipped: i64,
    /// The most recent `indexed_at` under this root.
    pub indexed_at: Option<i64>,
}

pub fn root_counts(conn: &Connection) -> Result<Vec<RootCounts>> {
    let mut stmt = conn.prepare(
        "SELECT root, count(*) FILTER (WHERE status = 'indexed'), count(*) FILTER (WHERE status = 'skipped'),
                max(indexed_at) FROM documents GROUP BY root ORDER BY root",
    )?;
    let rows = stmt
        .query_map([], |r| {
            Ok(RootCounts {
                root: r.get(0)?,
                indexed: r.get(1)?,
                skipped: r.get(2)?,
                indexed_at: r.get(3)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// Skipped documents with their notes (binary, too large, unreadable).
pub fn skipped(conn: &Connection, limit: usize) -> Result<Vec<DocumentRow>> {
    let sql = format!(
        "SELECT {DOC_COLUMNS} FROM documents WHERE status = 'skipped' ORDER BY root, path LIMIT ?1"
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt
        .query_map([limit as i64], document)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// Drop embeddings made by any model other than `keep` (after a model change has re-embedded).
pub fn delete_other_embeddings(conn: &Connection, keep: &str) -> Result<usize> {
    Ok(conn.execute("DELETE FROM embeddings WHERE model_id <> ?1", [keep])?)
}

/// A `knowledge.*` setting in `meta`.
pub fn setting(conn: &Connection, key: &str) -> Result<Option<String>> {
    crate::meta::get(conn, &format!("knowledge.{key}"))
}

/// Set a `knowledge.*` setting in `meta`.
pub fn set_setting(conn: &Connection, key: &str, value: &str) -> Result<()> {
    crate::meta::set(conn, &format!("knowledge.{key}"), value)
}

/// A ticket's text, to index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketText {
    pub key: String,
    pub summary: String,
    /// Empty when there is none.
    pub description: String,
    pub updated_at: Option<i64>,
}

/// The `limit` tickets updated last, with their text.
pub fn recent_ticket_texts(conn: &Connection, limit: usize) -> Result<Vec<TicketText>> {
    let mut s = conn.prepare(
        "SELECT key, summary, coalesce(description, ''), updated_at FROM tickets
         ORDER BY updated_at DESC LIMIT ?1",
    )?;
    let rows = s.query_map([limit as i64], |r| {
        Ok(TicketText {
            key: r.get(0)?,
            summary: r.get(1)?,
            description: r.get(2)?,
            updated_at: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// A pull request's text, to index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullRequestText {
    /// `owner/name`.
    pub repo: String,
    pub number: i64,
    pub title: String,
    /// Empty when there is none.
    pub body: String,
    pub updated_at: Option<i64>,
}

/// The `limit` pull requests updated last, with their text.
pub fn recent_pull_request_texts(conn: &Connection, limit: usize) -> Result<Vec<PullRequestText>> {
    let mut s = conn.prepare(
        "SELECT r.full_name, p.number, p.title, coalesce(p.body, ''), p.updated_at
         FROM pull_requests p JOIN repos r ON r.id = p.repo_id
         ORDER BY p.updated_at DESC LIMIT ?1",
    )?;
    let rows = s.query_map([limit as i64], |r| {
        Ok(PullRequestText {
            repo: r.get(0)?,
            number: r.get(1)?,
            title: r.get(2)?,
            body: r.get(3)?,
            updated_at: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// Drop every document and every embedding (the folders stay registered).
pub fn clear(conn: &Connection) -> Result<()> {
    conn.execute("DELETE FROM documents", [])?;
    conn.execute("DELETE FROM embeddings", [])?;
    Ok(())
}

/// Repository and service names known to the store (names, `owner/name`s, services), each once.
pub fn known_names(conn: &Connection) -> Result<Vec<String>> {
    let mut s = conn.prepare(
        "SELECT name FROM repos UNION SELECT full_name FROM repos UNION SELECT service FROM repos WHERE service IS NOT NULL
         UNION SELECT name FROM services",
    )?;
    let rows = s.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// Someone who authored or reviewed pull requests in a repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoContributor {
    pub name: String,
    /// The person's key.
    pub key: String,
    /// The team's name.
    pub team: Option<String>,
    pub prs_authored: i64,
    pub reviews_given: i64,
}

/// The (at most five) people, not bots, who authored or reviewed the most pull requests since
/// `since` in the repository `name` names (its name, `owner/name` or service, in any case, or a
/// service's name).
pub fn repo_contributors(
    conn: &Connection,
    name: &str,
    since: i64,
) -> Result<Vec<RepoContributor>> {
    let mut s = conn.prepare_cached(
        "WITH r AS (
             SELECT id FROM repos WHERE lower(name) = lower(?1) OR lower(full_name) = lower(?1) OR lower(service) = lower(?1)
             UNION SELECT repo_id FROM services WHERE lower(name) = lower(?1) AND repo_id IS NOT NULL
         ),
         authored AS (
             SELECT a.person_id AS pid, count(*) AS n FROM pull_requests p JOIN accounts a ON a.id = p.author_account_id
             WHERE p.repo_id IN (SELECT id FROM r) AND p.created_at >= ?2 AND a.person_id IS NOT NULL AND a.is_bot = 0
             GROUP BY a.person_id
         ),
         reviewed AS (
             SELECT a.person_id AS pid, count(*) AS n FROM reviews v JOIN pull_requests p ON p.id = v.pr_id
             JOIN accounts a ON a.id = v.reviewer_account_id
             WHERE p.repo_id IN (SELECT id FROM r) AND coalesce(v.submitted_at, p.created_at) >= ?2
               AND a.person_id IS NOT NULL AND a.is_bot = 0
             GROUP BY a.person_id
         )
         SELECT pe.name, pe.key, t.name, coalesce(au.n, 0), coalesce(re.n, 0)
         FROM people pe LEFT JOIN teams t ON t.id = pe.team_id
         LEFT JOIN authored au ON au.pid = pe.id LEFT JOIN reviewed re ON re.pid = pe.id
         WHERE (au.n IS NOT NULL OR re.n IS NOT NULL) AND pe.is_bot = 0
         ORDER BY coalesce(au.n, 0) + coalesce(re.n, 0) DESC LIMIT 5",
    )?;
    let rows = s.query_map(params![name, since], |r| {
        Ok(RepoContributor {
            name: r.get(0)?,
            key: r.get(1)?,
            team: r.get(2)?,
            prs_authored: r.get(3)?,
            reviews_given: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// (name, key, team name) of the first person named `name` (in any case).
pub fn person_by_name(
    conn: &Connection,
    name: &str,
) -> Result<Option<(String, String, Option<String>)>> {
    Ok(conn
        .prepare_cached(
            "SELECT p.name, p.key, t.name FROM people p LEFT JOIN teams t ON t.id = p.team_id
             WHERE lower(p.name) = lower(?1) LIMIT 1",
        )?
        .query_row([name], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Store;

    fn doc<'a>(path: &'a str, hash: &'a str) -> NewDocument<'a> {
        NewDocument {
            root: "/r",
            path,
            kind: "markdown",
            title: None,
            content_hash: hash,
            size: 10,
            mtime: None,
            indexed_at: 100,
            status: "indexed",
            note: None,
        }
    }

    fn chunk(text: &str) -> NewChunk<'_> {
        NewChunk {
            ordinal: 0,
            heading_path: "Title",
            text,
            byte_start: 0,
            byte_end: text.len() as i64,
            line_start: 1,
            line_end: 1,
            token_estimate: 3,
        }
    }

    #[test]
    fn replacing_a_document_replaces_its_chunks_fts_rows_and_vectors() {
        let store = Store::open_in_memory().unwrap();
        let c = store.conn();
        let id = put_document(c, &doc("a.md", "h1")).unwrap();
        let ch = insert_chunk(c, id, &chunk("the severity is decided by the commander")).unwrap();
        put_embedding(c, ch, "m", &[1.0, 0.5]).unwrap();
        assert_eq!(fts_search(c, "severity", 5).unwrap().len(), 1);
        let id2 = put_document(c, &doc("a.md", "h2")).unwrap();
        assert_eq!(id, id2, "the document keeps its id");
        assert!(fts_search(c, "severity", 5).unwrap().is_empty());
        let n: i64 = c
            .query_row("SELECT count(*) FROM embeddings", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 0);
        let ch = insert_chunk(c, id, &chunk("rotate credentials")).unwrap();
        put_embedding(c, ch, "m", &[0.25, -2.0]).unwrap();
        let mut seen = Vec::new();
        for_each_embedding(c, "m", 2, |id, b| seen.push((id, decode_vector(b)))).unwrap();
        assert_eq!(seen, vec![(ch, vec![0.25, -2.0])]);
        let mut wrong_dims = 0;
        for_each_embedding(c, "m", 3, |_, _| wrong_dims += 1).unwrap();
        assert_eq!(wrong_dims, 0);
        assert_eq!(counts(c, Some("m")).unwrap().embedded, 1);
        delete_document(c, id).unwrap();
        assert_eq!(counts(c, Some("m")).unwrap(), KnowledgeCounts::default());
    }
}
