//! Free space before a backup: the backup directory's file system (statvfs) must have room for
//! the data pg_dump will write, the size of the tables it dumps as the server stores them
//! (pg_table_size: heap and TOAST, no indexes). A custom-format dump is compressed and so
//! usually smaller: the check errs on the side of not starting a backup that may not fit.

use std::path::Path;

use sqlx::PgConnection;

use super::BackupError;

/// What the server says a backup will hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sizes {
    /// `pg_database_size(current_database())`, indexes and all.
    pub database: u64,
    /// The tables' data the dump will read: the whole database's, or the `only` tables'.
    pub data: u64,
}

/// The sizes of the database and of the tables the dump holds (`only`: quoted `schema.name`;
/// empty for every table). Reading a table's size takes its lock: when another session holds
/// it (ALTER TABLE in an open transaction), the database's size stands in, never a wait.
pub async fn sizes(conn: &mut PgConnection, only: &[String]) -> Result<Sizes, sqlx::Error> {
    let database: i64 = sqlx::query_scalar("SELECT pg_database_size(current_database())")
        .persistent(false)
        .fetch_one(&mut *conn)
        .await?;
    let database = database.max(0) as u64;
    sqlx::raw_sql("BEGIN; SET LOCAL lock_timeout = '200ms'")
        .execute(&mut *conn)
        .await?;
    let data: Result<i64, sqlx::Error> = sqlx::query_scalar(
        "SELECT coalesce(sum(pg_table_size(c.oid)), 0)::int8 \
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
          WHERE c.relkind IN ('r', 'm') \
            AND n.nspname NOT IN ('pg_catalog', 'information_schema') \
            AND n.nspname NOT LIKE 'pg\\_toast%' \
            AND (cardinality($1::text[]) = 0 \
                 OR format('%I.%I', n.nspname, c.relname) = ANY ($1::text[]))",
    )
    .bind(only)
    .persistent(false)
    .fetch_one(&mut *conn)
    .await;
    sqlx::raw_sql("ROLLBACK").execute(&mut *conn).await?;
    let data = match data {
        Ok(d) => d.max(0) as u64,
        Err(e) if e.as_database_error().and_then(|d| d.code()).as_deref() == Some("55P03") => {
            database
        }
        Err(e) => return Err(e),
    };
    Ok(Sizes { database, data })
}

/// Bytes an unprivileged process may still write in the file system holding `dir`.
pub fn free_bytes(dir: &Path) -> std::io::Result<u64> {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(dir.as_os_str().as_bytes())
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: `c` is a valid NUL-terminated path and `st` a valid statvfs to fill.
    if unsafe { libc::statvfs(c.as_ptr(), &mut st) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok((st.f_bavail as u64).saturating_mul(st.f_frsize as u64))
}

/// Refuses (before any file is written) when `dir` has less room than the data to dump.
pub fn check(dir: &Path, sizes: Sizes) -> Result<(), BackupError> {
    let free = free_bytes(dir).map_err(|e| BackupError::Dir {
        dir: dir.to_path_buf(),
        message: format!("cannot tell its free space: {e}"),
    })?;
    if free >= sizes.data {
        return Ok(());
    }
    Err(BackupError::NoSpace {
        dir: dir.to_path_buf(),
        free,
        data: sizes.data,
        database: sizes.database,
    })
}
