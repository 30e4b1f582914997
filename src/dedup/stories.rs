//! Reading stories back: each group of copies with its members, for
//! `marsad duplicates`.

use rusqlite::{Connection, params};

use crate::articles::ArticleRef;
use crate::error::Result;

/// A copy within a story.
#[derive(Debug, serde::Serialize)]
pub struct Member {
    #[serde(flatten)]
    pub article: ArticleRef,
    /// Highest similarity to another copy (1 for an exact duplicate).
    pub similarity: Option<f64>,
    pub canonical: bool,
}

/// A story with more than one copy.
#[derive(Debug, serde::Serialize)]
pub struct Story {
    pub story_id: i64,
    pub canonical_id: i64,
    pub members: Vec<Member>,
}

/// Stories with copies, largest first; `story` picks one; `min_similarity`
/// keeps stories whose every link reaches it.
pub fn stories(
    conn: &Connection,
    story: Option<i64>,
    min_similarity: f64,
    limit: usize,
) -> Result<Vec<Story>> {
    let mut st = conn.prepare(
        "SELECT story_id, canonical_id, article_id, external_id, origin, title, published_at, outlet, similarity
         FROM v_stories WHERE (?1 IS NULL OR story_id = ?1)
           AND story_id IN (SELECT s.story_id FROM stories s JOIN near_duplicates d ON d.a = s.article_id
                             GROUP BY s.story_id HAVING min(d.similarity) >= ?2)
         ORDER BY copies DESC, story_id, published_at IS NULL, published_at, article_id",
    )?;
    let mut out: Vec<Story> = Vec::new();
    let mut rows = st.query(params![story, min_similarity])?;
    while let Some(r) = rows.next()? {
        let sid: i64 = r.get(0)?;
        let canonical_id: i64 = r.get(1)?;
        let article = ArticleRef::from_row(r, 2)?;
        let canonical = article.id == canonical_id;
        if out.last().is_none_or(|s| s.story_id != sid) {
            if out.len() == limit {
                break;
            }
            out.push(Story {
                story_id: sid,
                canonical_id,
                members: Vec::new(),
            });
        }
        out.last_mut().expect("pushed above").members.push(Member {
            article,
            similarity: r.get(8)?,
            canonical,
        });
    }
    Ok(out)
}
