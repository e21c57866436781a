//! pgmend: inspect PostgreSQL application databases against an expected schema and mend them safely.

pub mod config;
pub mod db;
pub mod pgserver;
