//! Integration tests against a real PostgreSQL server (see `support`).

mod catalog;
mod cli;
mod connect;
mod harness;
mod support;
mod tls;
