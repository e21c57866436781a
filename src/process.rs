//! Process-wide behaviour set up at start: passwords hidden from the process list, and a
//! quiet end when the reader of stdout goes away.
//!
//! Keeping passwords out of the process list: a password given on the command line (a URL's
//! `user:password@`, a conninfo's or a URL query's `password=`) would show in `ps` and
//! `/proc/<pid>/cmdline` for as long as pgmend runs; once the arguments are parsed, pgmend
//! overwrites those bytes of its argument area with `*` (Linux with glibc, which hands the
//! argument vector to initialisers; elsewhere nothing is done).

use std::sync::atomic::{AtomicPtr, AtomicUsize, Ordering};

static ARGC: AtomicUsize = AtomicUsize::new(0);
static ARGV: AtomicPtr<*mut libc::c_char> = AtomicPtr::new(std::ptr::null_mut());

#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[used]
#[unsafe(link_section = ".init_array")]
static CAPTURE: extern "C" fn(libc::c_int, *mut *mut libc::c_char, *mut *mut libc::c_char) =
    capture;

#[allow(dead_code)]
extern "C" fn capture(argc: libc::c_int, argv: *mut *mut libc::c_char, _: *mut *mut libc::c_char) {
    ARGC.store(argc.max(0) as usize, Ordering::Relaxed);
    ARGV.store(argv, Ordering::Relaxed);
}

/// Byte ranges of `arg` that hold a password.
pub fn password_ranges(arg: &[u8]) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    // postgres://user:password@host…
    if let Some(p) = find(arg, b"://") {
        let start = p + 3;
        let end = arg[start..]
            .iter()
            .position(|b| matches!(b, b'/' | b'?' | b'#'))
            .map_or(arg.len(), |e| start + e);
        let authority = &arg[start..end];
        if let Some(at) = authority.iter().rposition(|b| *b == b'@') {
            let userinfo = &authority[..at];
            if let Some(colon) = userinfo.iter().position(|b| *b == b':')
                && colon + 1 < at
            {
                out.push(start + colon + 1..start + at);
            }
        }
    }
    // password=… in conninfo (`password='a b'`) or a URL query (`?password=…&`).
    let key = b"password";
    let mut i = 0;
    while let Some(p) = find(&arg[i..], key) {
        let k = i + p;
        i = k + key.len();
        let starts_word = k == 0 || matches!(arg[k - 1], b' ' | b'\t' | b'\n' | b'?' | b'&');
        let mut v = i;
        while v < arg.len() && matches!(arg[v], b' ' | b'\t') {
            v += 1;
        }
        if !starts_word || v >= arg.len() || arg[v] != b'=' {
            continue;
        }
        v += 1;
        while v < arg.len() && matches!(arg[v], b' ' | b'\t') {
            v += 1;
        }
        let (start, mut end) = (v, v);
        if arg.get(v) == Some(&b'\'') {
            end += 1;
            while end < arg.len() && arg[end] != b'\'' {
                end += if arg[end] == b'\\' { 2 } else { 1 };
            }
            end = (end + 1).min(arg.len());
        } else {
            while end < arg.len() && !matches!(arg[end], b' ' | b'\t' | b'\n' | b'&') {
                end += 1;
            }
        }
        if end > start {
            out.push(start..end);
        }
        i = end.max(i);
    }
    out
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Overwrites every password in this process's arguments with `*`. Call it after the
/// arguments were parsed: `std::env::args` reads the same bytes.
pub fn hide_passwords() {
    let argv = ARGV.load(Ordering::Relaxed);
    if argv.is_null() {
        return;
    }
    for i in 1..ARGC.load(Ordering::Relaxed) {
        // SAFETY: glibc passed argc and argv to the initialiser; the argument strings are
        // NUL-terminated, writable, and live for the whole process. Only bytes before the NUL
        // are changed, and never to NUL.
        unsafe {
            let p = *argv.add(i);
            if p.is_null() {
                break;
            }
            let len = libc::strlen(p);
            let bytes = std::slice::from_raw_parts_mut(p.cast::<u8>(), len);
            for r in password_ranges(bytes) {
                bytes[r].fill(b'*');
            }
        }
    }
}

/// `pgmend check … | head` ends quietly, with status 141 as if killed by SIGPIPE, when the
/// reader goes away. Rust ignores SIGPIPE (so that sockets report EPIPE as errors, which pgmend
/// needs to say that a server went away), which makes `println!` panic instead.
pub fn quiet_broken_pipe() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let msg = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if msg.starts_with("failed printing to stdout") && msg.contains("Broken pipe") {
            std::process::exit(141);
        }
        previous(info)
    }));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hidden(s: &str) -> String {
        let mut b = s.as_bytes().to_vec();
        for r in password_ranges(&b) {
            b[r].fill(b'*');
        }
        String::from_utf8(b).unwrap()
    }

    #[test]
    fn hides_every_spelling_of_a_password() {
        assert_eq!(
            hidden("postgres://u:s3cret@h:5432/db"),
            "postgres://u:******@h:5432/db"
        );
        assert_eq!(
            hidden("postgresql://u:p%40ss@h/db?sslmode=disable"),
            "postgresql://u:******@h/db?sslmode=disable"
        );
        assert_eq!(
            hidden("postgres://u@h/db?password=abc&sslmode=x"),
            "postgres://u@h/db?password=***&sslmode=x"
        );
        assert_eq!(
            hidden("host=h password=abc dbname=d"),
            "host=h password=*** dbname=d"
        );
        assert_eq!(
            hidden("host=h password = 'a b\\'c' dbname=d"),
            "host=h password = ******** dbname=d"
        );
        assert_eq!(hidden("password=x"), "password=*");
        assert_eq!(
            hidden("postgres://u:p@ss@h/d/x@y"),
            "postgres://u:****@h/d/x@y"
        );
        for same in [
            "postgres://u@h/db",
            "--preset",
            "mypassword=x",
            "postgres://h/a@b",
            "password",
        ] {
            assert_eq!(hidden(same), same);
        }
    }
}
