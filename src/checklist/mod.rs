//! Expected-schema checklists: the TOML format, loading (files and built-in presets), and
//! capturing a database as a checklist.

pub mod adapt;
pub mod assumed;
mod chunks;
pub mod format;
mod format_objects;
pub mod naming;
pub mod presets;
pub mod rls_reach;
pub mod scheme;
pub mod snapshot;
mod snapshot_more;

use std::path::Path;

pub use format::*;

use crate::toml_error::{TomlError, line_col};

/// A loaded checklist: its items and where they were written.
#[derive(Debug, Clone)]
pub struct Checklist {
    /// The file's path, or `preset:NAME`.
    pub source: String,
    pub file: ChecklistFile,
    /// Byte offsets where lines start, for `line` in O(log n).
    line_starts: Vec<u32>,
}

#[derive(Debug, thiserror::Error)]
pub enum ChecklistError {
    #[error(transparent)]
    Toml(#[from] TomlError),
    #[error("cannot read checklist {path}: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("unknown preset `{name}`{hint}; presets: {}", presets::names().join(", "))]
    UnknownPreset { name: String, hint: String },
}

impl Checklist {
    /// Parses checklist text; `source` names it in errors (`file:line:column`).
    pub fn parse(text: &str, source: &str) -> Result<Checklist, ChecklistError> {
        let file: ChecklistFile = chunks::parse(text, Path::new(source))?;
        let c = Checklist {
            source: source.to_string(),
            file,
            line_starts: std::iter::once(0)
                .chain(text.match_indices('\n').map(|(i, _)| i + 1))
                .map(|i| u32::try_from(i).unwrap_or(u32::MAX))
                .collect(),
        };
        c.validate(text)?;
        Ok(c)
    }

