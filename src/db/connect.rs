//! Opening a session: every session is `application_name=pgmend` with a statement timeout;
//! browsing sessions are read-only; transaction poolers are detected and handled.

use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgSslMode};
use sqlx::{ConnectOptions, PgConnection};

use super::error::{Cause, ConnectError};
use super::resolve::{Endpoint, Resolved, SslMode};

/// How a session is used.
#[derive(Debug, Clone)]
pub struct SessionOptions {
    /// `default_transaction_read_only=on`: every browsing session.
    pub read_only: bool,
    pub statement_timeout: Duration,
    /// Known to be behind a transaction pooler (from the profile); otherwise detected.
    pub pooler: Option<bool>,
}

impl Default for SessionOptions {
    fn default() -> Self {
        SessionOptions {
            read_only: true,
            statement_timeout: Duration::from_secs(30),
            pooler: None,
        }
    }
}

/// An open connection and what pgmend learned while opening it.
#[derive(Debug)]
pub struct Session {
    pub conn: PgConnection,
    pub resolved: Resolved,
    /// Behind a transaction pooler: no prepared statements kept, no session settings.
    pub pooled: bool,
    pub read_only: bool,
    pub statement_timeout: Duration,
    pub warnings: Vec<String>,
}

pub const POOLER_WARNING: &str = "connected through a transaction pooler (pgbouncer, Supavisor port 6543): \
pgmend uses one-shot statements here, and fixes need a direct or session-mode connection \
(on Supabase, port 5432)";

/// Heuristics that say a transaction pooler is in front, before connecting.
pub fn looks_pooled(r: &Resolved) -> bool {
    match &r.target.endpoint {
        Endpoint::Tcp { host, .. } => r.target.port == 6543 || host.contains("pooler.supabase.com"),
        Endpoint::Socket { .. } => false,
    }
}

fn connect_options(r: &Resolved, o: &SessionOptions, pooled: bool) -> PgConnectOptions {
    let mut opts = PgConnectOptions::new_without_pgpass()
        .port(r.target.port)
        .username(&r.target.user)
        .database(&r.target.dbname)
        .application_name("pgmend")
        .ssl_mode(match r.sslmode {
            SslMode::Disable => PgSslMode::Disable,
            SslMode::Allow => PgSslMode::Allow,
            SslMode::Prefer => PgSslMode::Prefer,
            SslMode::Require => PgSslMode::Require,
            SslMode::VerifyCa => PgSslMode::VerifyCa,
            SslMode::VerifyFull => PgSslMode::VerifyFull,
        })
        .log_statements(tracing::log::LevelFilter::Trace);
    opts = match &r.target.endpoint {
        Endpoint::Tcp { host, hostaddr } => opts.host(hostaddr.as_deref().unwrap_or(host)),
        Endpoint::Socket { dir } => opts.socket(dir),
    };
    if let Some(pw) = &r.password {
        opts = opts.password(pw);
    }
    if let Some(ca) = &r.sslrootcert {
        opts = opts.ssl_root_cert(ca);
    }
    if pooled {
        // Transaction poolers refuse startup parameters they do not know (pgbouncer: options,
        // extra_float_digits): send none, keep no prepared statements.
        opts = opts.statement_cache_capacity(0).extra_float_digits(None);
    } else {
        let timeout_ms = o.statement_timeout.as_millis().to_string();
        let mut settings = vec![("statement_timeout", timeout_ms)];
        if o.read_only {
            settings.push(("default_transaction_read_only", "on".to_string()));
        }
        opts = opts.options(settings);
        if let Some(extra) = &r.options {
            opts = opts.options(parse_dash_c(extra));
        }
    }
    opts
}

/// `-c key=value -c other=value` (libpq `options`) as pairs.
fn parse_dash_c(s: &str) -> Vec<(String, String)> {
    let words: Vec<&str> = s.split_whitespace().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let kv = match words[i] {
            "-c" => {
                i += 1;
                words.get(i).copied()
            }
            w => w.strip_prefix("-c").or_else(|| w.strip_prefix("--")),
        };
        if let Some((k, v)) = kv.and_then(|kv| kv.split_once('=')) {
            out.push((k.to_string(), v.to_string()));
        }
        i += 1;
    }
    out
}

/// Opens a session. Errors name host, port, database, user and the cause, never the password.
pub async fn connect(r: &Resolved, o: &SessionOptions) -> Result<Session, ConnectError> {
    if let Some(ca) = &r.sslrootcert
        && !ca.is_file()
    {
        return Err(ConnectError::new(
            r,
            Cause::Tls(format!("root certificate file {} not found", ca.display())),
        ));
    }
    let mut pooled = o.pooler.unwrap_or_else(|| looks_pooled(r));
    let mut result = try_connect(r, o, pooled).await;
    if !pooled
        && let Err(Cause::Other(msg)) = &result
        && msg.contains("unsupported startup parameter")
    {
        pooled = true;
        result = try_connect(r, o, true).await;
    }
    let conn = result.map_err(|cause| ConnectError::new(r, cause))?;
    let mut warnings = r.warnings.clone();
    if pooled {
        warnings.push(POOLER_WARNING.to_string());
    }
    Ok(Session {
        conn,
        resolved: r.clone(),
        pooled,
        read_only: o.read_only,
        statement_timeout: o.statement_timeout,
        warnings,
    })
}

async fn try_connect(
    r: &Resolved,
    o: &SessionOptions,
    pooled: bool,
) -> Result<PgConnection, Cause> {
    let opts = connect_options(r, o, pooled);
    match tokio::time::timeout(r.connect_timeout, opts.connect()).await {
        Err(_) => Err(Cause::Timeout(r.connect_timeout)),
        Ok(Err(e)) => Err(Cause::classify(&e, r)),
        Ok(Ok(c)) => Ok(c),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dash_c_options() {
        assert_eq!(
            parse_dash_c("-c search_path=app -csynchronous_commit=off --work_mem=64MB"),
            vec![
                ("search_path".to_string(), "app".to_string()),
                ("synchronous_commit".to_string(), "off".to_string()),
                ("work_mem".to_string(), "64MB".to_string()),
            ]
        );
    }
}
