//! One builder per kind of statement pgmend writes more than once. The arguments are already
//! quoted (`quote_ident`, `qualified`): these only spell the statement, so the fixes, the app's
//! DDL view and the executor cannot spell the same change two ways.

/// What an `ALTER TABLE … ROW LEVEL SECURITY` does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rls {
    Enable,
    Disable,
    Force,
    NoForce,
}

/// `ALTER TABLE <table> ENABLE ROW LEVEL SECURITY` and its kin.
pub fn alter_rls(table: &str, what: Rls) -> String {
    let what = match what {
        Rls::Enable => "ENABLE",
        Rls::Disable => "DISABLE",
        Rls::Force => "FORCE",
        Rls::NoForce => "NO FORCE",
    };
    format!("ALTER TABLE {table} {what} ROW LEVEL SECURITY")
}

/// The statements that keep a table pgmend saved rows in (for undo) to its owner: row-level
/// security on with no policy, and nothing granted to PUBLIC.
pub fn keep_private(table: &str) -> String {
    format!(
        "{};\nREVOKE ALL ON {table} FROM PUBLIC",
        alter_rls(table, Rls::Enable)
    )
}

/// `COMMENT ON <kind> <target> IS '<text>'` (`IS NULL` without a text): `kind` is `TABLE`,
/// `COLUMN`, `VIEW`, `CONSTRAINT`, `FUNCTION`…, `target` already quoted.
pub fn comment_on(kind: &str, target: &str, text: Option<&str>) -> String {
    let text = text.map_or("NULL".to_string(), super::quote_literal);
    format!("COMMENT ON {kind} {target} IS {text}")
}

/// `DROP INDEX CONCURRENTLY IF EXISTS <index>`.
pub fn drop_index_concurrently(index: &str) -> String {
    format!("DROP INDEX CONCURRENTLY IF EXISTS {index}")
}

/// `GRANT <privileges> ON TABLE <table> TO <grantee>`, `WITH GRANT OPTION` when asked.
pub fn grant_on_table(privileges: &str, table: &str, grantee: &str, grant_option: bool) -> String {
    let opt = if grant_option {
        " WITH GRANT OPTION"
    } else {
        ""
    };
    format!("GRANT {privileges} ON TABLE {table} TO {grantee}{opt}")
}

/// `REVOKE <privileges> ON TABLE <table> FROM <grantee>`.
pub fn revoke_on_table(privileges: &str, table: &str, grantee: &str) -> String {
    format!("REVOKE {privileges} ON TABLE {table} FROM {grantee}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spelled_as_postgres_reads_them() {
        assert_eq!(
            alter_rls("public.t", Rls::NoForce),
            "ALTER TABLE public.t NO FORCE ROW LEVEL SECURITY"
        );
        assert_eq!(
            keep_private("s.\"T\""),
            "ALTER TABLE s.\"T\" ENABLE ROW LEVEL SECURITY;\nREVOKE ALL ON s.\"T\" FROM PUBLIC"
        );
        assert_eq!(
            grant_on_table("SELECT", "s.t", "app", true),
            "GRANT SELECT ON TABLE s.t TO app WITH GRANT OPTION"
        );
        assert_eq!(
            comment_on("COLUMN", "s.t.c", Some("it's")),
            "COMMENT ON COLUMN s.t.c IS 'it''s'"
        );
        assert_eq!(
            comment_on("TABLE", "s.t", None),
            "COMMENT ON TABLE s.t IS NULL"
        );
        assert_eq!(
            revoke_on_table("ALL", "s.t", "PUBLIC"),
            "REVOKE ALL ON TABLE s.t FROM PUBLIC"
        );
    }
}
