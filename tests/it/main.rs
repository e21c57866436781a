//! Integration tests against a real PostgreSQL server (see `support`).

mod support;
mod harness;
