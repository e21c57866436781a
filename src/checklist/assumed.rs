//! `assumed`: what a checklist states without its source saying so. A preset is written from a
//! write-up; what the write-up does not say (the names of earlier migrations, the types of
//! columns of tables it only names, extra enum labels, helper functions) is either left out or
//! kept and marked `assumed = true`, or `assumed = "the assumption, in words"`.
//!
//! An assumed item (or column, key, constraint, enum label) is still checked, and its findings
//! are shown with the assumption, but:
//! - their severity is capped at `info` (never critical);
//! - they never count for the exit code (`--fail-on`);
//! - `fix --all` plans nothing for them (`fix --only ID` still can), and a failed plan for one
//!   never fails the run.
//!
//! Creating a missing object that the source does state (a table) still uses the assumed parts
//! it needs (its columns' types): they are the best guess, and the table is what was asked for.

use serde::Deserialize;

use crate::rules::Severity;

/// `assumed = true` or `assumed = "what is assumed"`; `assumed = false` is the same as leaving
/// the key out.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum Assumed {
    Flag(bool),
    Text(String),
}

/// What `assumed = true` says when it gives no words of its own.
pub const UNSTATED: &str = "not stated by the checklist's source";

/// The highest severity an assumed finding has.
pub const CAP: Severity = Severity::Info;

impl Assumed {
    /// The assumption as shown, None when nothing is assumed.
    pub fn text(&self) -> Option<String> {
        match self {
            Assumed::Flag(false) => None,
            Assumed::Flag(true) => Some(UNSTATED.to_string()),
            Assumed::Text(t) if t.trim().is_empty() => Some(UNSTATED.to_string()),
            Assumed::Text(t) => Some(t.trim().to_string()),
        }
    }
}

/// The assumption an optional `assumed` key states.
pub fn assumption(a: &Option<Assumed>) -> Option<String> {
    a.as_ref().and_then(Assumed::text)
}

/// The assumption of a part, else the one of the item it belongs to.
pub fn either(part: &Option<Assumed>, item: &Option<Assumed>) -> Option<String> {
    assumption(part).or_else(|| assumption(item))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct X {
        assumed: Option<Assumed>,
    }

    fn parse(s: &str) -> Option<String> {
        assumption(&toml::from_str::<X>(s).unwrap().assumed)
    }

    #[test]
    fn flag_or_words() {
        assert_eq!(parse(""), None);
        assert_eq!(parse("assumed = false"), None);
        assert_eq!(parse("assumed = true").as_deref(), Some(UNSTATED));
        assert_eq!(
            parse("assumed = \" TypeORM's default naming \"").as_deref(),
            Some("TypeORM's default naming")
        );
        assert_eq!(parse("assumed = \"\"").as_deref(), Some(UNSTATED));
    }

    #[test]
    fn the_part_wins_over_the_item() {
        let t = Some(Assumed::Text("part".into()));
        let i = Some(Assumed::Text("item".into()));
        assert_eq!(either(&t, &i).as_deref(), Some("part"));
        assert_eq!(either(&None, &i).as_deref(), Some("item"));
        assert_eq!(either(&Some(Assumed::Flag(false)), &None), None);
    }
}
