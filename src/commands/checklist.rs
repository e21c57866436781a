//! `pgmend checklist snapshot|presets|show`.

use crate::checklist::{Checklist, presets, snapshot};
use crate::cli::{ChecklistCommand, Cli};
use crate::db::catalog;

use super::{exit, open_session};

pub async fn run(cli: &Cli, cmd: &ChecklistCommand) -> anyhow::Result<i32> {
    match cmd {
        ChecklistCommand::Snapshot { conn, schemas } => {
            let mut session = open_session(cli, conn, true).await?;
            let opts = super::check::read_options(&session, schemas);
            let snap = catalog::read_snapshot(&mut session.conn, &opts).await?;
            print!(
                "{}",
                snapshot::to_toml(&snap, &session.resolved.target.to_string())
            );
        }
        ChecklistCommand::Presets => {
            for name in presets::names() {
                let c = Checklist::preset(name)?;
                println!(
                    "{name:<18} {}",
                    c.file.checklist.description.as_deref().unwrap_or("")
                );
            }
        }
        ChecklistCommand::Show { name } => {
            Checklist::preset(name)?;
            print!("{}", presets::text(name).unwrap_or_default());
        }
    }
    Ok(exit::OK)
}
