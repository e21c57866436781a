//! A PascalCase table without a snake_case view over it, when the checklists ask for them
//! (`wants_snake_case_views`).
//!
//! The snake_case form splits before each capital that follows a lower-case letter or digit,
//! and before the last capital of an acronym followed by a lower-case letter (`ChatMessage` →
//! `chat_message`, `HTTPRequest` → `http_request`), then lower-cases. A view (or materialized
//! view) in the same schema named that form or a plural of it (`chat_messages`; `-es`, and
//! `-y` → `-ies`) satisfies the lint.

use super::{Lint, LintContext, table_object};
use crate::check::Finding;
use crate::checklist::naming::snake_case;
use crate::rules::Severity;
use crate::sql::qualified;

pub static LINT: Lint = Lint {
    id: crate::rules::LintId::MissingSnakeCaseView,
    severity: Severity::Low,
    title: "PascalCase table without a snake_case view",
    why: "Clients then have to double-quote the table's mixed-case name in every query and API \
          path; the checklists ask for a snake_case view over each such table.",
    remedy: "CREATE VIEW <schema>.<snake_case> WITH (security_invoker = true) AS SELECT * FROM \
             <table>;",
    run,
};

/// The names a view over `name` may have: the snake_case form and its plurals.
pub fn accepted_names(name: &str) -> Vec<String> {
    let snake = snake_case(name);
    let mut names = vec![format!("{snake}s"), format!("{snake}es")];
    if let Some(stem) = snake.strip_suffix('y') {
        names.push(format!("{stem}ies"));
    }
    names.insert(0, snake);
    names
}

fn run(ctx: &LintContext<'_>, lint: &Lint) -> Vec<Finding> {
    if !ctx.wants_snake_case_views {
        return Vec::new();
    }
    ctx.app_tables()
        .filter(|t| t.partition_of.is_none() && ctx.is_exposed(&t.schema))
        .filter(|t| t.name.chars().any(char::is_uppercase))
        .filter_map(|t| {
            let names = accepted_names(&t.name);
            let has_view = ctx
                .snapshot
                .views()
                .any(|v| v.schema == t.schema && names.contains(&v.name));
            if has_view {
                return None;
            }
            let object = table_object(t);
            let want = qualified(&t.schema, &names[0]);
            Some(
                lint.finding(
                    object.clone(),
                    format!(
                        "table {object} has no snake_case view ({want} or {})",
                        names[1]
                    ),
                )
                .expected(format!("view {want} (or {})", names[1]))
                .actual("no such view")
                .remedy(format!(
                    "CREATE VIEW {want} WITH (security_invoker = true) AS SELECT * FROM {object};"
                )),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{accepted_names, snake_case};

    #[test]
    fn snake_case_forms() {
        for (from, to) in [
            ("ChatMessage", "chat_message"),
            ("HTTPRequest", "http_request"),
            ("userID", "user_id"),
            ("Chat_Message", "chat_message"),
            ("Order2Item", "order2_item"),
            ("already_snake", "already_snake"),
        ] {
            assert_eq!(snake_case(from), to, "{from}");
        }
        assert_eq!(
            accepted_names("Category"),
            ["category", "categorys", "categoryes", "categories"]
        );
    }
}
