//! Connection parameters as libpq knows them, parsed from a URL or a `key=value` conninfo
//! string. The password is held apart and never printed.

use std::fmt;

/// The libpq parameters pgmend understands. Every field is optional until resolution.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ConnParams {
    pub host: Option<String>,
    pub hostaddr: Option<String>,
    pub port: Option<u16>,
    pub user: Option<String>,
    pub password: Option<String>,
    pub dbname: Option<String>,
    pub sslmode: Option<String>,
    pub sslrootcert: Option<String>,
    pub connect_timeout: Option<u64>,
    pub service: Option<String>,
    pub options: Option<String>,
    pub application_name: Option<String>,
}

impl fmt::Debug for ConnParams {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnParams")
            .field("host", &self.host)
            .field("hostaddr", &self.hostaddr)
            .field("port", &self.port)
            .field("user", &self.user)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("dbname", &self.dbname)
            .field("sslmode", &self.sslmode)
            .field("sslrootcert", &self.sslrootcert)
            .field("connect_timeout", &self.connect_timeout)
            .field("service", &self.service)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ParamError {
    #[error("invalid connection URL: {0}")]
    Url(String),
    #[error("unknown connection parameter `{key}`{hint}")]
    UnknownKey { key: String, hint: String },
    #[error("invalid value for `{key}`: {why}")]
    BadValue { key: String, why: String },
    #[error("malformed conninfo string near `{0}` (expected key=value pairs)")]
    Conninfo(String),
    #[error("several hosts (`{0}`) are not supported: give one host")]
    MultiHost(String),
}

pub const KEYS: &[&str] = &[
    "host",
    "hostaddr",
    "port",
    "user",
    "password",
    "dbname",
    "sslmode",
    "sslrootcert",
    "connect_timeout",
    "service",
    "options",
    "application_name",
];

pub const SSLMODES: &[&str] = &[
    "disable",
    "allow",
    "prefer",
    "require",
    "verify-ca",
    "verify-full",
];

impl ConnParams {
    /// Parses what a person types: a `postgres://` URL, a `key=value` conninfo string, or a bare
    /// database name (as psql accepts).
    pub fn parse(s: &str) -> Result<ConnParams, ParamError> {
        let t = s.trim();
        if t.starts_with("postgres://") || t.starts_with("postgresql://") {
            Self::from_url(t)
        } else if t.contains('=') {
            Self::from_conninfo(t)
        } else {
            Ok(ConnParams {
                dbname: Some(t.to_string()),
                ..Default::default()
            })
        }
    }

    /// Sets one libpq key, validating its value.
    pub fn set(&mut self, key: &str, value: String) -> Result<(), ParamError> {
        let bad = |why: &str| ParamError::BadValue {
            key: key.to_string(),
            why: why.to_string(),
        };
        match key {
            "host" => {
                if value.contains(',') {
                    return Err(ParamError::MultiHost(value));
                }
                self.host = Some(value)
            }
            "hostaddr" => self.hostaddr = Some(value),
            "port" => self.port = Some(value.parse().map_err(|_| bad("not a port number"))?),
            "user" => self.user = Some(value),
            "password" => self.password = Some(value),
            "dbname" => self.dbname = Some(value),
            "sslmode" => {
                if !SSLMODES.contains(&value.as_str()) {
                    return Err(bad(&format!("expected one of {}", SSLMODES.join(", "))));
                }
                self.sslmode = Some(value)
            }
            "sslrootcert" => self.sslrootcert = Some(value),
            "connect_timeout" => {
                self.connect_timeout =
                    Some(value.parse().map_err(|_| bad("not a number of seconds"))?)
            }
            "service" => self.service = Some(value),
            "options" => self.options = Some(value),
            "application_name" => self.application_name = Some(value),
            _ => {
                return Err(ParamError::UnknownKey {
                    key: key.to_string(),
                    hint: crate::toml_error::suggest(key, KEYS)
                        .map(|k| format!(" (did you mean `{k}`?)"))
                        .unwrap_or_default(),
                });
            }
        }
        Ok(())
    }

