//! Integration tests against a real PostgreSQL server (see `support`).

mod apply;
mod backup;
mod catalog;
mod check;
mod cli;
mod connect;
mod fix;
mod harness;
mod lints;
mod presets;
mod quoting;
mod scenarios;
mod support;
mod tls;
mod tmux;
mod tui;
