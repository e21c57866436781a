//! The detail pane: everything about the selected row. For a finding: expected vs actual, why,
//! remedy and where the checklist says so; for an object: its parts and its DDL.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use crate::app::State;
use crate::app::rows::{self, Row};
use crate::check::Finding;
use crate::db::catalog::{Snapshot, Table};
use crate::sql::{qualified, quote_ident};
use crate::theme::Theme;

struct Out<'t> {
    lines: Vec<Line<'static>>,
    t: &'t Theme,
    /// Lines that can be seen (scroll offset + pane height): long lists stop there.
    visible: usize,
}

impl Out<'_> {
    fn heading(&mut self, s: &str) {
        self.lines
            .push(Line::from(Span::styled(s.to_string(), self.t.heading)));
    }
    fn kv(&mut self, k: &str, v: String) {
        self.lines.push(Line::from(vec![
            Span::styled(format!("{k}: "), self.t.muted),
            Span::raw(v),
        ]));
    }
    fn styled(&mut self, s: String, st: Style) {
        self.lines.push(Line::from(Span::styled(s, st)));
    }
    fn text(&mut self, s: String) {
        for l in s.lines() {
            self.lines.push(Line::from(l.to_string()));
        }
    }
    fn blank(&mut self) {
        self.lines.push(Line::default());
    }
    /// SQL with its keywords highlighted.
    fn sql(&mut self, sql: &str) {
        const KW: &[&str] = &[
            "CREATE",
            "TABLE",
            "INDEX",
            "UNIQUE",
            "ON",
            "USING",
            "VIEW",
            "AS",
            "SELECT",
            "FROM",
            "WHERE",
            "POLICY",
            "FOR",
            "TO",
            "WITH",
            "CHECK",
            "TYPE",
            "ENUM",
            "ALTER",
            "ENABLE",
            "ROW",
            "LEVEL",
            "SECURITY",
            "TRIGGER",
            "EXECUTE",
            "FUNCTION",
            "CONSTRAINT",
            "PRIMARY",
            "KEY",
            "FOREIGN",
            "REFERENCES",
            "DEFAULT",
            "NOT",
            "NULL",
            "PERMISSIVE",
            "RESTRICTIVE",
            "BEFORE",
            "AFTER",
            "EACH",
            "INSERT",
            "UPDATE",
            "DELETE",
            "OR",
            "AND",
            "GENERATED",
            "ALWAYS",
            "BY",
            "IDENTITY",
            "MATERIALIZED",
            "FORCE",
            "DISABLE",
        ];
        for line in sql.lines() {
            let mut spans = Vec::new();
            for (i, word) in line.split(' ').enumerate() {
                if i > 0 {
                    spans.push(Span::raw(" "));
                }
                let style = if KW.contains(&word.trim_end_matches([',', ';', '('])) {
                    self.t.sql_keyword
                } else {
                    Style::default()
                };
                spans.push(Span::styled(word.to_string(), style));
            }
            self.lines.push(Line::from(spans));
        }
    }
}

pub fn draw(f: &mut Frame, area: Rect, s: &State, t: &Theme) {
    let mut o = Out {
        lines: Vec::new(),
        t,
        visible: usize::from(s.list().detail_scroll) + usize::from(area.height),
    };
    let snap = s.snapshot.as_deref();
    match s.selected_row() {
        Some(_) if snap.is_some_and(|x| x.partial) => {
            o.styled("reading the catalog…".into(), t.muted)
        }
        Some(row) => describe(&mut o, *row, s, snap),
        None => o.styled("nothing selected".into(), t.muted),
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.border)
        .title(Span::styled(
            " detail (J/K scroll · y copies name · Y copies DDL) ",
            t.title,
        ));
    let p = Paragraph::new(o.lines)
        .block(block)
        .wrap(Wrap { trim: false })
        .scroll((s.list().detail_scroll, 0));
    f.render_widget(p, area);
}

/// A finding; its `why` is left out when the item above already said it.
fn finding(o: &mut Out, f: &Finding, said_why: Option<&str>) {
    o.styled(
        format!(
            "{} {} · {}{}",
            if f.is_unknown() { "?" } else { "✘" },
            f.severity.as_str(),
            f.rule,
            if f.is_assumed() { " · assumed" } else { "" }
        ),
        o.t.severity(f.severity),
    );
    o.text(f.message.clone());
    if let Some(a) = &f.assumed {
        o.kv("assumed", format!("{a} (not counted; fix --all leaves it)"));
    }
    if let Some(e) = &f.expected {
        o.kv("expected", e.clone());
    }
    if let Some(a) = &f.actual {
        o.kv("actual  ", a.clone());
    }
    if let Some(w) = f.why.as_deref().filter(|w| Some(*w) != said_why) {
        o.kv("why", w.to_string());
    }
    if let Some(r) = &f.remedy {
        o.kv("remedy", r.clone());
    } else if !f.fixable
        && let Some((why, instead)) = crate::fix::manual(f.rule)
    {
        o.kv("no automatic fix", why.to_string());
        o.kv("instead", instead.to_string());
        o.kv(
            "f",
            "opens this as a template in the fix editor: complete it, then backup → confirm → apply → re-check (journaled as hand-written)".into(),
        );
    }
    if let Some(src) = &f.source {
        o.kv("from", format!("{}:{}", src.file, src.line));
    }
    o.styled(format!("id {}", f.id), o.t.muted);
    o.blank();
}