    pub fn load(path: &Path) -> Result<Checklist, ChecklistError> {
        let text = std::fs::read_to_string(path).map_err(|source| ChecklistError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Self::parse(&text, &path.display().to_string())
    }

    pub fn preset(name: &str) -> Result<Checklist, ChecklistError> {
        match presets::text(name) {
            Some(text) => Self::parse(text, &format!("preset:{name}")),
            None => Err(ChecklistError::UnknownPreset {
                name: name.to_string(),
                hint: crate::toml_error::suggest(name, &presets::names())
                    .map(|s| format!(" (did you mean `{s}`?)"))
                    .unwrap_or_default(),
            }),
        }
    }

    /// 1-based line of a byte offset in the checklist text.
    pub fn line(&self, offset: usize) -> usize {
        self.line_starts
            .partition_point(|&start| start as usize <= offset)
            .max(1)
    }

    pub fn default_schema(&self) -> &str {
        self.file
            .checklist
            .default_schema
            .as_deref()
            .unwrap_or("public")
    }

    pub fn exposed_schemas(&self) -> Vec<String> {
        self.file
            .checklist
            .exposed_schemas
            .clone()
            .unwrap_or_else(|| vec!["public".to_string()])
    }

    /// `(schema, name)` of a name written as `name`, `schema.name` (either part may be
    /// double-quoted, `"we.ird"."Na""me"`) or with a separate schema. Names are never case-folded.
    pub fn qualify(&self, name: &str, schema: Option<&str>) -> (String, String) {
        if let Some(s) = schema {
            return (s.to_string(), name.to_string());
        }
        match split_path(name).as_slice() {
            [s, n] if !s.is_empty() && !n.is_empty() => (s.clone(), n.clone()),
            [n] => (self.default_schema().to_string(), n.clone()),
            _ => (self.default_schema().to_string(), name.to_string()),
        }
    }

    fn error_at(&self, text: &str, offset: usize, message: String) -> ChecklistError {
        let (line, column) = line_col(text, offset);
        ChecklistError::Toml(TomlError {
            file: self.source.clone(),
            line,
            column,
            message,
        })
    }

    /// Checks what the TOML types cannot: lint ids, references, templates, names.
    fn validate(&self, text: &str) -> Result<(), ChecklistError> {
        let lint_ids: Vec<&str> = crate::rules::LintId::ALL
            .iter()
            .map(|l| l.as_str())
            .collect();
        for (id, setting) in &self.file.lints {
            if !lint_ids.contains(&id.as_str()) {
                let hint = crate::toml_error::suggest(id, &lint_ids)
                    .map(|s| format!("; did you mean `{s}`?"))
                    .unwrap_or_default();
                return Err(self.error_at(
                    text,
                    setting.span().start,
                    format!("unknown lint `{id}`{hint}"),
                ));
            }
        }
        for t in &self.file.tables {
            for fk in t.get_ref().foreign_keys.iter() {
                if parse_reference(&fk.get_ref().references).is_none() {
                    return Err(self.error_at(
                        text,
                        fk.span().start,
                        format!(
                            "references = \"{}\": expected `table(column, …)` or `schema.table(column, …)`",
                            fk.get_ref().references
                        ),
                    ));
                }
                for action in [&fk.get_ref().on_delete, &fk.get_ref().on_update]
                    .into_iter()
                    .flatten()
                {
                    if parse_fk_action(action).is_none() {
                        return Err(self.error_at(
                        text,
                            fk.span().start,
                            format!("unknown foreign-key action `{action}`: expected no action, restrict, cascade, set null or set default"),
                        ));
                    }
                }
            }
        }
        for p in &self.file.policies {
            let item = p.get_ref();
            match item.template {
                Some(PolicyTemplate::Owner) if item.column.is_none() => {
                    return Err(self.error_at(
                        text,
                        p.span().start,
                        "template = \"owner\" needs `column` (the column holding the owner's id)"
                            .into(),
                    ));
                }
                None if item.name.is_none() && item.command.is_none() => {
                    return Err(self.error_at(
                        text,
                        p.span().start,
                        "a policy item needs a `name`, a `command` or a `template`".into(),
                    ));
                }
                _ => {}
            }
        }
        for r in &self.file.rls {
            let item = r.get_ref();
            if item.table.is_none() && item.schema.is_none() {
                return Err(self.error_at(
                    text,
                    r.span().start,
                    "an rls item needs `table`, or `schema` for a rule over its tables".into(),
                ));
            }
        }
        self.check_name_lengths(text)?;
        for c in &self.file.credentials {
            let algorithm = c.get_ref().algorithm.as_deref().unwrap_or("auto");
            if let Err(e) = scheme::Scheme::parse(algorithm) {
                return Err(self.error_at(text, c.span().start, e));
            }
        }
        Ok(())
    }
}

impl Checklist {
    /// A name longer than PostgreSQL's 63 bytes can never match: PostgreSQL cuts such names
    /// (`CREATE TABLE` with a 70-byte name makes a 63-byte one), so the item would fail forever
    /// and its fix would collide with what exists. Say so where the name is written.
    fn check_name_lengths(&self, text: &str) -> Result<(), ChecklistError> {
        for (span, qualified, value) in self.names() {
            let parts = if qualified {
                split_path(value)
            } else {
                vec![value.to_string()]
            };
            if let Some(p) = parts.iter().find(|p| p.len() > 63) {
                let mut end = 63;
                while !p.is_char_boundary(end) {
                    end -= 1;
                }
                // Where the name is written: the first time after its item starts.
                let at = text[span.start..]
                    .find(p.as_str())
                    .map_or(span.start, |i| span.start + i);
                return Err(self.error_at(
                    text,
                    at,
                    format!(
                        "`{p}` is {} bytes, but PostgreSQL keeps at most 63 bytes of a name \
                         (it would be `{}`): write the name as the database holds it",
                        p.len(),
                        &p[..end]
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Every object name the items spell, with the item's span and whether it may be
    /// schema-qualified (`a.b`, quoted parts).
    fn names(&self) -> Vec<(std::ops::Range<usize>, bool, &str)> {
        fn each<'a, T: Spells>(out: &mut Vec<NameAt<'a>>, items: &'a [toml::Spanned<T>]) {
            for i in items {
                let (qualified, plain) = i.get_ref().spelled();
                out.extend(qualified.into_iter().map(|n| (i.span(), true, n)));
                out.extend(plain.into_iter().map(|n| (i.span(), false, n)));
            }
        }
        let f = &self.file;
        let mut out = Vec::new();
        each(&mut out, &f.schemas);
        each(&mut out, &f.extensions);
        each(&mut out, &f.enums);
        each(&mut out, &f.tables);
        each(&mut out, &f.indexes);
        each(&mut out, &f.views);
        each(&mut out, &f.rls);
        each(&mut out, &f.policies);
        each(&mut out, &f.triggers);
        each(&mut out, &f.functions);
        out
    }
}

type NameAt<'a> = (std::ops::Range<usize>, bool, &'a str);

/// The object names an item spells: those that may be schema-qualified, and plain ones
/// (columns, enum labels).
trait Spells {
    fn spelled(&self) -> (Vec<&str>, Vec<&str>);
}

fn some<'a>(names: &[Option<&'a str>]) -> Vec<&'a str> {
    names.iter().flatten().copied().collect()
}

impl Spells for format::SchemaItem {
    fn spelled(&self) -> (Vec<&str>, Vec<&str>) {
        (vec![&self.name], vec![])
    }
}

impl Spells for format::ExtensionItem {
    fn spelled(&self) -> (Vec<&str>, Vec<&str>) {
        (some(&[Some(&self.name), self.schema.as_deref()]), vec![])
    }
}

impl Spells for format::EnumItem {
    fn spelled(&self) -> (Vec<&str>, Vec<&str>) {
        let labels = self.values.iter().map(String::as_str).collect();
        (some(&[Some(&self.name), self.schema.as_deref()]), labels)
    }
}

impl Spells for format::TableItem {
    fn spelled(&self) -> (Vec<&str>, Vec<&str>) {
        let columns = self
            .columns
            .iter()
            .map(|c| c.get_ref().name.as_str())
            .collect();
        (some(&[Some(&self.name), self.schema.as_deref()]), columns)
    }
}

impl Spells for format::IndexItem {
    fn spelled(&self) -> (Vec<&str>, Vec<&str>) {
        let names = [
            Some(self.table.as_str()),
            self.name.as_deref(),
            self.schema.as_deref(),
        ];
        (some(&names), vec![])
    }
}

impl Spells for format::ViewItem {
    fn spelled(&self) -> (Vec<&str>, Vec<&str>) {
        let names = [
            Some(self.name.as_str()),
            self.schema.as_deref(),
            self.over.as_deref(),
        ];
        (some(&names), vec![])
    }
}

impl Spells for format::RlsItem {
    fn spelled(&self) -> (Vec<&str>, Vec<&str>) {
        (
            some(&[self.table.as_deref(), self.schema.as_deref()]),
            vec![],
        )
    }
}

impl Spells for format::PolicyItem {
    fn spelled(&self) -> (Vec<&str>, Vec<&str>) {
        let names = [
            Some(self.table.as_str()),
            self.name.as_deref(),
            self.schema.as_deref(),
        ];
        (some(&names), some(&[self.column.as_deref()]))
    }
}

impl Spells for format::TriggerItem {
    fn spelled(&self) -> (Vec<&str>, Vec<&str>) {
        let names = [
            Some(self.table.as_str()),
            self.name.as_deref(),
            self.schema.as_deref(),
            self.function.as_deref(),
        ];
        (some(&names), vec![])
    }
}

impl Spells for format::FunctionItem {
    fn spelled(&self) -> (Vec<&str>, Vec<&str>) {
        (some(&[Some(&self.name), self.schema.as_deref()]), vec![])
    }
}

/// A grant's `on` pattern that means every table of a schema: `*` or `schema.*` with the star
/// unquoted (`schema."*"` names a table called `*`).
pub fn is_wildcard(pattern: &str) -> bool {
    let p = pattern.trim();
    p == "*" || p.ends_with(".*")
}

/// Splits `a."b.c"` into its parts; double-quoted parts keep dots and `""` means `"`.
pub fn split_path(s: &str) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut chars = s.trim().chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                parts.last_mut().expect("non-empty").push('"');
            }
            '"' => quoted = !quoted,
            '.' if !quoted => parts.push(String::new()),
            c => parts.last_mut().expect("non-empty").push(c),
        }
    }
    parts
}

