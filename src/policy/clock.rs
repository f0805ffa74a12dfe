//! Time for the `date`, `day_of_week` and `time_of_day` criteria: fixed UTC offsets (no time
//! zone database in the module), day-of-week sets and times of day in Go's layouts.

use crate::time::UnixTime;

/// Parses a time zone: `UTC` (or `Z`) or a fixed offset `+HH:MM` / `-HH:MM`, into seconds
/// east of UTC. A name from the IANA database is refused with a message saying so.
pub(crate) fn parse_timezone(text: &str) -> Result<i64, String> {
    if text.eq_ignore_ascii_case("UTC") || text == "Z" {
        return Ok(0);
    }
    let b = text.as_bytes();
    if let [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] = b {
        let digits = [*h1, *h2, *m1, *m2];
        if digits.iter().all(u8::is_ascii_digit) {
            let h = i64::from((h1 - b'0') * 10 + (h2 - b'0'));
            let m = i64::from((m1 - b'0') * 10 + (m2 - b'0'));
            if h <= 23 && m <= 59 {
                let s = (h * 60 + m) * 60;
                return Ok(if *sign == b'-' { -s } else { s });
            }
        }
    }
    if !text.is_empty() && text.bytes().any(|c| c.is_ascii_alphabetic()) {
        return Err(format!(
            "{text:?} is an IANA time zone name: tessera has no time zone database (use \"UTC\" or a fixed offset like \"+02:00\")"
        ));
    }
    Err(format!(
        "{text:?} is not a time zone (expected \"UTC\" or a fixed offset like \"+02:00\")"
    ))
}

/// Parses an instant for the `date` matcher: RFC 3339, or (as Pomerium's examples write it)
/// a date-time without an offset, read as UTC.
pub(crate) fn parse_instant(text: &str) -> Result<UnixTime, String> {
    match UnixTime::parse_rfc3339(text) {
        Ok(t) => Ok(t),
        Err(e) => {
            let no_offset = text.len() >= 19
                && text
                    .get(19..)
                    .is_some_and(|rest| !rest.contains(['Z', 'z', '+']) && !rest.contains('-'));
            if no_offset {
                if let Ok(t) = UnixTime::parse_rfc3339(&format!("{text}Z")) {
                    return Ok(t);
                }
            }
            Err(e.to_string())
        }
    }
}

const DAYS: [(&str, &str); 7] = [
    ("sun", "sunday"),
    ("mon", "monday"),
    ("tue", "tuesday"),
    ("wed", "wednesday"),
    ("thu", "thursday"),
    ("fri", "friday"),
    ("sat", "saturday"),
];

fn day(text: &str) -> Option<u32> {
    let t = text.trim().to_ascii_lowercase();
    DAYS.iter()
        .position(|(short, long)| t == *short || t == *long)
        .and_then(|i| u32::try_from(i).ok())
}

/// Parses a day-of-week matcher: `*`, a day (`mon`, `monday`), a range (`mon-fri`, which may
/// wrap: `fri-mon`), or a comma-separated list of days and ranges. Returns a bit set, bit 0 =
/// Sunday.
pub(crate) fn parse_days(text: &str) -> Result<u8, String> {
    if text.trim() == "*" {
        return Ok(0x7f);
    }
    let mut set = 0u8;
    for part in text.split(',') {
        let bad = || {
            format!(
                "{text:?} is not a day-of-week matcher (expected \"*\", days like \"mon,wed\" or a range like \"mon-fri\")"
            )
        };
        match part.split_once('-') {
            Some((from, to)) => {
                // INVARIANT: `day` returns a position in `DAYS` (0..7), so every shift below
                // stays within a u8 and the walk from `from` reaches `to` within 7 steps.
                let (from, to) = (day(from).ok_or_else(bad)?, day(to).ok_or_else(bad)?);
                let mut d = from;
                loop {
                    set |= 1 << d;
                    if d == to {
                        break;
                    }
                    d = (d + 1) % 7;
                }
            }
            None => set |= 1 << day(part).ok_or_else(bad)?,
        }
    }
    Ok(set)
}

