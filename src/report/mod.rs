//! Human-readable and machine-readable output of the headless commands.

#[cfg(test)]
mod assumed_tests;
pub mod baseline;
pub mod check_text;
pub mod codequality;
pub mod inventory;
pub mod sarif;
pub mod style;

/// Prints `doc` as pretty JSON to stdout, streamed: at 10,000 tables a document is tens of
/// megabytes, which a string would hold (twice, while it grows). A reader that goes away ends
/// the process quietly with 141, as `println!` does (`process::quiet_broken_pipe`).
pub fn print_json<T: serde::Serialize>(doc: &T) -> std::io::Result<()> {
    use std::io::Write;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let written = serde_json::to_writer_pretty(&mut out, doc)
        .map_err(std::io::Error::from)
        .and_then(|()| out.write_all(b"\n"))
        .and_then(|()| out.flush());
    match written {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(141),
        other => other,
    }
}