/// `schema.table(a, b)` → (Some(schema), table, [a, b]); columns may be omitted. Identifiers
/// may be double-quoted (needed for names holding `.`, `(`, `)` or `,`).
pub fn parse_reference(s: &str) -> Option<(Option<String>, String, Vec<String>)> {
    // Find the `(` that opens the column list: the first one outside double quotes.
    let mut quoted = false;
    let mut open = None;
    for (i, c) in s.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '(' if !quoted => {
                open = Some(i);
                break;
            }
            _ => {}
        }
    }
    let (target, cols) = match open {
        Some(i) => {
            let inner = s[i + 1..].trim_end().strip_suffix(')')?;
            (s[..i].trim(), split_list(inner))
        }
        None => (s.trim(), Vec::new()),
    };
    match split_path(target).as_slice() {
        [t] if !t.is_empty() => Some((None, t.clone(), cols)),
        [sc, t] if !sc.is_empty() && !t.is_empty() => Some((Some(sc.clone()), t.clone(), cols)),
        _ => None,
    }
}

/// `a, "b,c", d` → [a, b,c, d] (quotes removed).
fn split_list(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                cur.push('"');
            }
            '"' => quoted = !quoted,
            ',' if !quoted => out.push(std::mem::take(&mut cur)),
            c if c.is_whitespace() && !quoted => {}
            c => cur.push(c),
        }
    }
    out.push(cur);
    out.into_iter().filter(|c| !c.is_empty()).collect()
}

