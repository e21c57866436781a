//! Resolving where to connect, in libpq's order: the explicit source (URL argument, profile or
//! DATABASE_URL), then the service file, then PG* environment variables, then defaults; the
//! password last from ~/.pgpass.

use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use super::params::{ConnParams, ParamError};
use super::passfile::{ServiceError, pgpass_lookup, service_params};

/// The process environment as resolution sees it (a map in tests).
#[derive(Debug, Clone, Default)]
pub struct Env {
    pub vars: HashMap<String, String>,
    pub home: Option<PathBuf>,
    pub os_user: Option<String>,
}

impl Env {
    pub fn from_process() -> Env {
        Env {
            vars: std::env::vars().collect(),
            home: directories::BaseDirs::new().map(|b| b.home_dir().to_path_buf()),
            os_user: std::env::var("USER").ok().or_else(|| {
                let out = std::process::Command::new("id").arg("-un").output().ok()?;
                Some(String::from_utf8_lossy(&out.stdout).trim().to_string())
            }),
        }
    }

    fn var(&self, k: &str) -> Option<String> {
        self.vars.get(k).filter(|v| !v.is_empty()).cloned()
    }
}

/// The explicit source, in precedence order: URL argument, then profile, then DATABASE_URL.
#[derive(Debug, Clone)]
pub enum Source {
    Argument(ConnParams),
    Profile { name: String, params: ConnParams },
    Defaults,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    Tcp {
        host: String,
        hostaddr: Option<String>,
    },
    Socket {
        dir: PathBuf,
    },
}

/// Where a connection goes: what every message about a connection names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub endpoint: Endpoint,
    pub port: u16,
    pub dbname: String,
    pub user: String,
}

impl Target {
    pub fn host_label(&self) -> String {
        match &self.endpoint {
            Endpoint::Tcp { host, .. } => host.clone(),
            Endpoint::Socket { dir } => dir.display().to_string(),
        }
    }

