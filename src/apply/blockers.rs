//! What happens after a step gave up waiting for its lock: whether and when to try again
//! (`--retries`, and `--wait-for-locks`, which keeps trying until its time is up), and, only
//! when the engineer spelled out `--terminate-blockers`, ending the sessions that held the lock
//! (`pg_terminate_backend`), each one reported and journaled.

use std::time::{Duration, Instant};

use sqlx::PgConnection;

use super::{ApplyOptions, Blocker};

/// The longest pause between two attempts while waiting for locks.
const MAX_PAUSE: Duration = Duration::from_secs(5);

/// The pause before the next attempt of a unit whose first attempt began at `started`, or
/// `None` when no attempt is left: the `--retries` count, or, with `--wait-for-locks`, as long
/// as an attempt can begin before that time is up.
pub(super) fn next_attempt(
    opts: &ApplyOptions,
    attempt: u32,
    started: Instant,
) -> Option<Duration> {
    let pause = opts
        .backoff
        .saturating_mul(2u32.saturating_pow(attempt.saturating_sub(1)));
    if attempt < opts.retries.max(1) {
        return Some(pause);
    }
    let deadline = started + opts.wait_for_locks?;
    let left = deadline.checked_duration_since(Instant::now())?;
    (!left.is_zero()).then(|| pause.min(MAX_PAUSE).min(left))
}

/// Ends each blocker's session (only when it is still the same session: same pid, user and
/// application), from the writer's own session. Each blocker with what came of it: `Ok(true)`
/// ended, `Ok(false)` already gone.
pub(super) async fn terminate(
    conn: &mut PgConnection,
    blockers: &[Blocker],
) -> Vec<(Blocker, Result<bool, String>)> {
    let mut out = Vec::new();
    for b in blockers {
        let ended: Result<Option<bool>, sqlx::Error> = sqlx::query_scalar(
            "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity \
              WHERE pid = $1 AND usename IS NOT DISTINCT FROM $2 \
                AND application_name IS NOT DISTINCT FROM $3",
        )
        .bind(b.pid)
        .bind(&b.user)
        .bind(&b.application_name)
        .fetch_optional(&mut *conn)
        .await;
        let r = match ended {
            Ok(v) => Ok(v.unwrap_or(false)),
            Err(e) => Err(e.to_string()),
        };
        out.push((b.clone(), r));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_then_waits_until_the_time_is_up() {
        let mut o = ApplyOptions {
            retries: 2,
            backoff: Duration::from_millis(100),
            ..ApplyOptions::default()
        };
        let now = Instant::now();
        assert_eq!(next_attempt(&o, 1, now), Some(Duration::from_millis(100)));
        assert_eq!(
            next_attempt(&o, 2, now),
            None,
            "retries spent, no wait asked"
        );
        o.wait_for_locks = Some(Duration::from_secs(60));
        // Past the retries, the pause doubles up to its ceiling while time is left.
        assert_eq!(next_attempt(&o, 9, now), Some(MAX_PAUSE));
        let long_ago = now - Duration::from_secs(61);
        assert_eq!(next_attempt(&o, 9, long_ago), None, "the time is up");
        let nearly = now - Duration::from_millis(59_950);
        assert!(next_attempt(&o, 9, nearly).is_some_and(|p| p <= Duration::from_millis(50)));
    }
}