/// The catalog's action for a checklist's `on_delete` word.
pub fn parse_fk_action(s: &str) -> Option<crate::db::catalog::FkAction> {
    use crate::db::catalog::FkAction;
    Some(
        match s.trim().to_ascii_lowercase().replace('_', " ").as_str() {
            "no action" => FkAction::NoAction,
            "restrict" => FkAction::Restrict,
            "cascade" => FkAction::Cascade,
            "set null" => FkAction::SetNull,
            "set default" => FkAction::SetDefault,
            _ => return None,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_of_offsets() {
        let text = "# abc\n\n[[table]]\nname = \"x\"\n";
        let c = Checklist::parse(text, "t.toml").unwrap();
        for (offset, line) in [(0, 1), (5, 1), (6, 2), (7, 3), (16, 3), (17, 4), (100, 5)] {
            assert_eq!(c.line(offset), line, "offset {offset}");
            assert_eq!(c.line(offset), line_col(text, offset).0, "offset {offset}");
        }
    }

    #[test]
    fn references_with_quotes() {
        assert_eq!(
            parse_reference("users(id)"),
            Some((None, "users".into(), vec!["id".into()]))
        );
        assert_eq!(
            parse_reference("auth.users"),
            Some((Some("auth".into()), "users".into(), vec![]))
        );
        assert_eq!(
            parse_reference(r#""we.i(rd"."Ta""b"("a,b", c)"#),
            Some((
                Some("we.i(rd".into()),
                "Ta\"b".into(),
                vec!["a,b".into(), "c".into()]
            ))
        );
        assert_eq!(parse_reference("(id)"), None);
        assert_eq!(
            split_path(r#"public."Chat.Message""#),
            vec!["public", "Chat.Message"]
        );
    }
}
