//! `pgmend access`: the access matrix, as text or JSON.

use serde::Serialize;

use crate::access::{self, Budget, Matrix};
use crate::cli::{AccessArgs, Cli, Format};
use crate::db::catalog;

use super::{exit, open_session};

/// The JSON document `pgmend access --format json` prints (documented in the README).
#[derive(Debug, Serialize)]
pub struct AccessJson<'a> {
    /// Always "pgmend.access".
    pub format: &'static str,
    /// Bumped on any incompatible change of the shape.
    pub version: u32,
    /// The database, as `user@host:port/dbname`.
    pub target: String,
    pub platform: crate::checklist::Platform,
    #[serde(flatten)]
    pub matrix: &'a Matrix,
}

pub async fn run(cli: &Cli, args: &AccessArgs) -> anyhow::Result<i32> {
    if args.cap == 0 {
        anyhow::bail!("--cap must be at least 1");
    }
    if args.timeout.is_zero() {
        anyhow::bail!("--timeout must be longer than 0 (e.g. 3s)");
    }
    let budget = Budget {
        cap: args.cap,
        timeout: args.timeout,
    };
    let mut session = open_session(cli, &args.conn, true).await?;
    let opts = super::check::read_options(&session, &[]);
    let snapshot = catalog::read_snapshot(&mut session.conn, &opts).await?;
    let schemas = access::schemas_for(&snapshot, &args.schemas);
    for s in &args.schemas {
        if !snapshot.schemas.iter().any(|x| &x.name == s) {
            anyhow::bail!("--schema {s}: there is no schema {s:?} in this database");
        }
    }
    let subjects = access::subjects_for(
        &mut session.conn,
        &snapshot,
        &schemas,
        &args.subjects,
        budget,
    )
    .await
    .map_err(anyhow::Error::msg)?;
    let matrix = access::build(&mut session.conn, &snapshot, &schemas, &subjects, budget).await;
    let target = session.resolved.target.to_string();
    match args.format {
        Format::Json => crate::report::print_json(&AccessJson {
            format: "pgmend.access",
            version: 1,
            target,
            platform: crate::check::detect::platform(&snapshot, &[]).platform,
            matrix: &matrix,
        })?,
        Format::Text => print!("{}", access::render::text(&matrix, &target)),
    }
    Ok(exit::OK)
}
