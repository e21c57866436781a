//! `pgmend inventory`: the snapshot, as a readable summary or JSON.

use serde::Serialize;

use crate::cli::{Cli, Format, InventoryArgs};
use crate::db::catalog::{self, Snapshot};

use super::{exit, open_session};

/// The JSON document `pgmend inventory --json` prints (documented in docs/inventory-json.md).
#[derive(Debug, Serialize)]
pub struct InventoryJson<'a> {
    /// Always "pgmend.inventory".
    pub format: &'static str,
    /// Bumped on any incompatible change of the shape.
    pub version: u32,
    pub target: TargetJson,
    pub snapshot: &'a Snapshot,
}

#[derive(Debug, Serialize)]
pub struct TargetJson {
    pub host: String,
    pub port: u16,
    pub database: String,
    pub user: String,
    pub pooled: bool,
}

pub async fn run(cli: &Cli, args: &InventoryArgs) -> anyhow::Result<i32> {
    let mut session = open_session(cli, &args.conn, true).await?;
    let opts = super::check::read_options(&session, &args.schemas);
    let snapshot = catalog::read_snapshot(&mut session.conn, &opts).await?;
    let target = &session.resolved.target;
    if args.json || args.format == Format::Json {
        let doc = InventoryJson {
            format: "pgmend.inventory",
            version: 1,
            target: TargetJson {
                host: target.host_label(),
                port: target.port,
                database: target.dbname.clone(),
                user: target.user.clone(),
                pooled: session.pooled,
            },
            snapshot: &snapshot,
        };
        crate::report::print_json(&doc)?;
    } else {
        print!(
            "{}",
            crate::report::inventory::render(&snapshot, &target.to_string())
        );
    }
    Ok(exit::OK)
}
