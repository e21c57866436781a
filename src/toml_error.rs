//! TOML errors as `file:line:column: message`, with the closest valid key suggested for an
//! unknown one. Every TOML pgmend reads (config, themes, checklists) reports through here.

use std::path::Path;

/// A TOML file that could not be read as what it should be.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}:{column}: {message}")]
pub struct TomlError {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// The candidate closest to `word`, when it is close enough to be what was meant.
pub fn suggest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (strsim::jaro_winkler(word, c), *c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// 1-based line and column of byte `offset` in `text` (column counts characters).
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..text.floor_char_boundary(offset)];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// Parses `text` (read from `file`) into `T`, turning any error into a [`TomlError`].
pub fn from_toml<T: serde::de::DeserializeOwned>(text: &str, file: &Path) -> Result<T, TomlError> {
    toml::from_str(text).map_err(|e| {
        let (line, column) = e.span().map_or((1, 1), |s| line_col(text, s.start));
        TomlError {
            file: file.display().to_string(),
            line,
            column,
            message: improve_message(e.message()),
        }
    })
}

/// serde says "unknown field `x`, expected one of `a`, `b`": add "did you mean".
fn improve_message(msg: &str) -> String {
    let msg = msg.trim().to_string();
    let Some(rest) = msg.strip_prefix("unknown field `") else {
        return msg;
    };
    let Some((field, tail)) = rest.split_once('`') else {
        return msg;
    };
    let expected: Vec<&str> = tail.split('`').skip(1).step_by(2).collect();
    match suggest(field, &expected) {
        Some(s) => format!("{msg}; did you mean `{s}`?"),
        None => msg,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct T {
        statement_timeout: Option<String>,
        profiles: Option<toml::Table>,
    }

    #[test]
    fn positions_and_suggestions() {
        let text = "\n# comment\nstatment_timeout = \"5s\"\n";
        let e = from_toml::<T>(text, Path::new("c.toml")).unwrap_err();
        assert_eq!((e.line, e.column), (3, 1));
        assert!(
            e.to_string()
                .starts_with("c.toml:3:1: unknown field `statment_timeout`"),
            "{e}"
        );
        assert!(
            e.message.ends_with("did you mean `statement_timeout`?"),
            "{e}"
        );
    }

    #[test]
    fn syntax_errors_point_at_the_spot() {
        let e = from_toml::<T>(
            "statement_timeout = \"5s\"\nprofiles = [\n",
            Path::new("x.toml"),
        )
        .unwrap_err();
        assert_eq!(e.file, "x.toml");
        assert!(e.line >= 2, "{e}");
    }

    #[test]
    fn line_col_counts_characters() {
        assert_eq!(line_col("ab\ncdé f", 8), (2, 5));
        assert_eq!(line_col("", 0), (1, 1));
    }
}
