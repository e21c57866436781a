//! pgmend: inspect PostgreSQL application databases against an expected schema and mend them safely.

pub mod access;
pub mod app;
pub mod apply;
pub mod backup;
pub mod check;
pub mod checklist;
pub mod cli;
pub mod commands;
pub mod config;
pub mod db;
pub mod dirs;
pub mod fix;
pub mod journal;
pub mod logging;
pub mod pgserver;
pub mod process;
pub mod progress;
pub mod report;
pub mod rules;
pub mod runtime;
pub mod scenarios;
pub mod sql;
pub mod theme;
pub mod toml_error;
pub mod ui;
