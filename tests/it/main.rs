//! Integration tests against a real PostgreSQL server (see `support`).

mod apply;
mod backup;
mod catalog;
mod check;
mod cli;
mod connect;
mod faults;
mod fix;
mod fleet;
mod harness;
mod lints;
mod majors;
mod pane;
mod perf;
mod pooler;
mod presets;
mod props;
mod quoting;
mod roles;
mod scenarios;
mod secrets;
mod support;
mod tls;
mod tmux;
mod tui;
