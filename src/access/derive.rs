//! What each command comes to for each subject, from the catalog alone (no I/O): privileges
//! (table, column and schema `USAGE`, through memberships) first, then row level security: the
//! flags, who bypasses it, and the policies that apply to the role for the command.

use std::collections::BTreeSet;

use crate::db::catalog::{Policy, PolicyCommand, Privilege, RelationKind, Snapshot, Table};
use crate::db::privileges::{
    column_privileges, effective_roles, schema_privileges, table_privileges,
};

use super::{COMMANDS, Cell, Relation, Rows, Subject, Verdict, kind_word};

/// The tables and views of `schemas` the matrix covers: every relation there that belongs to
/// no extension, in the snapshot's (schema, name) order.
pub fn relations<'s>(snapshot: &'s Snapshot, schemas: &[String]) -> Vec<&'s Table> {
    snapshot
        .tables
        .iter()
        .filter(|t| t.extension.is_none() && schemas.contains(&t.schema))
        .collect()
}

/// The matrix of `tables` for `subjects` with every verdict derived; rows are "denied" where
/// the catalog says SELECT is refused, and a placeholder the measurement replaces elsewhere.
pub fn skeleton(snapshot: &Snapshot, tables: &[&Table], subjects: &[Subject]) -> Vec<Relation> {
    tables
        .iter()
        .map(|t| Relation {
            schema: t.schema.clone(),
            name: t.name.clone(),
            kind: kind_word(t.kind),
            rls: t.rls_enabled,
            forced: t.rls_forced,
            cells: subjects.iter().map(|s| cell(snapshot, t, s)).collect(),
        })
        .collect()
}

fn cell(snapshot: &Snapshot, t: &Table, subject: &Subject) -> Cell {
    let held = Held::of(snapshot, t, &subject.role);
    let [select, insert, update, delete] =
        COMMANDS.map(|c| decide(snapshot, t, &subject.role, &held, c));
    let rows = match &select {
        Verdict::Denied { why } => Rows::Denied {
            measured: false,
            message: why.clone(),
        },
        _ => Rows::Failed {
            code: String::new(),
            message: "not measured".into(),
        },
    };
    Cell {
        subject: subject.label(),
        rows,
        select,
        insert,
        update,
        delete,
    }
}

/// What a role holds on a relation, worked out once for its four commands.
struct Held {
    /// `USAGE` on the relation's schema.
    usage: bool,
    table: BTreeSet<Privilege>,
    /// Granted on at least one column (only read when some column has grants).
    columns: BTreeSet<Privilege>,
    /// The roles whose privileges the role holds (for the policies' `TO`).
    roles: BTreeSet<String>,
}

impl Held {
    fn of(s: &Snapshot, t: &Table, role: &str) -> Held {
        let usage = s
            .schemas
            .iter()
            .find(|x| x.name == t.schema)
            .is_none_or(|schema| schema_privileges(s, schema, role).contains(&Privilege::Usage));
        let columns = if t.columns.iter().any(|c| !c.acl.is_empty()) {
            t.columns
                .iter()
                .flat_map(|c| column_privileges(s, c, role))
                .collect()
        } else {
            BTreeSet::new()
        };
        Held {
            usage,
            table: table_privileges(s, t, role),
            columns,
            roles: effective_roles(s, role),
        }
    }
}

/// What `cmd` (select, insert, update or delete) comes to for `role` on `t`.
pub fn verdict(s: &Snapshot, t: &Table, role: &str, cmd: PolicyCommand) -> Verdict {
    decide(s, t, role, &Held::of(s, t, role), cmd)
}

fn decide(s: &Snapshot, t: &Table, role: &str, held: &Held, cmd: PolicyCommand) -> Verdict {
    if let Some(why) = refused(t, held, cmd) {
        return Verdict::Denied { why };
    }
    match t.kind {
        RelationKind::View => {
            return Verdict::View {
                invoker: t.security_invoker == Some(true),
            };
        }
        RelationKind::MaterializedView | RelationKind::ForeignTable => {
            return Verdict::Allowed {
                why: format!("no RLS on a {}", kind_word(t.kind)),
            };
        }
        RelationKind::Table | RelationKind::PartitionedTable => {}
    }
    if !t.rls_enabled {
        return Verdict::Allowed {
            why: "RLS off".into(),
        };
    }
    let info = s.roles.iter().find(|r| r.name == role);
    if info.is_some_and(|r| r.superuser || r.bypass_rls) {
        return Verdict::Allowed {
            why: "bypasses RLS".into(),
        };
    }
    if t.owner == role && !t.rls_forced {
        return Verdict::Allowed {
            why: "owner".into(),
        };
    }
    by_policies(t, &held.roles, cmd)
}

/// The privilege `cmd` needs that the role lacks, in words; None when it holds it (on the
/// table, or on at least one column for select, insert and update) and `USAGE` on the schema.
fn refused(t: &Table, held: &Held, cmd: PolicyCommand) -> Option<String> {
    if !held.usage {
        return Some(format!("no USAGE on schema {}", t.schema));
    }
    let privilege = match cmd {
        PolicyCommand::Insert => Privilege::Insert,
        PolicyCommand::Update => Privilege::Update,
        PolicyCommand::Delete => Privilege::Delete,
        PolicyCommand::Select | PolicyCommand::All => Privilege::Select,
    };
    let on_columns = privilege != Privilege::Delete && held.columns.contains(&privilege);
    (!held.table.contains(&privilege) && !on_columns).then(|| "no privilege".to_string())
}

/// The policies of `t` that apply for `cmd` to a role holding the privileges of `roles` (its
/// own, `ALL`'s, PUBLIC's and those of the roles whose privileges it holds).
pub fn applicable<'t>(
    t: &'t Table,
    roles: &BTreeSet<String>,
    cmd: PolicyCommand,
) -> Vec<&'t Policy> {
    t.policies
        .iter()
        .filter(|p| p.command == cmd || p.command == PolicyCommand::All)
        .filter(|p| {
            p.roles
                .iter()
                .any(|r| r.eq_ignore_ascii_case("public") || roles.contains(r))
        })
        .collect()
}

/// The expressions a policy checks for `cmd`: USING for the rows read, updated or deleted,
/// WITH CHECK (else USING) for the rows written.
fn expressions(p: &Policy, cmd: PolicyCommand) -> Vec<Option<&str>> {
    let using = p.using_expr.as_deref();
    let check = p.with_check_expr.as_deref().or(using);
    match cmd {
        PolicyCommand::Insert => vec![check],
        PolicyCommand::Update => vec![using, check],
        _ => vec![using],
    }
}

fn by_policies(t: &Table, roles: &BTreeSet<String>, cmd: PolicyCommand) -> Verdict {
    let policies = applicable(t, roles, cmd);
    let (permissive, restrictive): (Vec<&Policy>, Vec<&Policy>) =
        policies.into_iter().partition(|p| p.permissive);
    if permissive.is_empty() {
        return Verdict::NoPolicy;
    }
    let always = |p: &&&Policy| {
        expressions(p, cmd)
            .iter()
            .all(|e| e.is_none_or(|e| e.trim() == "true"))
    };
    if restrictive.is_empty()
        && let Some(p) = permissive.iter().find(always)
    {
        return Verdict::Allowed {
            why: format!("policy {} is true", p.name),
        };
    }
    Verdict::Filtered {
        policies: permissive.iter().map(|p| p.name.clone()).collect(),
        restrictive: restrictive.iter().map(|p| p.name.clone()).collect(),
    }
}
