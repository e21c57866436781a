//! Migration versions: `YYYYMMDDHHMMSS` (UTC) as Prisma and Supabase name their migrations,
//! always after every migration already in the folder (the tools apply them in name order, and
//! `supabase db push` refuses one older than the last applied).

use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// `n` consecutive versions, one second apart, from `now` or just after the newest version
/// already leading a name in `dir`, whichever is later.
pub fn versions(dir: &Path, now: SystemTime, n: usize) -> Vec<String> {
    let now = now.duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
    let newest = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| parse(&e.file_name().to_string_lossy()))
        .max();
    let first = newest.map_or(now, |n| n.saturating_add(1).max(now));
    (0..n as u64).map(|i| format(first + i)).collect()
}

/// `20261205001532` for these seconds since the epoch.
pub fn format(secs: u64) -> String {
    humantime::format_rfc3339_seconds(UNIX_EPOCH + Duration::from_secs(secs))
        .to_string()
        .chars()
        .filter(char::is_ascii_digit)
        .collect()
}

/// The seconds of a name's leading 14-digit version (`20261205001532_…`).
pub fn parse(name: &str) -> Option<u64> {
    let d = name
        .get(..14)
        .filter(|d| d.bytes().all(|b| b.is_ascii_digit()))?;
    let rfc = format!(
        "{}-{}-{}T{}:{}:{}Z",
        &d[..4],
        &d[4..6],
        &d[6..8],
        &d[8..10],
        &d[10..12],
        &d[12..14]
    );
    let t = humantime::parse_rfc3339(&rfc).ok()?;
    Some(t.duration_since(UNIX_EPOCH).ok()?.as_secs())
}

/// Milliseconds since the epoch (TypeORM's and Drizzle's timestamps).
pub fn millis(now: SystemTime) -> u64 {
    now.duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_millis() as u64
}
