//! A throwaway PostgreSQL cluster: initdb into a temporary directory, start it on a free
//! loopback port with its Unix socket in the data directory, and remove it all when done,
//! even when the owning process dies without unwinding (a watchdog process holds the other
//! end of a pipe and cleans up when it closes).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};

use super::bin::{BinDir, BinError};

/// The superuser every throwaway cluster is created with.
pub const SUPERUSER: &str = "postgres";

#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    #[error(transparent)]
    Bin(#[from] BinError),
    #[error(
        "running as root, but initdb refuses root and there is no `{0}` user to run the server as; \
         create one (`useradd --system {0}`), set PGMEND_PG_USER to another user, or run as a normal user"
    )]
    NoServerUser(String),
    #[error("{what} failed: {detail}")]
    Step { what: String, detail: String },
    #[error("I/O error while {what}: {source}")]
    Io {
        what: String,
        #[source]
        source: std::io::Error,
    },
}

pub(super) fn io(what: &str) -> impl FnOnce(std::io::Error) -> ClusterError + '_ {
    move |source| ClusterError::Io {
        what: what.to_string(),
        source,
    }
}

/// Extra settings (`-c key=value`; values must not hold spaces) and data-directory files.
#[derive(Debug, Clone, Default)]
pub struct ClusterOptions {
    pub settings: Vec<(String, String)>,
    pub files: Vec<(String, Vec<u8>)>,
}

/// A running throwaway cluster. Dropping it stops the server and deletes its files.
pub struct Cluster {
    pub(super) base: PathBuf,
    pub(super) data: PathBuf,
    pub(super) port: u16,
    pub(super) password: String,
    pub(super) bin: BinDir,
    pub(super) run_as: Option<String>,
    pub(super) watchdog: Option<(Child, ChildStdin)>,
}

impl std::fmt::Debug for Cluster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cluster")
            .field("data", &self.data)
            .field("port", &self.port)
            .field("bin", &self.bin)
            .field("run_as", &self.run_as)
            .finish_non_exhaustive()
    }
}

impl Cluster {
    /// Starts a new cluster with the binaries [`BinDir::discover`] finds.
    pub fn start() -> Result<Cluster, ClusterError> {
        Self::start_with(BinDir::discover()?)
    }

    pub fn start_with(bin: BinDir) -> Result<Cluster, ClusterError> {
        Self::start_with_options(bin, &ClusterOptions::default())
    }

    /// Starts a cluster with extra server settings and files placed in its data directory
    /// (mode 0600, owned by the server's user: e.g. a TLS key and certificate).
    pub fn start_with_options(
        bin: BinDir,
        options: &ClusterOptions,
    ) -> Result<Cluster, ClusterError> {
        let run_as = server_user()?;
        let base = tempfile::Builder::new()
            .prefix("pgmend-pg-")
            .tempdir()
            .map_err(io("creating the cluster directory"))?
            .keep();
        let data = base.join("data");
        let password = random_hex(16);
        let mut cluster = Cluster {
            base: base.clone(),
            data,
            port: 0,
            password,
            bin,
            run_as,
            watchdog: None,
        };
        // The watchdog exists before anything is written that would need cleaning.
        cluster.spawn_watchdog()?;
        cluster.init()?;
        cluster.place_files(&options.files)?;
        cluster.start_server(&options.settings)?;
        Ok(cluster)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn password(&self) -> &str {
        &self.password
    }

    /// Directory that holds the server's Unix socket (the data directory).
    pub fn socket_dir(&self) -> &Path {
        &self.data
    }

    pub fn data_dir(&self) -> &Path {
        &self.data
    }

    pub fn bin(&self) -> &BinDir {
        &self.bin
    }

    pub fn log_file(&self) -> PathBuf {
        self.base.join("server.log")
    }

    /// A TCP URL for `database` as the superuser (password included: for tests and the demo).
    pub fn url(&self, database: &str) -> String {
        format!(
            "postgres://{SUPERUSER}:{}@127.0.0.1:{}/{}",
            self.password,
            self.port,
            urlencode(database)
        )
    }

    /// Creates database `name` (from template0) and returns its URL.
    pub async fn create_database(&self, name: &str) -> Result<String, sqlx::Error> {
        use sqlx::{Connection, Executor};
        let mut admin = sqlx::PgConnection::connect(&self.url("postgres")).await?;
        admin
            .execute(sqlx::AssertSqlSafe(format!(
                "CREATE DATABASE {} TEMPLATE template0",
                crate::sql::quote_ident(name)
            )))
            .await?;
        let _ = admin.close().await;
        Ok(self.url(name))
    }

    pub(super) fn command(&self, tool: &str) -> Command {
        let path = self.bin.tool(tool);
        match &self.run_as {
            Some(user) => {
                let mut c = Command::new("runuser");
                c.args(["-u", user, "--"]).arg(path);
                c
            }
            None => Command::new(path),
        }
    }

    pub(super) fn spawn_watchdog(&mut self) -> Result<(), ClusterError> {
        use std::os::unix::process::CommandExt;
        let stop = self.command("pg_ctl");
        let mut args: Vec<std::ffi::OsString> = vec![stop.get_program().to_owned()];
        args.extend(stop.get_args().map(|a| a.to_owned()));
        args.extend(["stop", "-m", "immediate", "-w", "-D"].map(Into::into));
        args.push(self.data.clone().into());
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(r#"read _unused; if [ -f "$PGMEND_DATA/postmaster.pid" ]; then "$@" >/dev/null 2>&1; fi; rm -rf "$PGMEND_BASE""#)
            .arg("pgmend-watchdog")
            .args(args)
            .env("PGMEND_DATA", &self.data)
            .env("PGMEND_BASE", &self.base)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            // Its own process group: Ctrl-C on the terminal must not kill it before it cleans up.
            .process_group(0)
            .spawn()
            .map_err(io("starting the cleanup watchdog"))?;
        let stdin = child.stdin.take().expect("stdin was piped");
        self.watchdog = Some((child, stdin));
        Ok(())
    }

    fn init(&self) -> Result<(), ClusterError> {
        let pwfile = self.base.join("pwfile");
        std::fs::write(&pwfile, format!("{}\n", self.password))
            .map_err(io("writing the password file"))?;
        if let Some(user) = &self.run_as {
            chown_to(&self.base, user)?;
            chown_to(&pwfile, user)?;
        }
        let out = self
            .command("initdb")
            .arg("-D")
            .arg(&self.data)
            .args(["-U", SUPERUSER, "-E", "UTF8", "--no-locale", "--no-sync"])
            .args(["--auth-local=trust", "--auth-host=scram-sha-256"])
            .arg(format!("--pwfile={}", pwfile.display()))
            .output()
            .map_err(io("running initdb"))?;
        let _ = std::fs::remove_file(&pwfile);
        if !out.status.success() {
            return Err(ClusterError::Step {
                what: "initdb".into(),
                detail: String::from_utf8_lossy(&out.stderr).trim().to_string(),
            });
        }
        Ok(())
    }

    fn place_files(&self, files: &[(String, Vec<u8>)]) -> Result<(), ClusterError> {
        use std::os::unix::fs::PermissionsExt;
        for (name, content) in files {
            let path = self.data.join(name);
            std::fs::write(&path, content).map_err(io("writing a file into the data directory"))?;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))
                .map_err(io("setting file permissions"))?;
            if let Some(user) = &self.run_as {
                chown_to(&path, user)?;
            }
        }
        Ok(())
    }

