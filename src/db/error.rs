//! Connection failures, classified so the message says what went wrong and what to try.

use std::fmt;
use std::time::Duration;

use super::resolve::{Endpoint, Resolved, SslMode, Target};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cause {
    Refused,
    NoSocket,
    UnknownHost,
    Timeout(Duration),
    AuthFailed {
        message: String,
        password_given: bool,
    },
    NoDatabase,
    Tls(String),
    Other(String),
}

impl Cause {
    pub fn classify(e: &sqlx::Error, r: &Resolved) -> Cause {
        match e {
            sqlx::Error::Io(io) if looks_like_tls(&io.to_string()) => Cause::Tls(io.to_string()),
            sqlx::Error::Io(io) => match io.kind() {
                std::io::ErrorKind::ConnectionRefused => match r.target.endpoint {
                    Endpoint::Socket { .. } => Cause::NoSocket,
                    Endpoint::Tcp { .. } => Cause::Refused,
                },
                std::io::ErrorKind::NotFound => Cause::NoSocket,
                std::io::ErrorKind::TimedOut => Cause::Timeout(r.connect_timeout),
                _ if io.to_string().contains("lookup") || io.to_string().contains("resolve") => {
                    Cause::UnknownHost
                }
                _ => Cause::Other(io.to_string()),
            },
            sqlx::Error::Tls(t) => Cause::Tls(t.to_string()),
            sqlx::Error::Database(db) => match db.code().as_deref() {
                Some("28P01") | Some("28000") => Cause::AuthFailed {
                    message: db.message().to_string(),
                    password_given: r.password.is_some(),
                },
                Some("3D000") => Cause::NoDatabase,
                _ => Cause::Other(db.message().to_string()),
            },
            other => {
                let s = other.to_string();
                if s.contains("password") && r.password.is_none() {
                    Cause::AuthFailed {
                        message: s,
                        password_given: false,
                    }
                } else {
                    Cause::Other(s)
                }
            }
        }
    }
}

/// rustls reports certificate problems as I/O errors.
fn looks_like_tls(msg: &str) -> bool {
    let m = msg.to_ascii_lowercase();
    m.contains("certificate") || m.contains("tls") || m.contains("handshake")
}

/// A failed connection: where to (never the password), why, and what to try.
#[derive(Debug, Clone)]
pub struct ConnectError {
    pub target: Target,
    pub cause: Cause,
    sslmode: SslMode,
    sslmode_defaulted: bool,
    source_label: String,
}

impl ConnectError {
    pub fn new(r: &Resolved, cause: Cause) -> ConnectError {
        ConnectError {
            target: r.target.clone(),
            cause,
            sslmode: r.sslmode,
            sslmode_defaulted: r.sslmode_defaulted,
            source_label: r.source.clone(),
        }
    }

    fn reason_and_hint(&self) -> (String, String) {
        let t = &self.target;
        match &self.cause {
            Cause::Refused => (
                "connection refused".into(),
                format!(
                    "is PostgreSQL running on {} and listening on port {} (listen_addresses, firewall, SSH tunnel)?",
                    t.host_label(),
                    t.port
                ),
            ),
            Cause::NoSocket => (
                "no server socket there".into(),
                "is the server running on this machine? Check unix_socket_directories, or give host= and port=".into(),
            ),
            Cause::UnknownHost => (
                format!("host name \"{}\" could not be resolved", t.host_label()),
                "check the spelling, DNS, or your VPN".into(),
            ),
            Cause::Timeout(d) => (
                format!("no answer within {}s", d.as_secs()),
                "check the address, firewall, VPN or SSH tunnel; raise connect_timeout if the link is slow".into(),
            ),
            Cause::AuthFailed { message, password_given } => (
                format!("authentication failed: {message}"),
                if *password_given {
                    "check the user name and password (URL, PGPASSWORD, ~/.pgpass, service file, profile)".into()
                } else {
                    "no password was given: put it in ~/.pgpass (mode 0600), PGPASSWORD, or the connection URL".into()
                },
            ),
            Cause::NoDatabase => (
                format!("database \"{}\" does not exist", t.dbname),
                "list the databases with `psql -l` and check the name (it is case-sensitive)".into(),
            ),
            Cause::Tls(msg) => (
                format!("TLS failed: {msg}"),
                if self.sslmode_defaulted && self.sslmode == SslMode::Require {
                    format!(
                        "pgmend requires TLS for the non-local host {}; if that server has no TLS and the network is trusted, \
                         opt out with sslmode=disable (or sslmode=prefer)",
                        t.host_label()
                    )
                } else {
                    format!(
                        "sslmode is {}; check the server's certificate, sslrootcert, and that the host name matches it",
                        self.sslmode.as_str()
                    )
                },
            ),
            Cause::Other(msg) => (msg.clone(), String::new()),
        }
    }
}

impl fmt::Display for ConnectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (reason, hint) = self.reason_and_hint();
        write!(
            f,
            "cannot connect to {} [from {}]: {reason}",
            self.target, self.source_label
        )?;
        if !hint.is_empty() {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConnectError {}
