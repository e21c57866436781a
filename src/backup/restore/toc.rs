//! An archive's table of contents as `pg_restore --list` prints it, and the pure parts of a
//! restore: which entries a set of tables needs (the `--use-list`), and the rewrite that moves
//! restored tables into a side schema.
//!
//! A `--list` line is `ID; TABLEOID OID DESC SCHEMA TAG OWNER`, where DESC may be several words
//! (`TABLE DATA`, `FK CONSTRAINT`) and SCHEMA is `-` for objects outside a schema.

/// One entry of the table of contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TocEntry {
    /// The line as `pg_restore --list` printed it (what a `--use-list` holds).
    pub line: String,
    /// `TABLE`, `TABLE DATA`, `INDEX`, `FK CONSTRAINT`, …
    pub desc: String,
    /// `-` for objects outside a schema.
    pub schema: String,
    /// The tag and the owner, as printed (`Orders postgres`).
    pub rest: String,
}

/// The table of contents of an archive.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Toc {
    /// The database the archive was dumped from (`; dbname: …`).
    pub dbname: Option<String>,
    pub entries: Vec<TocEntry>,
}

/// Descriptions of entries, longest first so `TABLE DATA` wins over `TABLE`.
const DESCS: &[&str] = &[
    "MATERIALIZED VIEW DATA",
    "SEQUENCE OWNED BY",
    "PUBLICATION TABLES IN SCHEMA",
    "PUBLICATION TABLE",
    "MATERIALIZED VIEW",
    "FOREIGN TABLE",
    "FK CONSTRAINT",
    "CHECK CONSTRAINT",
    "ROW SECURITY",
    "SEQUENCE SET",
    "TABLE ATTACH",
    "INDEX ATTACH",
    "DEFAULT ACL",
    "TABLE DATA",
    "EVENT TRIGGER",
    "LARGE OBJECT",
    "STATISTICS",
    "CONSTRAINT",
    "EXTENSION",
    "PUBLICATION",
    "SEQUENCE",
    "FUNCTION",
    "PROCEDURE",
    "AGGREGATE",
    "TRIGGER",
    "COMMENT",
    "DEFAULT",
    "DOMAIN",
    "SCHEMA",
    "POLICY",
    "INDEX",
    "TABLE",
    "TYPE",
    "VIEW",
    "RULE",
    "ACL",
];

impl Toc {
    /// Reads `pg_restore --list` output.
    pub fn parse(text: &str) -> Toc {
        let mut toc = Toc::default();
        for line in text.lines() {
            if let Some(c) = line.strip_prefix(';') {
                if let Some(name) = c.trim().strip_prefix("dbname:") {
                    toc.dbname = Some(name.trim().to_string());
                }
                continue;
            }
            if let Some(e) = parse_line(line) {
                toc.entries.push(e);
            }
        }
        toc
    }

    /// The table `schema.name` is in the archive (its definition).
    pub fn has_table(&self, schema: &str, name: &str) -> bool {
        self.entries
            .iter()
            .any(|e| e.desc == "TABLE" && e.names(schema, name))
    }

    /// A journal entry's tables split into those the archive holds and those it does not (a
    /// table the fix created was not there to back up); refused when it holds none of them.
    #[allow(clippy::type_complexity)]
    pub fn held(
        &self,
        entry: &str,
        tables: Vec<(String, String)>,
    ) -> Result<(Vec<(String, String)>, Vec<(String, String)>), String> {
        let (kept, skipped): (Vec<_>, Vec<_>) =
            tables.into_iter().partition(|(s, n)| self.has_table(s, n));
        if kept.is_empty() {
            return Err(format!(
                "the backup holds none of the tables journal entry {entry} changed (the fix \
                 created them): there is nothing to restore; undo the entry instead"
            ));
        }
        Ok((kept, skipped))
    }

    /// The archive creates the schema `public` itself (a dump of PostgreSQL 14 or older), so a
    /// new database must not have one.
    pub fn creates_public(&self) -> bool {
        self.entries
            .iter()
            .any(|e| e.desc == "SCHEMA" && e.schema == "-" && e.tag_is("public"))
    }

