//! Whether a session can take fixes, asked before any backup: a standby cannot (it replays its
//! primary's WAL and refuses every write), and neither can a session that cannot hold one
//! transaction across statements (a statement-mode pooler, or a transaction pooler that let
//! pgmend's startup options through). The refusal says where to go instead: the primary, named
//! from `primary_conninfo` when the role may read it (never its password), or how to find it.

use sqlx::PgConnection;

use super::connect::POOLER_WARNING;
use super::params::conninfo_pairs;

/// Why fixes cannot run on this session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotWritable {
    /// A hot standby; `primary` is `host=… port=… user=…` when `primary_conninfo` is readable.
    Standby { primary: Option<String> },
    /// The session lost its transaction between two statements (or could not open one).
    NoTransaction { detail: String },
}

impl std::fmt::Display for NotWritable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NotWritable::Standby { primary: Some(p) } => write!(
                f,
                "this server is a standby (pg_is_in_recovery() is true): it refuses every write. \
                 Run the fix against its primary, {p} (from primary_conninfo; the password is not \
                 shown)."
            ),
            NotWritable::Standby { primary: None } => write!(
                f,
                "this server is a standby (pg_is_in_recovery() is true): it refuses every write. \
                 Run the fix against its primary; this role may not read where that is: a \
                 superuser (or a member of pg_read_all_stats) finds it with `SELECT conninfo FROM \
                 pg_stat_wal_receiver` on this standby, and on a managed service it is the \
                 instance's writer endpoint."
            ),
            NotWritable::NoTransaction { detail } => write!(
                f,
                "this session cannot hold a transaction across statements ({detail}): {POOLER_WARNING}. \
                "
            ),
        }
    }
}

/// `Ok(None)` when fixes can run on this session; the reason when they cannot.
pub async fn check(conn: &mut PgConnection) -> Result<Option<NotWritable>, sqlx::Error> {
    let recovery: bool = sqlx::query_scalar("SELECT pg_is_in_recovery()")
        .persistent(false)
        .fetch_one(&mut *conn)
        .await?;
    if recovery {
        return Ok(Some(NotWritable::Standby {
            primary: primary(conn).await,
        }));
    }
    Ok(transaction_probe(conn)
        .await
        .map(|detail| NotWritable::NoTransaction { detail }))
}

/// The primary's `host=… port=… user=…`: from the WAL receiver (superusers and
/// pg_read_all_stats see its conninfo), else the `primary_conninfo` setting.
async fn primary(conn: &mut PgConnection) -> Option<String> {
    let received: Option<Option<String>> =
        sqlx::query_scalar("SELECT conninfo FROM pg_stat_wal_receiver")
            .persistent(false)
            .fetch_optional(&mut *conn)
            .await
            .ok();
    let setting: Option<Option<String>> =
        sqlx::query_scalar("SELECT current_setting('primary_conninfo', true)")
            .persistent(false)
            .fetch_optional(&mut *conn)
            .await
            .ok();
    [received, setting]
        .into_iter()
        .flatten()
        .flatten()
        .find_map(|c| where_is(&c))
}

/// `host=… port=… user=…` of a connection string: only the keys that say where, never a
/// password or other secret.
pub fn where_is(conninfo: &str) -> Option<String> {
    let pairs = conninfo_pairs(conninfo).ok()?;
    let shown: Vec<String> = ["host", "hostaddr", "port", "user"]
        .iter()
        .filter_map(|k| {
            pairs
                .iter()
                .find(|(key, v)| key == k && !v.is_empty())
                .map(|(k, v)| format!("{k}={v}"))
        })
        .collect();
    shown
        .iter()
        .any(|s| s.starts_with("host"))
        .then(|| shown.join(" "))
}

/// Opens a transaction and asks for the backend's pid in two statements: `Some(why)` when the
/// transaction could not be opened or the second statement ran on another backend.
async fn transaction_probe(conn: &mut PgConnection) -> Option<String> {
    if let Err(e) = sqlx::raw_sql("BEGIN").execute(&mut *conn).await {
        return Some(format!("BEGIN failed: {e}"));
    }
    let first = backend_pid(conn).await;
    let second = backend_pid(conn).await;
    let _ = sqlx::raw_sql("ROLLBACK").execute(&mut *conn).await;
    match (first, second) {
        (Ok(a), Ok(b)) if a == b => None,
        (Ok(a), Ok(b)) => Some(format!(
            "inside one transaction, backend {a} answered then backend {b}"
        )),
        (Err(e), _) | (_, Err(e)) => Some(format!("a statement inside a transaction failed: {e}")),
    }
}

async fn backend_pid(conn: &mut PgConnection) -> Result<i32, sqlx::Error> {
    sqlx::query_scalar("SELECT pg_backend_pid()")
        .persistent(false)
        .fetch_one(conn)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_primary_is_named_without_its_password() {
        let c = "user=postgres password='se cr\\'et' channel_binding=prefer host=10.0.0.5 port=5433 \
                 sslmode=prefer target_session_attrs=any";
        assert_eq!(
            where_is(c).as_deref(),
            Some("host=10.0.0.5 port=5433 user=postgres")
        );
        // pg_stat_wal_receiver shows the password as asterisks: still never repeated.
        assert_eq!(
            where_is("user=app password=******** dbname=replication host=db1 port=5432").as_deref(),
            Some("host=db1 port=5432 user=app")
        );
        assert_eq!(
            where_is("user=app port=5432"),
            None,
            "no host: nothing to name"
        );
        assert_eq!(where_is(""), None);
    }
}