    pub(super) fn start_server(
        &mut self,
        settings: &[(String, String)],
    ) -> Result<(), ClusterError> {
        let mut last = String::new();
        for _ in 0..5 {
            let port = free_port()?;
            let opts = format!(
                "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off \
                 -c synchronous_commit=off -c full_page_writes=off -c max_connections=300 \
                 -c shared_buffers=128MB -c log_min_messages=warning",
                self.data.display()
            );
            let opts = settings
                .iter()
                .fold(opts, |acc, (k, v)| format!("{acc} -c {k}={v}"));
            let out = self
                .command("pg_ctl")
                .args(["start", "-w", "-t", "60", "-D"])
                .arg(&self.data)
                .arg("-l")
                .arg(self.log_file())
                .args(["-o", &opts])
                .stdin(Stdio::null())
                .output()
                .map_err(io("running pg_ctl start"))?;
            if out.status.success() {
                self.port = port;
                return Ok(());
            }
            last = self.log_tail();
            if !last.contains("could not bind") && !last.contains("already in use") {
                break;
            }
        }
        Err(ClusterError::Step {
            what: "starting the server".into(),
            detail: last,
        })
    }

    fn log_tail(&self) -> String {
        let mut s = String::new();
        if let Ok(mut f) = std::fs::File::open(self.log_file()) {
            let _ = f.read_to_string(&mut s);
        }
        let lines: Vec<&str> = s.lines().collect();
        lines[lines.len().saturating_sub(15)..].join("\n")
    }

    /// Stops the server and removes every file; what `Drop` does, with the outcome.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        if let Some((mut child, stdin)) = self.watchdog.take() {
            drop(stdin);
            let _ = child.wait();
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// `Some(user)` when running as root: the server binaries must run as that user.
fn server_user() -> Result<Option<String>, ClusterError> {
    // SAFETY: geteuid has no preconditions and cannot fail.
    if unsafe { libc::geteuid() } != 0 {
        return Ok(None);
    }
    let user = std::env::var("PGMEND_PG_USER").unwrap_or_else(|_| "postgres".into());
    let known = Command::new("id")
        .args(["-u", &user])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if known {
        Ok(Some(user))
    } else {
        Err(ClusterError::NoServerUser(user))
    }
}

pub(super) fn chown_to(path: &Path, user: &str) -> Result<(), ClusterError> {
    let out = Command::new("chown")
        .arg(format!("{user}:"))
        .arg(path)
        .output()
        .map_err(io("running chown"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(ClusterError::Step {
            what: format!("chown {user} {}", path.display()),
            detail: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        })
    }
}

fn free_port() -> Result<u16, ClusterError> {
    let l = std::net::TcpListener::bind("127.0.0.1:0").map_err(io("finding a free port"))?;
    Ok(l.local_addr().map_err(io("finding a free port"))?.port())
}

pub(crate) fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    let filled = std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut buf))
        .is_ok();
    if !filled {
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0)
            ^ u128::from(std::process::id());
        for (i, b) in buf.iter_mut().enumerate() {
            *b = (seed >> ((i % 16) * 8)) as u8;
        }
    }
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}
