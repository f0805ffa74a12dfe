//! Time as tessera sees it: whole seconds since the Unix epoch, passed in by the caller.
//!
//! Nothing in the decision path reads a clock by itself (on `wasm32-unknown-unknown`
//! `SystemTime::now()` panics); the engine takes a [`UnixTime`] with every call, and
//! [`now`] is the one place that reads the host's clock.
//!
//! The bundle writes instants as RFC 3339 (`2026-11-22T10:00:00Z`); this module parses and
//! formats them with the civil-calendar algorithms of Howard Hinnant, so no date library is
//! needed in the module.

use std::fmt;

/// Seconds since 1970-01-01T00:00:00Z (negative before it). Serialized as a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct UnixTime(pub i64);

/// Why a timestamp could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{value:?} is not an RFC 3339 time (expected e.g. \"2026-11-22T10:00:00Z\"): {why}")]
pub struct TimeError {
    /// The text that was given.
    pub value: String,
    /// What was wrong with it.
    pub why: &'static str,
}

/// The host's current time: `Date.now()` in wasm, the system clock natively.
pub fn now() -> UnixTime {
    #[cfg(target_arch = "wasm32")]
    {
        UnixTime((js_sys::Date::now() / 1000.0).floor() as i64)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let secs = match std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
            Ok(d) => d.as_secs() as i64,
            Err(e) => -(e.duration().as_secs() as i64),
        };
        UnixTime(secs)
    }
}

/// A calendar date and time of day in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Civil {
    /// Year, e.g. 2026.
    pub year: i64,
    /// Month, 1 to 12.
    pub month: u32,
    /// Day of the month, 1 to 31.
    pub day: u32,
    /// Seconds since midnight, 0 to 86 399.
    pub second_of_day: u32,
    /// Day of the week, 0 = Sunday to 6 = Saturday.
    pub weekday: u32,
}

impl UnixTime {
    /// The instant `seconds` later (saturating).
    pub fn plus(self, seconds: i64) -> UnixTime {
        UnixTime(self.0.saturating_add(seconds))
    }

    /// Shifts by a fixed UTC offset (in seconds) and splits into calendar fields.
    pub fn civil(self, offset_seconds: i64) -> Civil {
        let t = self.0.saturating_add(offset_seconds);
        let days = t.div_euclid(86_400);
        let second_of_day = t.rem_euclid(86_400) as u32;
        let (year, month, day) = civil_from_days(days);
        // 1970-01-01 was a Thursday (4).
        let weekday = (days + 4).rem_euclid(7) as u32;
        Civil {
            year,
            month,
            day,
            second_of_day,
            weekday,
        }
    }

    /// Parses an RFC 3339 date-time: `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`.
    /// Fractions of a second are truncated.
    pub fn parse_rfc3339(text: &str) -> Result<UnixTime, TimeError> {
        let fail = |why| TimeError {
            value: text.to_string(),
            why,
        };
        let b = text.as_bytes();
        if b.len() < 20 {
            return Err(fail("too short"));
        }
        // INVARIANT: at least 20 bytes, so every fixed position read below (up to 19) exists;
        // bytes are read, not characters, so multi-byte UTF-8 only fails the checks.
        let num = |from: usize, len: usize| -> Result<i64, TimeError> {
            let part = &b[from..from + len];
            if !part.iter().all(u8::is_ascii_digit) {
                return Err(fail("expected digits"));
            }
            Ok(part.iter().fold(0i64, |n, d| n * 10 + i64::from(d - b'0')))
        };
        if b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
            return Err(fail("expected YYYY-MM-DDTHH:MM:SS"));
        }
        if b[13] != b':' || b[16] != b':' {
            return Err(fail("expected HH:MM:SS"));
        }
        let (year, month, day) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
        let (hour, minute, second) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
        if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month as u32) as i64 {
            return Err(fail("no such date"));
        }
        if hour > 23 || minute > 59 || second > 60 {
            return Err(fail("no such time of day"));
        }
        let mut rest = &b[19..];
        // INVARIANT: `rest` starts with '.' here, and `digits` counts bytes after it, so both
        // slices stay in bounds.
        if rest.first() == Some(&b'.') {
            let digits = rest[1..].iter().take_while(|c| c.is_ascii_digit()).count();
            if digits == 0 {
                return Err(fail("expected digits after '.'"));
            }
            rest = &rest[1 + digits..];
        }
        let offset = match rest {
            [b'Z' | b'z'] => 0,
            [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
                let digits = [*h1, *h2, *m1, *m2];
                if !digits.iter().all(u8::is_ascii_digit) {
                    return Err(fail("bad UTC offset"));
                }
                let h = i64::from((h1 - b'0') * 10 + (h2 - b'0'));
                let m = i64::from((m1 - b'0') * 10 + (m2 - b'0'));
                if h > 23 || m > 59 {
                    return Err(fail("bad UTC offset"));
                }
                let s = (h * 60 + m) * 60;
                if *sign == b'-' {
                    -s
                } else {
                    s
                }
            }
            _ => return Err(fail("expected 'Z' or a UTC offset like +02:00")),
        };
        let days = days_from_civil(year, month as u32, day as u32);
        let second = second.min(59); // a leap second counts as the last second of the minute
        Ok(UnixTime(
            days * 86_400 + hour * 3600 + minute * 60 + second - offset,
        ))
    }
}

impl fmt::Display for UnixTime {
    /// RFC 3339 in UTC, e.g. `2026-11-22T10:00:00Z`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = self.civil(0);
        let s = c.second_of_day;
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            c.year,
            c.month,
            c.day,
            s / 3600,
            s / 60 % 60,
            s % 60
        )
    }
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The proleptic Gregorian date of a day count since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_utc_and_offsets() {
        assert_eq!(
            UnixTime::parse_rfc3339("1970-01-01T00:00:00Z").unwrap(),
            UnixTime(0)
        );
        assert_eq!(
            UnixTime::parse_rfc3339("2026-11-22T10:00:00Z").unwrap(),
            UnixTime(1_795_341_600)
        );
        assert_eq!(
            UnixTime::parse_rfc3339("2026-11-22T12:00:00.123+02:00").unwrap(),
            UnixTime(1_795_341_600)
        );
        assert_eq!(
            UnixTime::parse_rfc3339("1969-12-31T23:59:59Z").unwrap(),
            UnixTime(-1)
        );
    }

    #[test]
    fn refuses_what_is_not_a_date() {
        for bad in [
            "2026-02-30T00:00:00Z",
            "2026-13-01T00:00:00Z",
            "2026-11-22T24:00:00Z",
            "2026-11-22 10:00",
            "2026-11-22T10:00:00",
            "2026-11-22T10:00:00+2:00",
            "yesterday",
        ] {
            let err = UnixTime::parse_rfc3339(bad).unwrap_err();
            assert_eq!(err.value, bad);
        }
    }

    #[test]
    fn formats_round_trip_and_weekday() {
        let t = UnixTime::parse_rfc3339("2024-02-29T23:59:59Z").unwrap();
        assert_eq!(t.to_string(), "2024-02-29T23:59:59Z");
        // 2026-11-22 is a Sunday.
        assert_eq!(UnixTime(1_795_341_600).civil(0).weekday, 0);
        assert_eq!(UnixTime(1_795_341_600).civil(0).second_of_day, 36_000);
    }
}