fn describe(o: &mut Out, row: Row, s: &State, snap: Option<&Snapshot>) {
    let report = s.report.as_deref();
    match row {
        Row::Heading(_) => {}
        Row::Item(i) => {
            let Some(it) = report.and_then(|r| r.items.get(i)) else {
                return;
            };
            o.heading(&format!("{} {}", it.kind, it.object));
            o.kv("severity", it.severity.as_str().into());
            if let Some(a) = &it.assumed {
                o.kv("assumed", a.clone());
            }
            if let Some(w) = &it.why {
                o.kv("why", w.clone());
            }
            o.kv("from", format!("{}:{}", it.source.file, it.source.line));
            let adapted = report.into_iter().flat_map(|r| &r.adaptations);
            for a in adapted.filter(|a| a.concerns(&it.source.file, &it.object)) {
                o.kv("adapted", a.to_string());
            }
            o.blank();
            if it.passed() {
                o.styled("✔ holds".into(), o.t.ok);
            }
            for f in &it.findings {
                finding(o, f, it.why.as_deref());
            }
        }
        Row::Lint(i) => {
            if let Some(f) = report.and_then(|r| r.lint_findings.get(i)) {
                o.heading(&f.object);
                finding(o, f, None);
            }
        }
        Row::Table(i) => {
            if let Some(t) = snap.and_then(|x| x.tables.get(i)) {
                table(o, t);
            }
        }
        Row::Function(i) => {
            let Some(x) = snap else { return };
            let Some(func) = x.functions.get(i) else {
                return;
            };
            let key = rows::name(row, snap, report).unwrap_or_default();
            o.heading(&key);
            let mut attrs = vec![
                format!("{:?}", func.kind).to_lowercase(),
                func.language.clone(),
                format!("{:?}", func.volatility).to_lowercase(),
            ];
            if func.security_definer {
                attrs.push("SECURITY DEFINER".into());
            }
            o.kv("kind", attrs.join(" · "));
            o.kv(
                "returns",
                func.result.clone().unwrap_or_else(|| "(procedure)".into()),
            );
            o.kv("owner", func.owner.clone());
            o.kv(
                "settings",
                if func.config.is_empty() {
                    "none (search_path not pinned)".into()
                } else {
                    func.config.join(", ")
                },
            );
            o.blank();
            match s.definitions.get(&key) {
                Some(Some(Ok(def))) => o.sql(def),
                Some(Some(Err(e))) => o.styled(format!("definition unavailable: {e}"), o.t.error),
                _ => o.styled("loading the definition…".into(), o.t.muted),
            }
        }
        Row::Backup(i) | Row::Journal(i) => {
            let files = if matches!(row, Row::Backup(_)) {
                &s.backups
            } else {
                &s.journal
            };
            if let Some(f) = files.get(i) {
                o.heading(&f.label);
                if !f.database.is_empty() {
                    o.text(format!("database: {}", f.database));
                }
                o.text(f.detail.clone());
            }
        }
        Row::Access(i) => {
            if let Some(Ok(m)) = &s.access.matrix
                && let Some(r) = m.relations.get(i)
            {
                access(o, m, r);
            }
        }
        Row::Role(i) => {
            if let Some(x) = snap {
                role(o, x, i);
            }
        }
        _ => {
            if let Some(name) = rows::name(row, snap, report) {
                o.heading(&name);
            }
            o.text(rows::label(row, snap, report));
            o.blank();
            if let Some(ddl) = rows::ddl(row, snap) {
                o.sql(&ddl);
            }
        }
    }
}