/// Parses a time of day in the layouts Pomerium accepts (Go's `3:04 PM`, `3:04PM`, `3 PM`,
/// `3PM`, `15:04:05.999999999`, `15:04:05`, `15:04`) into seconds since midnight; fractions
/// of a second are dropped.
pub(crate) fn parse_time_of_day(text: &str) -> Result<u32, String> {
    let bad = || {
        format!(
            "{text:?} is not a time of day (expected e.g. \"15:04\", \"15:04:05\", \"3:04 PM\" or \"3PM\")"
        )
    };
    let t = text.trim();
    let upper = t.to_ascii_uppercase();
    let (clock, meridiem) = if let Some(rest) = upper.strip_suffix("PM") {
        (rest.trim_end(), Some(12))
    } else if let Some(rest) = upper.strip_suffix("AM") {
        (rest.trim_end(), Some(0))
    } else {
        (upper.as_str(), None)
    };
    let mut fields = clock.splitn(3, ':');
    let num = |s: Option<&str>, max: u32| -> Option<u32> {
        let s = s?;
        if s.is_empty() || s.len() > 2 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        s.parse::<u32>().ok().filter(|n| *n <= max)
    };
    let hour_text = fields.next();
    let minute_text = fields.next();
    let second_text = fields.next();
    let (hour, minute, second) = match meridiem {
        Some(add) => {
            if second_text.is_some() {
                return Err(bad());
            }
            let h = num(hour_text, 12).filter(|h| *h >= 1).ok_or_else(bad)?;
            let m = match minute_text {
                Some(m) => num(Some(m), 59).filter(|_| m.len() == 2).ok_or_else(bad)?,
                None => 0,
            };
            (h % 12 + add, m, 0)
        }
        None => {
            let h = num(hour_text, 23).ok_or_else(bad)?;
            let m = minute_text
                .filter(|m| m.len() == 2)
                .and_then(|m| num(Some(m), 59))
                .ok_or_else(bad)?;
            let s = match second_text {
                None => 0,
                Some(s) => {
                    let (whole, frac) = s.split_once('.').unwrap_or((s, "0"));
                    if frac.is_empty()
                        || frac.len() > 9
                        || !frac.bytes().all(|b| b.is_ascii_digit())
                    {
                        return Err(bad());
                    }
                    num(Some(whole), 59)
                        .filter(|_| whole.len() == 2)
                        .ok_or_else(bad)?
                }
            };
            (h, m, s)
        }
    };
    Ok(hour * 3600 + minute * 60 + second)
}

/// `HH:MM:SS` of a second of the day, for explanations.
pub(crate) fn format_time_of_day(second: u32) -> String {
    format!(
        "{:02}:{:02}:{:02}",
        second / 3600,
        second / 60 % 60,
        second % 60
    )
}

/// The names of the days in a set, for explanations.
pub(crate) fn format_days(set: u8) -> String {
    if set == 0x7f {
        return "*".to_string();
    }
    DAYS.iter()
        .enumerate()
        .filter(|(i, _)| set & (1 << i) != 0)
        .map(|(_, (short, _))| *short)
        .collect::<Vec<_>>()
        .join(",")
}

/// `UTC` or `+HH:MM`, for explanations.
pub(crate) fn format_offset(offset: i64) -> String {
    if offset == 0 {
        return "UTC".to_string();
    }
    let sign = if offset < 0 { '-' } else { '+' };
    let a = offset.abs();
    format!("{sign}{:02}:{:02}", a / 3600, a / 60 % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_zones_are_utc_or_fixed_offsets() {
        assert_eq!(parse_timezone("UTC"), Ok(0));
        assert_eq!(parse_timezone("+02:00"), Ok(7200));
        assert_eq!(parse_timezone("-07:30"), Ok(-27000));
        assert_eq!(
            parse_timezone("America/Phoenix"),
            Err("\"America/Phoenix\" is an IANA time zone name: tessera has no time zone database (use \"UTC\" or a fixed offset like \"+02:00\")".to_string())
        );
        assert_eq!(
            parse_timezone("+2"),
            Err(
                "\"+2\" is not a time zone (expected \"UTC\" or a fixed offset like \"+02:00\")"
                    .to_string()
            )
        );
    }

    #[test]
    fn days_of_week_lists_ranges_and_star() {
        let cases = [
            ("*", 0x7f),
            ("mon", 0b10),
            ("Monday", 0b10),
            ("mon,wed,fri", 0b10_1010),
            ("mon-fri", 0b11_1110),
            ("tue-fri", 0b11_1100),
            ("fri-mon", 0b110_0011),
            ("sat-sun,wed", 0b100_1001),
        ];
        for (text, want) in cases {
            assert_eq!(parse_days(text), Ok(want), "{text}");
        }
        for bad in ["", "mon-", "funday", "mon;tue"] {
            assert!(parse_days(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn times_of_day_in_gos_layouts() {
        let cases = [
            ("15:04", 15 * 3600 + 4 * 60),
            ("15:04:05", 15 * 3600 + 4 * 60 + 5),
            ("15:04:05.999999999", 15 * 3600 + 4 * 60 + 5),
            ("3:04 PM", 15 * 3600 + 4 * 60),
            ("3:04PM", 15 * 3600 + 4 * 60),
            ("3 PM", 15 * 3600),
            ("3PM", 15 * 3600),
            ("12 AM", 0),
            ("12:30 PM", 12 * 3600 + 30 * 60),
            ("09:00", 9 * 3600),
            ("2:20:00", 2 * 3600 + 20 * 60),
        ];
        for (text, want) in cases {
            assert_eq!(parse_time_of_day(text), Ok(want), "{text}");
        }
        for bad in ["24:00", "13 PM", "0 AM", "9", "9:5", "noon", "10:00:61"] {
            assert!(parse_time_of_day(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn dates_are_rfc3339_or_utc_without_offset() {
        assert_eq!(
            parse_instant("2020-01-02T16:20:00Z"),
            parse_instant("2020-01-02T16:20:00")
        );
        assert_eq!(
            parse_instant("2020-01-02T18:20:00+02:00"),
            parse_instant("2020-01-02T16:20:00")
        );
        assert!(parse_instant("tomorrow").is_err());
    }
}
