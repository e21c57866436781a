//! Integration tests against a real PostgreSQL server (see `support`).

mod support;
mod connect;
mod harness;
