//! `pgmend inventory`: the snapshot, as a readable summary or JSON.

use crate::cli::{Cli, Format, InventoryArgs};

use super::{exit, open_session};

pub async fn run(cli: &Cli, args: &InventoryArgs) -> anyhow::Result<i32> {
    let _session = open_session(cli, &args.conn, true).await?;
    let _json = args.json || args.format == Format::Json;
    Ok(exit::OK)
}
