//! Reading stories back: each group of copies with its members, for
//! `marsad duplicates`, and why two articles are or are not one story.

use rusqlite::{Connection, OptionalExtension, params};

use super::links::{stored_similarity, threshold};
use super::particulars::{Particulars, Report, disagreement};

use crate::articles::ArticleRef;
use crate::error::Result;

/// A copy within a story.
#[derive(Debug, serde::Serialize)]
pub struct Member {
    #[serde(flatten)]
    pub article: ArticleRef,
    /// Estimated similarity to the story's canonical article (1 for itself).
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
/// keeps stories whose every member is at least that similar to the
/// canonical.
pub fn stories(
    conn: &Connection,
    story: Option<i64>,
    min_similarity: f64,
    limit: usize,
) -> Result<Vec<Story>> {
    // The `limit` largest stories first, from the stories table alone; then
    // only their members are read (with each one's first origin). Reading
    // every story's members took 1.3 s at 300k articles for 20 stories.
    let mut st = conn.prepare(
        "WITH top AS (
             SELECT story_id, count(*) AS copies FROM stories
             WHERE (?1 IS NULL OR story_id = ?1)
             GROUP BY story_id HAVING count(*) > 1 AND min(coalesce(similarity, 0)) >= ?2
             ORDER BY copies DESC, story_id LIMIT ?3)
         SELECT s.story_id, s.story_id, s.article_id, a.external_id,
                (SELECT g.origin FROM sightings g WHERE g.article_id = a.id ORDER BY g.id LIMIT 1),
                a.title, a.published_at, o.name, s.similarity
         FROM top t
         JOIN stories s ON s.story_id = t.story_id
         JOIN articles a ON a.id = s.article_id LEFT JOIN outlets o ON o.id = a.outlet_id
         ORDER BY t.copies DESC, t.story_id, a.published_at IS NULL, a.published_at, s.article_id",
    )?;
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let mut out: Vec<Story> = Vec::new();
    let mut rows = st.query(params![story, min_similarity, limit])?;
    while let Some(r) = rows.next()? {
        let sid: i64 = r.get(0)?;
        let canonical_id: i64 = r.get(1)?;
        let article = ArticleRef::from_row(r, 2)?;
        let canonical = article.id == canonical_id;
        if out.last().is_none_or(|s| s.story_id != sid) {
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

/// Why two articles are, or are not, in one story.
#[derive(Debug, serde::Serialize)]
pub struct Comparison {
    pub a: i64,
    pub b: i64,
    /// Estimated Jaccard of their shingles; None when either body is too
    /// short to have a signature.
    pub similarity: Option<f64>,
    pub threshold: f64,
    pub story_a: i64,
    pub story_b: i64,
    pub same_story: bool,
    /// Particulars (entities, numbers) one names and the other does not: in
    /// the stretch where they disagree, if they do; else anywhere.
    pub only_in_a: Particulars,
    pub only_in_b: Particulars,
    /// Where the texts differ, each names something the other does not:
    /// different reports.
    pub particulars_disagree: bool,
    /// Near-duplicates agreeing on particulars: a story could hold both.
    pub copies: bool,
    pub reason: String,
}

/// Compare two stored articles as [`add`](super::add) would.
pub fn compare(conn: &Connection, a: i64, b: i64) -> Result<Comparison> {
    let story = |id: i64| -> Result<i64> {
        conn.query_row(
            "SELECT story_id FROM stories WHERE article_id = ?1",
            [id],
            |r| r.get(0),
        )
        .optional()?
        .ok_or_else(|| crate::error::Error::Input(format!("no article #{id}")))
    };
    let (story_a, story_b) = (story(a)?, story(b)?);
    let t = threshold(conn)?;
    let sig_a: Option<Vec<u8>> = conn
        .query_row("SELECT sig FROM minhash WHERE article_id = ?1", [a], |r| {
            r.get(0)
        })
        .optional()?;
    let similarity = match sig_a {
        Some(blob) => stored_similarity(conn, &super::minhash::from_blob(&blob), b)?,
        None => None,
    };
    let (ra, rb) = (Report::of_article(conn, a)?, Report::of_article(conn, b)?);
    let differ = disagreement(&ra, &rb);
    let particulars_disagree = differ.is_some();
    let copies = similarity.is_some_and(|s| s >= t) && !particulars_disagree;
    // Where they disagree: what each names in the stretch that differs;
    // else all that only one of them names.
    let (only_in_a, only_in_b) = differ.unwrap_or_else(|| {
        let (pa, pb) = (ra.particulars(), rb.particulars());
        (pa.minus(&pb), pb.minus(&pa))
    });
    let list = |p: &Particulars| {
        let v: Vec<&str> = p
            .entities
            .iter()
            .chain(&p.numbers)
            .map(String::as_str)
            .collect();
        if v.is_empty() {
            "nothing".to_string()
        } else {
            v.join(", ")
        }
    };
    let mut reason = match similarity {
        None => format!(
            "#{a} or #{b} is too short to compare (fewer than {} words)",
            super::MIN_WORDS
        ),
        Some(s) if s < t => format!("similarity {s:.2} is below the threshold {t:.2}: not copies"),
        Some(s) if particulars_disagree => format!(
            "similarity {s:.2} reaches the threshold {t:.2}, but the particulars differ where the texts differ: #{a} names {} where #{b} names {}",
            list(&only_in_a),
            list(&only_in_b)
        ),
        Some(s) => format!(
            "copies: similarity {s:.2} reaches the threshold {t:.2} and the particulars do not conflict \
             (where the texts differ, at most one of them names what the other lacks: \
             #{a} adds {}, #{b} adds {})",
            list(&only_in_a),
            list(&only_in_b)
        ),
    };
    if story_a == story_b {
        reason.push_str(&format!("; both are in story {story_a}"));
    } else {
        reason.push_str(&format!(
            "; #{a} is in story {story_a}, #{b} in story {story_b}: an article joins the story of \
             the canonical article (#{story_a}, #{story_b}) it copies most closely, not of any copy"
        ));
    }
    Ok(Comparison {
        a,
        b,
        similarity,
        threshold: t,
        story_a,
        story_b,
        same_story: story_a == story_b,
        only_in_a,
        only_in_b,
        particulars_disagree,
        copies,
        reason,
    })
}
