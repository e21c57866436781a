//! TypeORM: a migration class `<ms>-Pgmend<Name>.ts` named by TypeORM's convention
//! (`migration:create` names the file `<timestamp>-<Name>.ts` and the class `<Name><timestamp>`),
//! `up` from the plans' steps and `down` from their undo SQL, each statement a
//! `queryRunner.query(…)`.
//!
//! TypeORM runs migrations in one transaction by default. When a statement cannot run in one
//! (CREATE INDEX CONCURRENTLY), the class sets `transaction = false` (honoured when migrations
//! run with `migrationsTransactionMode: "each"` or `--transaction each`, per TypeORM's docs)
//! and opens its own transaction around each group of the other statements.

use std::path::Path;

use super::{Emitted, Origin, Part, parts, stamp, write_new};
use crate::fix::plan::Plan;

pub fn write(
    dir: &Path,
    name: &str,
    plans: &[Plan],
    origin: &Origin<'_>,
) -> std::io::Result<Emitted> {
    let ms = stamp::millis(origin.now);
    let class = format!("Pgmend{}{ms}", camel(name));
    let file = dir.join(format!("{ms}-Pgmend{}.ts", camel(name)));
    let up = parts(plans);
    let undo: Vec<Plan> = plans
        .iter()
        .rev()
        .map(|p| {
            let mut u = p.clone();
            u.title = format!("undo: {}", p.title);
            u.steps = p.undo.clone();
            u.preconditions.clear();
            u
        })
        .collect();
    let down = parts(&undo);
    let irreversible: Vec<&str> = plans
        .iter()
        .filter(|p| !p.reversible())
        .map(|p| p.finding_id.as_str())
        .collect();
    let own_tx = up.iter().chain(&down).any(|p| p.standalone);
    let mut text = origin.header().replace("-- ", "// ");
    text.push_str(&format!(
        "// On a database pgmend already mended, record it as run instead:\n//   {}\n",
        mark(ms, &class)
    ));
    text.push_str("import type { MigrationInterface, QueryRunner } from \"typeorm\";\n\n");
    text.push_str(&format!(
        "export class {class} implements MigrationInterface {{\n    name = \"{class}\";\n"
    ));
    if own_tx {
        text.push_str(
            "    // Some statements cannot run in a transaction: run migrations with\n    \
             // migrationsTransactionMode \"each\" (or --transaction each); each group of the\n    \
             // other statements runs in a transaction of its own below.\n    \
             transaction = false;\n",
        );
    }
    text.push_str("\n    public async up(queryRunner: QueryRunner): Promise<void> {\n");
    text.push_str(&body(&up, own_tx));
    text.push_str("    }\n\n    public async down(queryRunner: QueryRunner): Promise<void> {\n");
    if irreversible.is_empty() {
        text.push_str(&body(&down, own_tx));
    } else {
        text.push_str(&format!(
            "        throw new Error({});\n",
            js_string(&format!(
                "pgmend: this migration cannot be reverted: these fixes have no undo SQL: {}",
                irreversible.join(", ")
            ))
        ));
    }
    text.push_str("    }\n");
    if own_tx {
        text.push_str(IN_TRANSACTION);
    }
    text.push_str("}\n");
    write_new(&file, &text)?;
    let mark_applied = vec![
        mark(ms, &class),
        "or: npx typeorm migration:run -d DATASOURCE --fake (when it is the only pending migration)"
            .into(),
    ];
    Ok(Emitted::single(file, plans, mark_applied))
}

const IN_TRANSACTION: &str = "
    private async inTransaction(queryRunner: QueryRunner, queries: string[]): Promise<void> {
        await queryRunner.startTransaction();
        try {
            for (const query of queries) {
                await queryRunner.query(query);
            }
            await queryRunner.commitTransaction();
        } catch (error) {
            await queryRunner.rollbackTransaction();
            throw error;
        }
    }
";

fn mark(ms: u64, class: &str) -> String {
    format!(
        "psql -c \"INSERT INTO migrations (\\\"timestamp\\\", name) VALUES ({ms}, '{class}')\" \
         (TypeORM's table, unless migrationsTableName names another)"
    )
}

/// A method's statements: each part in a transaction of its own when the class opts out of
/// TypeORM's (`own_tx`), else one after the other in TypeORM's transaction.
fn body(parts: &[Part], own_tx: bool) -> String {
    let mut out = String::new();
    for part in parts {
        let grouped = own_tx && !part.standalone;
        if grouped {
            out.push_str("        await this.inTransaction(queryRunner, [\n");
        }
        for p in &part.pieces {
            let indent = if grouped { "            " } else { "        " };
            if let Some(t) = &p.plan_title {
                out.push_str(&format!("{indent}// {t} ({})\n", p.finding_id));
            }
            let lit = template(p.sql.trim_end());
            if grouped {
                out.push_str(&format!("            // {}\n            {lit},\n", p.note));
            } else {
                let why = if part.standalone {
                    " (cannot run in a transaction)"
                } else {
                    ""
                };
                out.push_str(&format!(
                    "        // {}{why}\n        await queryRunner.query({lit});\n",
                    p.note
                ));
            }
        }
        if grouped {
            out.push_str("        ]);\n");
        }
    }
    out
}

/// A JavaScript template literal holding `sql` as it is.
pub fn template(sql: &str) -> String {
    let escaped = sql
        .replace('\\', "\\\\")
        .replace('`', "\\`")
        .replace("${", "\\${");
    format!("`{escaped}`")
}

fn js_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"pgmend\"".into())
}

/// `fixes_2` → `Fixes2`.
fn camel(name: &str) -> String {
    name.split('_')
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}