    /// The entries a side-schema restore of `tables` needs: each table's definition and rows
    /// (no index, constraint, trigger or policy: those would act on the live tables' names).
    /// An unknown table is an error naming the tables the archive holds.
    pub fn tables(&self, tables: &[(String, String)]) -> Result<Vec<&TocEntry>, String> {
        for (s, n) in tables {
            if !self.has_table(s, n) {
                let held: Vec<String> = self
                    .entries
                    .iter()
                    .filter(|e| e.desc == "TABLE")
                    .map(|e| format!("{}.{}", e.schema, e.tag()))
                    .collect();
                return Err(format!(
                    "the backup holds no table {s}.{n}; it holds: {}",
                    if held.is_empty() {
                        "no table at all".to_string()
                    } else {
                        held.join(", ")
                    }
                ));
            }
        }
        Ok(self
            .entries
            .iter()
            .filter(|e| matches!(e.desc.as_str(), "TABLE" | "TABLE DATA"))
            .filter(|e| tables.iter().any(|(s, n)| e.names(s, n)))
            .collect())
    }
}

impl TocEntry {
    /// The entry is about the object `schema.name` (a table's definition or data: the tag is
    /// the name, followed by the owner).
    pub fn names(&self, schema: &str, name: &str) -> bool {
        self.schema == schema
            && self
                .rest
                .strip_prefix(name)
                .and_then(|r| r.strip_prefix(' '))
                .is_some_and(|owner| !owner.is_empty() && !owner.contains(' '))
    }

    /// The tag alone (the owner, the last word, removed).
    pub fn tag(&self) -> &str {
        self.rest.rsplit_once(' ').map_or(&self.rest, |(t, _)| t)
    }

    fn tag_is(&self, tag: &str) -> bool {
        self.tag() == tag
    }
}

fn parse_line(line: &str) -> Option<TocEntry> {
    let (id, rest) = line.split_once(';')?;
    id.trim().parse::<u64>().ok()?;
    let mut words = rest.trim_start().splitn(3, ' ');
    let (_tableoid, _oid, after) = (words.next()?, words.next()?, words.next()?);
    let desc = DESCS
        .iter()
        .find(|d| after.starts_with(**d) && after[d.len()..].starts_with(' '))?;
    let after = &after[desc.len() + 1..];
    let (schema, rest) = after.split_once(' ')?;
    Some(TocEntry {
        line: line.to_string(),
        desc: desc.to_string(),
        schema: schema.to_string(),
        rest: rest.to_string(),
    })
}

/// A `--use-list` file's text for the entries, in the archive's order.
pub fn use_list(entries: &[&TocEntry]) -> String {
    entries.iter().map(|e| format!("{}\n", e.line)).collect()
}

/// `schema.table` or `table` (in `public`), as `--table` takes it; quotes keep dots and case
/// (`"My.Schema"."Orders"`).
pub fn parse_table(arg: &str) -> Result<(String, String), String> {
    let parts = crate::backup::scope::split_qualified(arg)
        .or_else(|| split_unquoted(arg))
        .ok_or_else(|| format!("--table {arg}: give a table as NAME or SCHEMA.NAME"))?;
    Ok(parts)
}

fn split_unquoted(arg: &str) -> Option<(String, String)> {
    let arg = arg.trim();
    if arg.is_empty() {
        return None;
    }
    match arg.split_once('.') {
        Some((s, n)) if !s.is_empty() && !n.is_empty() && !n.contains('.') => {
            Some((unquote(s), unquote(n)))
        }
        Some(_) => None,
        None => Some(("public".to_string(), unquote(arg))),
    }
}

fn unquote(s: &str) -> String {
    s.strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .map_or_else(|| s.to_string(), |s| s.replace("\"\"", "\""))
}

/// `restore_20250102t030405z`: a side schema named for the backup's time (lower case, so it
/// needs no quotes).
pub fn side_schema(at: std::time::SystemTime) -> String {
    let ts: String = humantime::format_rfc3339_seconds(at)
        .to_string()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    format!("restore_{}", ts.to_lowercase())
}

