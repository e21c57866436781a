//! Integration tests against a real PostgreSQL server (see `support`).

mod catalog;
mod check;
mod cli;
mod connect;
mod harness;
mod lints;
mod presets;
mod quoting;
mod scenarios;
mod support;
mod tls;
mod tmux;
mod tui;
