//! A foreign key from an application table to a unique column of a table in Supabase's `auth`
//! schema that is not its primary key (`auth.users (email)`, `auth.users (phone)`).
//!
//! The referenced columns are compared with the referenced table's primary key as read in
//! the snapshot (the `auth` schema is read with the rest); keys inherited onto partitions are
//! reported once, on the table that declares them.

use std::collections::BTreeSet;

use super::{Lint, LintContext, constraint_object, table_object};
use crate::check::Finding;
use crate::db::catalog::ConstraintKind;
use crate::rules::Severity;
use crate::sql::{qualified, quote_ident};

pub static LINT: Lint = Lint {
    id: crate::rules::LintId::FkeyToAuthUnique,
    severity: Severity::High,
    title: "Foreign key to a non-primary unique column of auth",
    why: "Supabase Auth owns its tables and may drop or change their unique constraints on an \
          upgrade (users.email is unique only for non-SSO users, phone may be null); a foreign \
          key to them blocks the upgrade or breaks when a user changes their email.",
    remedy: "Reference the primary key instead: ALTER TABLE <table> ADD COLUMN user_id uuid \
             REFERENCES auth.users (id); fill it from the old column, then drop the old key.",
    run,
};

fn run(ctx: &LintContext<'_>, lint: &Lint) -> Vec<Finding> {
    let mut out = Vec::new();
    for t in ctx.app_tables() {
        for c in &t.constraints {
            let Some(fk) = &c.foreign_key else { continue };
            if c.kind != ConstraintKind::ForeignKey || !c.is_local || fk.referenced_schema != "auth"
            {
                continue;
            }
            let Some(target) = ctx
                .snapshot
                .table(&fk.referenced_schema, &fk.referenced_table)
            else {
                continue;
            };
            let referenced: BTreeSet<&str> =
                fk.referenced_columns.iter().map(String::as_str).collect();
            let primary: Option<BTreeSet<&str>> = target
                .constraints
                .iter()
                .find(|k| k.kind == ConstraintKind::PrimaryKey)
                .map(|k| k.columns.iter().map(String::as_str).collect());
            if primary.as_ref() == Some(&referenced) {
                continue;
            }
            let cols: Vec<String> = fk
                .referenced_columns
                .iter()
                .map(|n| quote_ident(n))
                .collect();
            let target_q = qualified(&fk.referenced_schema, &fk.referenced_table);
            out.push(
                lint.finding(
                    constraint_object(t, c),
                    format!(
                        "foreign key {} on {} references {target_q} ({}), a unique key Auth \
                         owns that is not its primary key",
                        quote_ident(&c.name),
                        table_object(t),
                        cols.join(", ")
                    ),
                )
                .expected(format!("a reference to the primary key of {target_q}"))
                .actual(format!("REFERENCES {target_q} ({})", cols.join(", "))),
            );
        }
    }
    out
}