/// Moves the restored tables of a `pg_restore -f -` script into a side schema: the
/// `CREATE TABLE` and `COPY` lines of the chosen tables are rewritten, rows are passed through
/// untouched. A table that would join the live tables' hierarchy (`INHERITS`, `PARTITION OF`)
/// is refused, since creating it would change a live table.
#[derive(Debug)]
pub struct SideSchema {
    /// The chosen tables, qualified as pg_dump writes them (`public."Orders"`), with the new
    /// name (`restore_x."Orders"`).
    names: Vec<(String, String)>,
    in_copy: bool,
    in_create: Option<String>,
}

impl SideSchema {
    pub fn new(side: &str, tables: &[(String, String)]) -> SideSchema {
        let names = tables
            .iter()
            .map(|(s, n)| (crate::sql::qualified(s, n), crate::sql::qualified(side, n)))
            .collect();
        SideSchema {
            names,
            in_copy: false,
            in_create: None,
        }
    }

    /// One line of the script, rewritten.
    pub fn line(&mut self, line: &str) -> Result<String, String> {
        if self.in_copy {
            if line == "\\." {
                self.in_copy = false;
            }
            return Ok(line.to_string());
        }
        if let Some(table) = &self.in_create {
            let l = line.trim_start();
            if l.starts_with("INHERITS (") || l.starts_with(") INHERITS (") {
                return Err(format!(
                    "{table} inherits from another table: restoring it beside the live one \
                     would make it a child of a live table; restore the whole database into a \
                     new one instead"
                ));
            }
            if line.ends_with(';') {
                self.in_create = None;
            }
            return Ok(line.to_string());
        }
        for prefix in ["CREATE TABLE ", "CREATE UNLOGGED TABLE ", "COPY "] {
            let Some(after) = line.strip_prefix(prefix) else {
                continue;
            };
            for (old, new) in &self.names {
                let Some(tail) = after.strip_prefix(old.as_str()) else {
                    continue;
                };
                if !(tail.starts_with(' ') || tail.is_empty()) {
                    continue;
                }
                if prefix == "COPY " {
                    self.in_copy = line.ends_with("FROM stdin;");
                } else if tail.trim_start().starts_with("PARTITION OF") {
                    return Err(format!(
                        "{old} is a partition: restoring it beside the live table would attach \
                         it to the live parent; restore the whole database into a new one instead"
                    ));
                } else if !line.ends_with(';') {
                    self.in_create = Some(old.clone());
                }
                return Ok(format!("{prefix}{new}{tail}"));
            }
        }
        Ok(line.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIST: &str = ";\n; Archive created at 2026-12-05 00:17:12 UTC\n;     dbname: src1\n;\n\
6; 2615 16418 SCHEMA - s2 postgres\n\
843; 1247 16386 TYPE public mood postgres\n\
216; 1259 16392 TABLE public Orders postgres\n\
215; 1259 16391 SEQUENCE public Orders_id_seq postgres\n\
218; 1259 16401 TABLE public items postgres\n\
3379; 0 0 COMMENT public TABLE items postgres\n\
220; 1259 16419 TABLE s2 items postgres\n\
221; 1259 16420 TABLE public items x postgres\n\
3214; 2604 16395 DEFAULT public Orders id postgres\n\
3368; 0 16392 TABLE DATA public Orders postgres\n\
3370; 0 16401 TABLE DATA public items postgres\n\
3371; 0 16419 TABLE DATA s2 items postgres\n\
3219; 2606 16406 CONSTRAINT public items items_pkey postgres\n\
3221; 2606 16407 FK CONSTRAINT public items items_o_fkey postgres\n";

    #[test]
    fn the_list_reads_into_entries_with_their_descriptions() {
        let toc = Toc::parse(LIST);
        assert_eq!(toc.dbname.as_deref(), Some("src1"));
        assert_eq!(toc.entries.len(), 14);
        let descs: Vec<&str> = toc.entries.iter().map(|e| e.desc.as_str()).collect();
        assert!(descs.contains(&"FK CONSTRAINT") && descs.contains(&"TABLE DATA"));
        assert_eq!(toc.entries[0].schema, "-");
        assert!(!toc.creates_public());
        assert!(Toc::parse("5; 2615 2200 SCHEMA - public postgres\n").creates_public());
    }

    #[test]
    fn a_table_picks_its_definition_and_rows_only() {
        let toc = Toc::parse(LIST);
        let picked = toc.tables(&[("public".into(), "items".into())]).unwrap();
        let ids: Vec<&str> = picked
            .iter()
            .map(|e| e.line.split(';').next().unwrap())
            .collect();
        // Not s2.items, not "items x", not the comment, constraints or the sequence.
        assert_eq!(ids, ["218", "3370"]);
        assert_eq!(
            use_list(&picked),
            format!("{}\n{}\n", picked[0].line, picked[1].line)
        );
        let err = toc.tables(&[("public".into(), "nope".into())]).unwrap_err();
        assert!(err.contains("no table public.nope"), "{err}");
        assert!(err.contains("public.Orders"), "{err}");
    }

    #[test]
    fn an_entrys_tables_the_backup_lacks_are_skipped() {
        let toc = Toc::parse(LIST);
        let t = |n: &str| ("public".to_string(), n.to_string());
        let (kept, skipped) = toc.held("abc", vec![t("items"), t("profiles")]).unwrap();
        assert_eq!(kept, [t("items")]);
        assert_eq!(skipped, [t("profiles")]);
        let err = toc.held("abc", vec![t("profiles")]).unwrap_err();
        assert!(err.contains("entry abc") && err.contains("undo"), "{err}");
    }

    #[test]
    fn table_arguments_default_to_public_and_keep_quotes() {
        assert_eq!(
            parse_table("items").unwrap(),
            ("public".into(), "items".into())
        );
        assert_eq!(
            parse_table("s2.items").unwrap(),
            ("s2".into(), "items".into())
        );
        assert_eq!(
            parse_table("\"My.S\".\"Orders\"").unwrap(),
            ("My.S".into(), "Orders".into())
        );
        assert!(parse_table("a.b.c").is_err());
        assert!(parse_table("").is_err());
    }

    #[test]
    fn the_side_schema_rewrite_moves_definitions_and_copies_only() {
        let mut r = SideSchema::new("restore_x", &[("public".into(), "Orders".into())]);
        let script = "CREATE TABLE public.\"Orders\" (\n    id integer NOT NULL\n);\n\
COPY public.\"Orders\" (id) FROM stdin;\nCOPY public.\"Orders\" (id) FROM stdin;\n\\.\n\
COPY public.other (id) FROM stdin;\n";
        let out: Vec<String> = script.lines().map(|l| r.line(l).unwrap()).collect();
        assert_eq!(out[0], "CREATE TABLE restore_x.\"Orders\" (");
        assert_eq!(out[3], "COPY restore_x.\"Orders\" (id) FROM stdin;");
        // A row that looks like a statement is data, untouched.
        assert_eq!(out[4], "COPY public.\"Orders\" (id) FROM stdin;");
        assert_eq!(out[6], "COPY public.other (id) FROM stdin;");
    }

    #[test]
    fn tables_that_would_join_a_live_hierarchy_are_refused() {
        let mut r = SideSchema::new("restore_x", &[("public".into(), "c".into())]);
        r.line("CREATE TABLE public.c (").unwrap();
        r.line("    x int").unwrap();
        assert!(r.line(")").is_ok());
        let err = r.line("INHERITS (public.p);").unwrap_err();
        assert!(err.contains("inherits"), "{err}");
        let mut r = SideSchema::new("restore_x", &[("public".into(), "c".into())]);
        let err = r
            .line("CREATE TABLE public.c PARTITION OF public.p")
            .unwrap_err();
        assert!(err.contains("partition"), "{err}");
    }

    #[test]
    fn side_schemas_are_named_for_the_time() {
        let at = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_735_787_045);
        assert_eq!(side_schema(at), "restore_20250102t030405z");
    }
}
