//! Progress on stderr for the command line: a spinner or a counter that appears only when
//! stderr is a terminal and the wait has lasted over 300 ms, and is cleared when the wait ends.
//! Nothing is ever written to stdout, and nothing at all when stderr is not a terminal (CI logs
//! stay clean). `PGMEND_PROGRESS_DELAY_MS` changes the 300 ms (the tests use 0).

use std::io::IsTerminal;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// One wait being shown (or not).
pub struct Progress {
    bar: ProgressBar,
    /// Set when the wait ends, under the lock the delayed start takes too, so a bar is never
    /// drawn after it was finished.
    done: Arc<Mutex<bool>>,
}

fn delay() -> Duration {
    std::env::var("PGMEND_PROGRESS_DELAY_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .map_or(Duration::from_millis(300), Duration::from_millis)
}

impl Progress {
    fn start(bar: ProgressBar, template: &str) -> Progress {
        let done = Arc::new(Mutex::new(false));
        bar.set_style(
            ProgressStyle::with_template(template)
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        if std::io::stderr().is_terminal() {
            let (bar, done) = (bar.clone(), done.clone());
            std::thread::spawn(move || {
                std::thread::sleep(delay());
                let finished = done.lock().map(|d| *d).unwrap_or(true);
                if !finished {
                    bar.set_draw_target(ProgressDrawTarget::stderr());
                    bar.enable_steady_tick(Duration::from_millis(100));
                }
            });
        }
        Progress { bar, done }
    }

    /// A spinner with a message: "connecting to db.example:5432".
    pub fn spinner(message: impl Into<String>) -> Progress {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
        bar.set_message(message.into());
        Progress::start(bar, "{spinner} {msg} ({elapsed})")
    }

    /// Bytes written so far: "dumping: 12.4 MiB".
    pub fn bytes(message: impl Into<String>) -> Progress {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
        bar.set_message(message.into());
        Progress::start(bar, "{spinner} {msg}: {bytes} ({elapsed})")
    }

    /// Done out of a total: "checked 3/10 databases".
    pub fn count(message: impl Into<String>, total: u64) -> Progress {
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::hidden());
        bar.set_message(message.into());
        Progress::start(bar, "{spinner} {msg} {pos}/{len} ({elapsed})")
    }

    pub fn set_message(&self, message: impl Into<String>) {
        self.bar.set_message(message.into());
    }

    pub fn set_length(&self, n: u64) {
        self.bar.set_length(n);
    }

    pub fn set_position(&self, n: u64) {
        self.bar.set_position(n);
    }

    pub fn inc(&self) {
        self.bar.inc(1);
    }

    /// Ends the wait: the line is cleared (the command's own output says what happened).
    pub fn finish(&self) {
        if let Ok(mut d) = self.done.lock() {
            *d = true;
        }
        self.bar.finish_and_clear();
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_progress_off_a_terminal_draws_nothing_and_finishes() {
        // The test harness's stderr is not a terminal here: the bar stays hidden.
        let p = Progress::count("checked", 3);
        p.inc();
        p.set_position(2);
        assert!(p.bar.is_hidden());
        p.finish();
        assert!(p.bar.is_finished());
    }
}