    pub fn is_local(&self) -> bool {
        match &self.endpoint {
            Endpoint::Socket { .. } => true,
            Endpoint::Tcp { host, hostaddr } => {
                let h = hostaddr.as_deref().unwrap_or(host);
                h == "localhost" || h == "::1" || h.starts_with("127.")
            }
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.endpoint {
            Endpoint::Tcp { host, .. } => write!(f, "{host}:{}", self.port)?,
            Endpoint::Socket { dir } => {
                write!(f, "socket {}/.s.PGSQL.{}", dir.display(), self.port)?
            }
        }
        write!(f, " (database \"{}\", user \"{}\")", self.dbname, self.user)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SslMode {
    Disable,
    Allow,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

impl SslMode {
    fn parse(s: &str) -> SslMode {
        match s {
            "disable" => SslMode::Disable,
            "allow" => SslMode::Allow,
            "require" => SslMode::Require,
            "verify-ca" => SslMode::VerifyCa,
            "verify-full" => SslMode::VerifyFull,
            _ => SslMode::Prefer,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SslMode::Disable => "disable",
            SslMode::Allow => "allow",
            SslMode::Prefer => "prefer",
            SslMode::Require => "require",
            SslMode::VerifyCa => "verify-ca",
            SslMode::VerifyFull => "verify-full",
        }
    }
}

/// Everything needed to open a connection. The password is never printed (no Debug).
#[derive(Clone)]
pub struct Resolved {
    pub target: Target,
    pub password: Option<String>,
    pub sslmode: SslMode,
    /// True when no sslmode was given and pgmend chose one (require for a non-local host).
    pub sslmode_defaulted: bool,
    pub sslrootcert: Option<PathBuf>,
    pub connect_timeout: Duration,
    pub options: Option<String>,
    /// Which source chose the connection, for messages ("URL argument", "profile prod", …).
    pub source: String,
    pub warnings: Vec<String>,
}

impl fmt::Debug for Resolved {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Resolved")
            .field("target", &self.target)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("sslmode", &self.sslmode)
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    #[error("DATABASE_URL: {0}")]
    DatabaseUrl(ParamError),
    #[error("environment variable {var}: {err}")]
    EnvVar { var: String, err: ParamError },
    #[error(transparent)]
    Service(#[from] ServiceError),
}

pub const DEFAULT_CONNECT_TIMEOUT: u64 = 10;

/// Resolves a source against the environment, with libpq's precedence.
pub fn resolve(source: Source, env: &Env) -> Result<Resolved, ResolveError> {
    let (mut p, label) = match source {
        Source::Argument(p) => (p, "connection argument".to_string()),
        Source::Profile { name, params } => (params, format!("profile `{name}`")),
        Source::Defaults => match env.var("DATABASE_URL") {
            Some(u) => (
                ConnParams::parse(&u).map_err(ResolveError::DatabaseUrl)?,
                "DATABASE_URL".to_string(),
            ),
            None => (
                ConnParams::default(),
                "PG* environment and defaults".to_string(),
            ),
        },
    };
    let mut warnings = Vec::new();

    if let Some(service) = p.service.clone().or_else(|| env.var("PGSERVICE")) {
        p.fill_from(&service_params(&service, &service_files(env))?);
    }
    p.fill_from(&env_params(env)?);

    let port = p.port.unwrap_or(5432);
    let user = p
        .user
        .clone()
        .or_else(|| env.os_user.clone())
        .unwrap_or_else(|| "postgres".into());
    let dbname = p.dbname.clone().unwrap_or_else(|| user.clone());
    let endpoint = match p.host.as_deref() {
        Some(h) if h.starts_with('/') => Endpoint::Socket {
            dir: PathBuf::from(h),
        },
        Some(h) => Endpoint::Tcp {
            host: h.to_string(),
            hostaddr: p.hostaddr.clone(),
        },
        None => match &p.hostaddr {
            Some(a) => Endpoint::Tcp {
                host: a.clone(),
                hostaddr: Some(a.clone()),
            },
            None => Endpoint::Socket {
                dir: default_socket_dir(port),
            },
        },
    };
    let target = Target {
        endpoint,
        port,
        dbname,
        user,
    };

    let sslmode_defaulted = p.sslmode.is_none();
    let sslmode = match &p.sslmode {
        Some(m) => SslMode::parse(m),
        None if matches!(target.endpoint, Endpoint::Socket { .. }) => SslMode::Disable,
        None if target.is_local() => SslMode::Prefer,
        None => SslMode::Require,
    };

    let mut password = p.password.clone();
    if password.is_none() {
        let file = env
            .var("PGPASSFILE")
            .map(PathBuf::from)
            .or_else(|| env.home.as_ref().map(|h| h.join(".pgpass")));
        if let Some(file) = file {
            let host = match &target.endpoint {
                Endpoint::Socket { .. } => "localhost".to_string(),
                Endpoint::Tcp { host, .. } => host.clone(),
            };
            let found = pgpass_lookup(&file, &host, target.port, &target.dbname, &target.user);
            password = found.password;
            warnings.extend(found.warning);
        }
    }

    Ok(Resolved {
        target,
        password,
        sslmode,
        sslmode_defaulted,
        sslrootcert: p.sslrootcert.map(PathBuf::from),
        connect_timeout: Duration::from_secs(
            p.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT).max(1),
        ),
        options: p.options,
        source: label,
        warnings,
    })
}

/// The PG* variables libpq reads, as parameters.
fn env_params(env: &Env) -> Result<ConnParams, ResolveError> {
    let mut p = ConnParams::default();
    for (var, key) in [
        ("PGHOST", "host"),
        ("PGHOSTADDR", "hostaddr"),
        ("PGPORT", "port"),
        ("PGUSER", "user"),
        ("PGPASSWORD", "password"),
        ("PGDATABASE", "dbname"),
        ("PGSSLMODE", "sslmode"),
        ("PGSSLROOTCERT", "sslrootcert"),
        ("PGCONNECT_TIMEOUT", "connect_timeout"),
        ("PGOPTIONS", "options"),
    ] {
        if let Some(v) = env.var(var) {
            p.set(key, v).map_err(|err| ResolveError::EnvVar {
                var: var.to_string(),
                err,
            })?;
        }
    }
    Ok(p)
}

/// The user's service file, then the system one.
fn service_files(env: &Env) -> Vec<PathBuf> {
    let mut files = Vec::new();
    match env.var("PGSERVICEFILE") {
        Some(f) => files.push(PathBuf::from(f)),
        None => files.extend(env.home.as_ref().map(|h| h.join(".pg_service.conf"))),
    }
    let sysconf = env
        .var("PGSYSCONFDIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/etc/postgresql-common"));
    files.push(sysconf.join("pg_service.conf"));
    files
}

/// libpq's compiled-in socket directory differs by platform: take the first that has a socket.
fn default_socket_dir(port: u16) -> PathBuf {
    let candidates = ["/var/run/postgresql", "/run/postgresql", "/tmp"];
    candidates
        .iter()
        .map(PathBuf::from)
        .find(|d| d.join(format!(".s.PGSQL.{port}")).exists())
        .or_else(|| candidates.iter().map(PathBuf::from).find(|d| d.is_dir()))
        .unwrap_or_else(|| PathBuf::from("/tmp"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &[(&str, &str)]) -> Env {
        Env {
            vars: vars
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            home: None,
            os_user: Some("osuser".into()),
        }
    }

    fn arg(s: &str) -> Source {
        Source::Argument(ConnParams::parse(s).unwrap())
    }

    #[test]
    fn argument_beats_environment_which_fills_the_gaps() {
        let e = env(&[
            ("PGHOST", "envhost"),
            ("PGUSER", "envuser"),
            ("PGPORT", "6000"),
            ("DATABASE_URL", "postgres://x@dburl/db"),
        ]);
        let r = resolve(arg("postgres://argh/argdb"), &e).unwrap();
        assert_eq!(r.target.host_label(), "argh");
        assert_eq!(r.target.user, "envuser");
        assert_eq!(r.target.port, 6000);
        assert_eq!(r.target.dbname, "argdb");
        assert_eq!(r.source, "connection argument");
    }

    #[test]
    fn database_url_when_no_argument_or_profile() {
        let e = env(&[
            ("DATABASE_URL", "postgres://u@dburl:5433/app"),
            ("PGHOST", "ignored"),
        ]);
        let r = resolve(Source::Defaults, &e).unwrap();
        assert_eq!(
            r.target.to_string(),
            "dburl:5433 (database \"app\", user \"u\")"
        );
        assert_eq!(r.source, "DATABASE_URL");
    }

    #[test]
    fn libpq_defaults() {
        let r = resolve(Source::Defaults, &env(&[])).unwrap();
        assert!(matches!(r.target.endpoint, Endpoint::Socket { .. }));
        assert_eq!(
            (
                r.target.user.as_str(),
                r.target.dbname.as_str(),
                r.target.port
            ),
            ("osuser", "osuser", 5432)
        );
        assert_eq!(r.sslmode, SslMode::Disable);
    }

    #[test]
    fn remote_hosts_require_tls_unless_told() {
        let r = resolve(arg("postgres://db.example.com/app"), &env(&[])).unwrap();
        assert_eq!((r.sslmode, r.sslmode_defaulted), (SslMode::Require, true));
        let r = resolve(arg("postgres://127.0.0.1/app"), &env(&[])).unwrap();
        assert_eq!(r.sslmode, SslMode::Prefer);
        let r = resolve(
            arg("postgres://db.example.com/app"),
            &env(&[("PGSSLMODE", "disable")]),
        )
        .unwrap();
        assert_eq!((r.sslmode, r.sslmode_defaulted), (SslMode::Disable, false));
    }

    #[test]
    fn service_file_sits_between_argument_and_environment() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("services.conf");
        std::fs::write(&f, "[app]\nhost=svchost\nport=7000\ndbname=svcdb\n").unwrap();
        let e = env(&[
            ("PGSERVICEFILE", f.to_str().unwrap()),
            ("PGSERVICE", "app"),
            ("PGHOST", "envhost"),
            ("PGUSER", "envuser"),
        ]);
        let r = resolve(arg("dbname=argdb"), &e).unwrap();
        assert_eq!(r.target.host_label(), "svchost");
        assert_eq!(r.target.port, 7000);
        assert_eq!(r.target.dbname, "argdb");
        assert_eq!(r.target.user, "envuser");
        let missing = resolve(arg("service=nope"), &e).unwrap_err();
        assert!(
            missing
                .to_string()
                .contains("definition of service \"nope\" not found"),
            "{missing}"
        );
    }

    #[test]
    fn pgpass_supplies_a_missing_password_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("pgpass");
        std::fs::write(&f, "h:5432:db:u:frompass\n").unwrap();
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o600)).unwrap();
        let e = env(&[("PGPASSFILE", f.to_str().unwrap())]);
        let r = resolve(arg("postgres://u@h/db"), &e).unwrap();
        assert_eq!(r.password.as_deref(), Some("frompass"));
        let r = resolve(arg("postgres://u:given@h/db"), &e).unwrap();
        assert_eq!(r.password.as_deref(), Some("given"));
        assert!(!format!("{r:?}").contains("given"));
    }
}