/// The role's attributes and its effective privileges on every application table: what it
/// holds itself, through PUBLIC and through the roles it inherits from.
fn role(o: &mut Out, snap: &Snapshot, i: usize) {
    use crate::db::catalog::Privilege::*;
    let Some(r) = snap.roles.get(i) else { return };
    o.heading(&quote_ident(&r.name));
    let mut attrs = vec![if r.can_login { "login" } else { "nologin" }];
    for (on, w) in [
        (r.superuser, "superuser"),
        (r.bypass_rls, "bypassrls (ignores RLS)"),
        (r.create_role, "createrole"),
        (r.create_db, "createdb"),
        (!r.inherit, "noinherit"),
    ] {
        if on {
            attrs.push(w);
        }
    }
    o.kv("attributes", attrs.join(", "));
    if !r.member_of.is_empty() {
        o.kv("member of", r.member_of.join(", "));
    }
    o.blank();
    o.heading("effective table privileges (S I U D T R t = select insert update delete truncate references trigger)");
    let cols = [
        (Select, 'S'),
        (Insert, 'I'),
        (Update, 'U'),
        (Delete, 'D'),
        (Truncate, 'T'),
        (References, 'R'),
        (Trigger, 't'),
    ];
    let tables: Vec<&Table> = snap
        .tables
        .iter()
        .filter(|t| !snap.is_managed_schema(&t.schema) && t.partition_of.is_none())
        .collect();
    for (n, t) in tables.iter().enumerate() {
        // Only what can be seen: at 10,000 tables the whole list costs milliseconds a frame.
        if o.lines.len() >= o.visible {
            o.styled(
                format!("  … {} more tables (J scrolls)", tables.len() - n),
                o.t.muted,
            );
            break;
        }
        let have = crate::db::privileges::table_privileges(snap, t, &r.name);
        let cells: String = cols
            .iter()
            .map(|(p, c)| if have.contains(p) { *c } else { '·' })
            .collect();
        let rls = if t.rls_enabled || r.bypass_rls || r.superuser {
            ""
        } else if have.contains(&Select) {
            "  ← RLS off: every row"
        } else {
            ""
        };
        let style = if rls.is_empty() {
            Style::default()
        } else {
            o.t.warning
        };
        o.styled(
            format!("  {cells}  {}{rls}", qualified(&t.schema, &t.name)),
            style,
        );
    }
}

fn table(o: &mut Out, t: &Table) {
    o.heading(&qualified(&t.schema, &t.name));
    let rls = match (t.rls_enabled, t.rls_forced) {
        (false, _) => "off",
        (true, false) => "on",
        (true, true) => "forced",
    };
    let rows = if t.row_estimate < 0 {
        "never analyzed".to_string()
    } else {
        format!("~{}", t.row_estimate)
    };
    o.kv("owner", t.owner.clone());
    o.kv("rows", format!("{rows} · {} KiB heap", t.size_bytes / 1024));
    o.kv("RLS", format!("{rls} · {} policies", t.policies.len()));
    if let Some(c) = &t.comment {
        o.kv("comment", c.clone());
    }
    o.blank();
    o.heading("columns");
    let w = t
        .columns
        .iter()
        .map(|c| quote_ident(&c.name).chars().count())
        .max()
        .unwrap_or(4);
    for c in &t.columns {
        let mut l = format!("  {:<w$}  {}", quote_ident(&c.name), c.data_type);
        if c.not_null {
            l.push_str(" NOT NULL");
        }
        if let Some(d) = &c.default {
            l.push_str(&format!(" DEFAULT {d}"));
        }
        o.text(l);
    }
    if !t.constraints.is_empty() {
        o.blank();
        o.heading("constraints");
        for c in &t.constraints {
            o.text(format!("  {} {}", quote_ident(&c.name), c.definition));
        }
    }
    if !t.indexes.is_empty() {
        o.blank();
        o.heading("indexes");
        for i in &t.indexes {
            o.text(format!(
                "  {}{}",
                i.definition,
                if i.is_valid { "" } else { "  [INVALID]" }
            ));
        }
    }
    if !t.policies.is_empty() {
        o.blank();
        o.heading("policies");
        for p in 0..t.policies.len() {
            if let Some(d) = crate::app::ddl::create_policy(t, p) {
                o.text(format!("  {d}"));
            }
        }
    }
    if !t.triggers.is_empty() {
        o.blank();
        o.heading("triggers");
        for g in &t.triggers {
            o.text(format!("  {}", g.definition));
        }
    }
    o.blank();
    o.heading("DDL");
    o.sql(&crate::app::ddl::create_table(t));
}

/// A relation of the access matrix: each subject's rows and what each command comes to, and
/// who the signed-in users (A, B, …) are.
fn access(o: &mut Out, m: &crate::access::Matrix, r: &crate::access::Relation) {
    use crate::access::render;
    o.heading(&r.qualified());
    o.text(render::describe(r));
    let names = m.short_names();
    for (c, name) in r.cells.iter().zip(&names) {
        o.blank();
        o.kv(name, format!("{} rows", c.rows.short()));
        for (cmds, v) in render::grouped(c) {
            o.kv(&format!("  {cmds}"), v);
        }
    }
    let users: Vec<String> = m
        .subjects
        .iter()
        .zip(&names)
        .filter_map(|(x, n)| x.sub.as_ref().map(|sub| format!("{n} = {} {sub}", x.role)))
        .collect();
    if !users.is_empty() {
        o.blank();
        users.into_iter().for_each(|u| o.text(u));
    }
}
