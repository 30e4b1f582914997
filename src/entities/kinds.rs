//! The closed sets of the entity tables, as enums: an entity's type and
//! status, how a name is listed, and how a mention was found. Each is
//! stored as the lower-case word that the schema's CHECK constraints allow.

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};
use serde::Serialize;

/// An enum stored as one of a fixed set of words.
macro_rules! stored_words {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident => $word:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
        #[serde(rename_all = "lowercase")]
        pub enum $name {
            $($(#[$vdoc])* $variant),+
        }

        impl $name {
            pub const ALL: &[$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $word),+
                }
            }

            /// The variant stored as `word`, if any.
            pub fn parse(word: &str) -> Option<$name> {
                match word {
                    $($word => Some($name::$variant),)+
                    _ => None,
                }
            }

            /// The stored words, for messages: "a, b or c".
            pub fn words() -> String {
                let w: Vec<&str> = Self::ALL.iter().map(|v| v.as_str()).collect();
                match w.split_last() {
                    Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
                    _ => w.join(""),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ToSql for $name {
            fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
                Ok(ToSqlOutput::from(self.as_str()))
            }
        }

        impl FromSql for $name {
            fn column_result(v: ValueRef<'_>) -> FromSqlResult<Self> {
                let s = v.as_str()?;
                $name::parse(s).ok_or_else(|| {
                    FromSqlError::Other(format!("{s:?} is not a {}", stringify!($name)).into())
                })
            }
        }
    };
}

stored_words! {
    /// What an entity is (`entities.type`).
    EntityType {
        Person => "person",
        Org => "org",
        Place => "place",
        Other => "other",
    }
}

stored_words! {
    /// Where an entity stands (`entities.status`): in the gazetteer, found
    /// by discovery and not yet decided, or turned down by an analyst.
    Status {
        Accepted => "accepted",
        Candidate => "candidate",
        Rejected => "rejected",
    }
}

stored_words! {
    /// How a name is listed for its entity (`entity_aliases.kind`): its
    /// own name, another name, or a short name that counts only after the
    /// full one in the same article.
    NameKind {
        Name => "name",
        Alias => "alias",
        Short => "short",
    }
}

stored_words! {
    /// How a mention was found (`mentions.how`): through one of the kinds
    /// of name, or by candidate discovery.
    How {
        Name => "name",
        Alias => "alias",
        Short => "short",
        Discovered => "discovered",
    }
}

impl From<NameKind> for How {
    fn from(k: NameKind) -> How {
        match k {
            NameKind::Name => How::Name,
            NameKind::Alias => How::Alias,
            NameKind::Short => How::Short,
        }
    }
}

impl clap::ValueEnum for EntityType {
    fn value_variants<'a>() -> &'a [Self] {
        EntityType::ALL
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The words are the ones the schema's CHECK constraints allow.
    #[test]
    fn words_match_the_schema() {
        let schema = include_str!("../../migrations/V4__entities.sql");
        for (column, words) in [
            (
                "type",
                EntityType::ALL
                    .iter()
                    .map(|v| v.as_str())
                    .collect::<Vec<_>>(),
            ),
            ("status", Status::ALL.iter().map(|v| v.as_str()).collect()),
            ("kind", NameKind::ALL.iter().map(|v| v.as_str()).collect()),
            ("how", How::ALL.iter().map(|v| v.as_str()).collect()),
        ] {
            let list = words
                .iter()
                .map(|w| format!("'{w}'"))
                .collect::<Vec<_>>()
                .join(", ");
            assert!(
                schema.contains(&format!("CHECK ({column} IN ({list}))")),
                "{column}: {list}"
            );
        }
        assert_eq!(EntityType::words(), "person, org, place or other");
        assert_eq!(How::parse("discovered"), Some(How::Discovered));
        assert_eq!(How::parse("Name"), None);
    }
}