    fn from_url(s: &str) -> Result<ConnParams, ParamError> {
        let u = url::Url::parse(s).map_err(|e| ParamError::Url(e.to_string()))?;
        let mut p = ConnParams::default();
        let dec =
            |v: &str| percent_decode(v).map_err(|_| ParamError::Url("bad percent-encoding".into()));
        if let Some(h) = u.host_str().filter(|h| !h.is_empty()) {
            let h = h.trim_start_matches('[').trim_end_matches(']');
            p.set("host", dec(h)?)?;
        }
        if let Some(port) = u.port() {
            p.port = Some(port);
        }
        if !u.username().is_empty() {
            p.user = Some(dec(u.username())?);
        }
        if let Some(pw) = u.password() {
            p.password = Some(dec(pw)?);
        }
        let path = u.path().trim_start_matches('/');
        if !path.is_empty() {
            p.dbname = Some(dec(path)?);
        }
        for (k, v) in u.query_pairs() {
            p.set(&k, v.into_owned())?;
        }
        Ok(p)
    }

    fn from_conninfo(s: &str) -> Result<ConnParams, ParamError> {
        let mut p = ConnParams::default();
        for (key, value) in conninfo_pairs(s)? {
            p.set(&key, value)?;
        }
        Ok(p)
    }

    /// Fills every field that is still unset from `other`.
    pub fn fill_from(&mut self, other: &ConnParams) {
        macro_rules! fill {
            ($($f:ident),*) => { $( if self.$f.is_none() { self.$f = other.$f.clone(); } )* };
        }
        fill!(
            host,
            hostaddr,
            port,
            user,
            password,
            dbname,
            sslmode,
            sslrootcert,
            connect_timeout,
            service,
            options,
            application_name
        );
    }
}

fn percent_decode(s: &str) -> Result<String, std::str::Utf8Error> {
    percent_encoding::percent_decode_str(s)
        .decode_utf8()
        .map(|c| c.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_with_everything() {
        let p = ConnParams::parse(
            "postgresql://al%40ice:p%3Ass@db.example.com:6543/my%20db?sslmode=verify-full&sslrootcert=/ca.pem&connect_timeout=7",
        )
        .unwrap();
        assert_eq!(p.host.as_deref(), Some("db.example.com"));
        assert_eq!(p.port, Some(6543));
        assert_eq!(p.user.as_deref(), Some("al@ice"));
        assert_eq!(p.password.as_deref(), Some("p:ss"));
        assert_eq!(p.dbname.as_deref(), Some("my db"));
        assert_eq!(p.sslmode.as_deref(), Some("verify-full"));
        assert_eq!(p.sslrootcert.as_deref(), Some("/ca.pem"));
        assert_eq!(p.connect_timeout, Some(7));
    }

    #[test]
    fn url_socket_hosts() {
        let p = ConnParams::parse("postgres://%2Fvar%2Frun%2Fpostgresql/app").unwrap();
        assert_eq!(p.host.as_deref(), Some("/var/run/postgresql"));
        let p = ConnParams::parse("postgres:///app?host=/tmp&port=5433").unwrap();
        assert_eq!(p.host.as_deref(), Some("/tmp"));
        assert_eq!(p.port, Some(5433));
        let p = ConnParams::parse("postgres://[::1]:5432/app").unwrap();
        assert_eq!(p.host.as_deref(), Some("::1"));
    }

    #[test]
    fn conninfo_with_quotes() {
        let p = ConnParams::parse(
            r"host=localhost port=5432 dbname='my \'db\'' user = bob password=a\ b",
        )
        .unwrap();
        assert_eq!(p.dbname.as_deref(), Some("my 'db'"));
        assert_eq!(p.user.as_deref(), Some("bob"));
        assert_eq!(p.password.as_deref(), Some("a b"));
        assert_eq!(p.port, Some(5432));
    }

    #[test]
    fn bare_name_is_a_database() {
        assert_eq!(
            ConnParams::parse("shop").unwrap().dbname.as_deref(),
            Some("shop")
        );
    }

    #[test]
    fn errors_are_specific() {
        let e = ConnParams::parse("postgres://h/db?sslmod=require").unwrap_err();
        assert_eq!(
            e.to_string(),
            "unknown connection parameter `sslmod` (did you mean `sslmode`?)"
        );
        let e = ConnParams::parse("postgres://h/db?sslmode=sometimes").unwrap_err();
        assert!(e.to_string().contains("expected one of disable"), "{e}");
        assert!(matches!(
            ConnParams::parse("host=a dbname='x"),
            Err(ParamError::Conninfo(_))
        ));
        assert!(matches!(
            ConnParams::parse("host=a,b"),
            Err(ParamError::MultiHost(_))
        ));
    }

    #[test]
    fn debug_never_shows_the_password() {
        let p = ConnParams::parse("postgres://u:hunter2@h/db").unwrap();
        assert!(!format!("{p:?}").contains("hunter2"));
    }
}

/// A connection string fit to show: the password removed (URL or conninfo).
/// The `key=value` pairs of a libpq connection string, unchecked (quotes and backslash escapes
/// undone), in order.
pub fn conninfo_pairs(s: &str) -> Result<Vec<(String, String)>, ParamError> {
    let mut pairs = Vec::new();
    let mut chars = s.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        if chars.peek().is_none() {
            return Ok(pairs);
        }
        let key: String =
            std::iter::from_fn(|| chars.next_if(|c| *c != '=' && !c.is_whitespace())).collect();
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        if chars.next() != Some('=') {
            return Err(ParamError::Conninfo(key));
        }
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        let mut value = String::new();
        if chars.next_if_eq(&'\'').is_some() {
            loop {
                match chars.next() {
                    None => return Err(ParamError::Conninfo(format!("{key}='{value}"))),
                    Some('\'') => break,
                    Some('\\') => value.extend(chars.next()),
                    Some(c) => value.push(c),
                }
            }
        } else {
            while let Some(c) = chars.next_if(|c| !c.is_whitespace()) {
                if c == '\\' {
                    value.extend(chars.next());
                } else {
                    value.push(c);
                }
            }
        }
        pairs.push((key, value));
    }
}

pub fn redact(s: &str) -> String {
    let t = s.trim();
    if t.starts_with("postgres://") || t.starts_with("postgresql://") {
        return match url::Url::parse(t) {
            Ok(mut u) => {
                let _ = u.set_password(None);
                let pairs: Vec<(String, String)> = u
                    .query_pairs()
                    .filter(|(k, _)| k != "password")
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect();
                if pairs.is_empty() {
                    u.set_query(None);
                } else {
                    u.query_pairs_mut().clear().extend_pairs(pairs);
                }
                u.to_string()
            }
            Err(_) => "(a connection URL)".into(),
        };
    }
    match ConnParams::parse(t) {
        Ok(_) => t
            .split_whitespace()
            .filter(|w| !w.trim_start().starts_with("password"))
            .collect::<Vec<_>>()
            .join(" "),
        Err(_) => "(a connection string)".into(),
    }
}

#[cfg(test)]
mod redact_tests {
    #[test]
    fn passwords_are_removed() {
        assert_eq!(
            super::redact("postgres://u:secret@h:5432/db?sslmode=require&password=x"),
            "postgres://u@h:5432/db?sslmode=require"
        );
        assert_eq!(
            super::redact("host=h password=secret dbname=d"),
            "host=h dbname=d"
        );
        assert_eq!(super::redact("mydb"), "mydb");
    }
}
