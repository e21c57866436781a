//! Pure-core tests: `check::run`, `fix::plans` and `app::update` on the scenario databases
//! checked in under `tests/core/scenarios/` (captured from the real server by
//! `tests/it/snapshots.rs`). No PostgreSQL: nothing here connects or starts a server, so these
//! run anywhere, in seconds. Everything that talks to PostgreSQL stays in `tests/it`.

#[path = "../common/captured.rs"]
mod captured;
mod fixture;
mod plans;
mod scenarios;
mod update;
