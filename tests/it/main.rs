//! Integration tests against a real PostgreSQL server (see `support`).

mod catalog;
mod cli;
mod connect;
mod harness;
mod quoting;
mod support;
mod tls;
