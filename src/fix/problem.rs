//! What a refused precondition means, in words about the data: "3 rows have no value for
//! NOT NULL column "ownerId"", not the rule the plan checked.

use serde::{Deserialize, Serialize};

/// The problem a precondition's offending rows show (names are quoted as in SQL).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Problem {
    /// A NOT NULL column without a known default would be added to a table with rows.
    NoValue { table: String, column: String },
    /// Rows hold NULL in a column (or one of the columns) that must become NOT NULL.
    Nulls { table: String, columns: String },
    /// Rows break a CHECK expression.
    Violates { table: String, expression: String },
    /// Rows reference keys that the referenced table does not hold.
    Dangling {
        table: String,
        columns: String,
        referenced: String,
    },
    /// Key values shared by more than one row.
    Duplicates { table: String, columns: String },
    /// A column the plan needs does not exist.
    MissingColumn { column: String },
    /// The server does not ship an extension.
    NoExtension { name: String },
}

/// "1 row has" / "3 rows have".
fn rows(n: i64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 row {one}")
    } else {
        format!("{n} rows {many}")
    }
}

impl Problem {
    /// The problem, given the number of offending rows the count query found.
    pub fn describe(&self, n: i64) -> String {
        match self {
            Problem::NoValue { table, column } => format!(
                "{table}: {} no value for NOT NULL column {column} (the column has no default)",
                rows(n, "has", "have")
            ),
            Problem::Nulls { table, columns } => format!(
                "{table}: {} NULL in {columns}, which must be NOT NULL",
                rows(n, "has", "have")
            ),
            Problem::Violates { table, expression } => format!(
                "{table}: {} CHECK ({expression})",
                rows(n, "violates", "violate")
            ),
            Problem::Dangling {
                table,
                columns,
                referenced,
            } => format!(
                "{table}: {} ({columns}) values that {referenced} does not hold",
                rows(n, "references", "reference")
            ),
            Problem::Duplicates { table, columns } => {
                let groups = if n == 1 {
                    "1 value of".to_string()
                } else {
                    format!("{n} values of")
                };
                format!("{table}: {groups} ({columns}) appear in more than one row")
            }
            Problem::MissingColumn { column } => format!("column {column} does not exist"),
            Problem::NoExtension { name } => {
                format!("the server does not ship extension {name}")
            }
        }
    }
}
