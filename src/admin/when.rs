//! Times given on the command line: an RFC 3339 instant (`2027-01-01T00:00:00Z`) or a
//! duration from now (`90d`, `12h`, `30m`, `45s`, `2w`, or several: `1h30m`).

use super::{AdminError, Result};
use crate::time::UnixTime;

/// Reads a duration: one or more `<number><unit>` with units `s`, `m`, `h`, `d`, `w`.
/// Returns seconds; `what` names the option in the error.
pub fn parse_duration(text: &str, what: &str) -> Result<i64> {
    let bad = |why: &str| {
        AdminError::input(format!(
            "{what}: {text:?} is not a duration ({why}; expected e.g. 90d, 12h, 30m, 1h30m)"
        ))
    };
    if text.is_empty() {
        return Err(bad("empty"));
    }
    let mut total: i64 = 0;
    let mut digits = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let unit = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            'w' => 7 * 86_400,
            _ => return Err(bad(&format!("unknown unit {c:?}"))),
        };
        if digits.is_empty() {
            return Err(bad("a unit without a number"));
        }
        let n: i64 = digits.parse().map_err(|_| bad("number too large"))?;
        total = n
            .checked_mul(unit)
            .and_then(|s| total.checked_add(s))
            .ok_or_else(|| bad("too large"))?;
        digits.clear();
    }
    if !digits.is_empty() {
        return Err(bad("a number without a unit"));
    }
    if total == 0 {
        return Err(bad("must be longer than zero"));
    }
    Ok(total)
}

/// Reads an instant: RFC 3339, or a duration from `now`.
pub fn parse_instant(text: &str, now: UnixTime, what: &str) -> Result<UnixTime> {
    if text.contains('T') || text.contains('t') || text.contains('-') {
        return UnixTime::parse_rfc3339(text)
            .map_err(|e| AdminError::input(format!("{what}: {e}")));
    }
    parse_duration(text, what).map(|s| now.plus(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90d", "x").unwrap(), 90 * 86_400);
        assert_eq!(parse_duration("1h30m", "x").unwrap(), 5400);
        assert_eq!(parse_duration("45s", "x").unwrap(), 45);
        for bad in ["", "d", "12", "3y", "0h", "99999999999999999999d"] {
            let e = parse_duration(bad, "--duration").unwrap_err().to_string();
            assert!(e.starts_with("--duration: "), "{e}");
        }
    }

    #[test]
    fn instants() {
        let now = UnixTime(1_000);
        assert_eq!(parse_instant("1m", now, "x").unwrap(), UnixTime(1_060));
        assert_eq!(
            parse_instant("1970-01-01T00:00:10Z", now, "x").unwrap(),
            UnixTime(10)
        );
        assert!(parse_instant("2026-13-01T00:00:00Z", now, "--expires").is_err());
        assert!(parse_instant("tomorrow", now, "--expires").is_err());
    }
}
