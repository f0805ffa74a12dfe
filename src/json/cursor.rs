//! A position in a JSON text and the small steps of the readers that use it (the bundle,
//! `bundle/scan.rs` with the typed steps of `steps.rs`, and token headers and claims,
//! `token/object.rs`). Each step reads only what it is sure serde_json reads the same way and
//! otherwise gives up ([`GiveUp`]): the token reader then hands the text to serde_json (the
//! same outcome, only slower), the bundle reader names the problem or asks serde_json where
//! the text stops being JSON.

use std::borrow::Cow;

/// The reader met something it leaves to serde_json.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct GiveUp;

/// What a step reads, or [`GiveUp`].
pub(crate) type Read<T> = Result<T, GiveUp>;

/// What reads the value of an object's member, given its name.
pub(crate) type Member<'c, 'a, E> = dyn FnMut(&mut Cursor<'a>, Name<'a, '_>) -> Result<(), E> + 'c;

/// A member's name: a slice of the text, or decoded from its escapes into a buffer the
/// object's reader makes for that member (rare). Copied, never dropped: a name costs its reader
/// no call to make or free.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Name<'a, 'k> {
    /// Spelled without escapes: the text's own.
    Plain(&'a str),
    /// Decoded as serde_json decodes escapes.
    Decoded(&'k str),
}

impl Name<'_, '_> {
    /// The name.
    #[inline(always)]
    pub(crate) fn as_str(&self) -> &str {
        match *self {
            Name::Plain(s) | Name::Decoded(s) => s,
        }
    }
}

impl<'a> Name<'a, '_> {
    /// The name, borrowed from the text when it can be.
    pub(crate) fn to_cow(self) -> Cow<'a, str> {
        match self {
            Name::Plain(s) => Cow::Borrowed(s),
            Name::Decoded(s) => Cow::Owned(s.to_owned()),
        }
    }
}

impl std::ops::Deref for Name<'_, '_> {
    type Target = str;

    #[inline(always)]
    fn deref(&self) -> &str {
        self.as_str()
    }
}

/// A position in the text.
#[derive(Debug)]
pub(crate) struct Cursor<'a> {
    /// The whole text.
    pub(crate) text: &'a str,
    /// The byte offset of the next thing to read.
    pub(crate) at: usize,
}

impl<'a> Cursor<'a> {
    pub(crate) fn new(text: &'a str) -> Cursor<'a> {
        Cursor { text, at: 0 }
    }

    // The small steps are always inlined: the release profile optimizes for size, and would
    // otherwise make each a call per byte of punctuation.
    #[inline(always)]
    pub(crate) fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    /// Skips JSON whitespace (as serde_json: space, tab, line feed, carriage return).
    #[inline(always)]
    pub(crate) fn ws(&mut self) {
        if matches!(self.peek(), Some(b' ' | b'\n' | b'\t' | b'\r')) {
            self.skip_ws();
        }
    }

    fn skip_ws(&mut self) {
        let rest = self.text.as_bytes().get(self.at..).unwrap_or_default();
        let n = rest
            .iter()
            .position(|b| !matches!(b, b' ' | b'\n' | b'\t' | b'\r'))
            .unwrap_or(rest.len());
        self.at += n;
    }

    /// Skips whitespace, then `byte`.
    #[inline(always)]
    pub(crate) fn eat(&mut self, byte: u8) -> Read<()> {
        self.ws();
        if self.peek().is_none_or(|b| b != byte) {
            return Err(GiveUp);
        }
        self.at += 1;
        Ok(())
    }

    /// Skips whitespace, then takes `literal` if it is next.
    pub(crate) fn literal(&mut self, literal: &str) -> bool {
        self.ws();
        let next = self.text.as_bytes().get(self.at..self.at + literal.len());
        if next != Some(literal.as_bytes()) {
            return false;
        }
        self.at += literal.len();
        true
    }

    /// A string: `Ok` its text when it has no escapes, `Err` its raw contents otherwise.
    pub(crate) fn raw_string(&mut self) -> Read<Result<&'a str, &'a str>> {
        self.eat(b'"')?;
        let start = self.at;
        let bytes = self.text.as_bytes();
        let rest = bytes.get(start..).ok_or(GiveUp)?;
        let len = special(rest).ok_or(GiveUp)?;
        if matches!(rest.get(len), Some(b'"')) {
            self.at = start + len + 1;
            return self.text.get(start..start + len).map(Ok).ok_or(GiveUp);
        }
        let end = string_end(bytes, start)?;
        self.at = end;
        self.text.get(start..end - 1).map(Err).ok_or(GiveUp)
    }

    /// A string without escapes (a key, a kind).
    pub(crate) fn string(&mut self) -> Read<&'a str> {
        self.raw_string()?.map_err(|_| GiveUp)
    }

    /// An unsigned integer of at most `max`, written as serde_json reads one: digits without
    /// a leading zero, no sign, fraction or exponent.
    pub(crate) fn unsigned(&mut self, max: u64) -> Read<u64> {
        self.ws();
        let rest = self.text.as_bytes().get(self.at..).unwrap_or_default();
        let len = rest
            .iter()
            .position(|b| !b.is_ascii_digit())
            .unwrap_or(rest.len());
        let digits = rest.get(..len).ok_or(GiveUp)?;
        if len == 0 || (len > 1 && matches!(digits.first(), Some(b'0'))) {
            return Err(GiveUp);
        }
        if matches!(rest.get(len), Some(b'.' | b'e' | b'E')) {
            return Err(GiveUp);
        }
        // Up to 19 digits cannot overflow (10^19 - 1 < u64::MAX): wrapping arithmetic, which
        // never wraps here, without the overflow checks that wasm32 makes a call to a 128-bit
        // multiplication for each digit. Longer numbers take the checked steps.
        let mut n: u64 = 0;
        if len <= 19 {
            for d in digits {
                n = n.wrapping_mul(10).wrapping_add(u64::from(d - b'0'));
            }
        } else {
            for d in digits {
                n = n
                    .checked_mul(10)
                    .and_then(|n| n.checked_add(u64::from(d - b'0')))
                    .ok_or(GiveUp)?;
            }
        }
        if n > max {
            return Err(GiveUp);
        }
        self.at += len;
        Ok(n)
    }

    /// An object: `field` reads the value of each key (a key with escapes decoded as serde_json
    /// decodes them). Generic over the error, so that a reader can stop with a reason of its
    /// own (the bundle's) as well as give up.
    pub(crate) fn object<E: From<GiveUp>>(
        &mut self,
        field: &mut Member<'_, 'a, E>,
    ) -> Result<(), E> {
        self.sequence(b'{', b'}', |c, _| {
            let decoded: String;
            let key = match c.raw_string()? {
                Ok(plain) => Name::Plain(plain),
                // Rare: a name with escapes.
                Err(raw) => {
                    decoded = unescape(raw)?;
                    Name::Decoded(&decoded)
                }
            };
            c.eat(b':')?;
            field(c, key)
        })
    }

    /// An array: `item` reads each item, given its index.
    pub(crate) fn array<E: From<GiveUp>>(
        &mut self,
        item: &mut dyn FnMut(&mut Self, usize) -> Result<(), E>,
    ) -> Result<(), E> {
        self.sequence(b'[', b']', item)
    }

    /// What `open` and `close` delimit, its members separated by commas: `member` reads each,
    /// given its index.
    fn sequence<E: From<GiveUp>>(
        &mut self,
        open: u8,
        close: u8,
        mut member: impl FnMut(&mut Self, usize) -> Result<(), E>,
    ) -> Result<(), E> {
        self.eat(open)?;
        self.ws();
        if self.peek() == Some(close) {
            self.at += 1;
            return Ok(());
        }
        let mut i = 0;
        loop {
            member(self, i)?;
            i += 1;
            self.ws();
            match self.peek() {
                Some(b',') => self.at += 1,
                Some(b) if b == close => {
                    self.at += 1;
                    return Ok(());
                }
                _ => return Err(GiveUp.into()),
            }
        }
    }

    /// The text of the next value, passed over without reading it. Only its extent is found
    /// (strings, brackets, at any depth, without recursion): whoever reads the text checks it
    /// (serde_json, within its own limit of 128 levels, or a typed step).
    pub(crate) fn skip(&mut self) -> Read<&'a str> {
        self.ws();
        let start = self.at;
        let bytes = self.text.as_bytes();
        let mut at = start;
        let mut depth: usize = 0;
        loop {
            let b = *bytes.get(at).ok_or(GiveUp)?;
            at += 1;
            match b {
                b'"' => at = string_end(bytes, at)?,
                b'{' | b'[' => depth += 1,
                b'}' | b']' => depth = depth.checked_sub(1).ok_or(GiveUp)?,
                b',' | b':' if depth == 0 => return Err(GiveUp),
                _ if depth == 0 => {
                    // A number or a literal: up to the next delimiter.
                    let rest = bytes.get(at..).unwrap_or_default();
                    let delimiter =
                        |b: &u8| matches!(b, b',' | b'}' | b']' | b' ' | b'\n' | b'\t' | b'\r');
                    at += rest.iter().position(delimiter).unwrap_or(rest.len());
                }
                _ => {}
            }
            if depth == 0 {
                break;
            }
        }
        self.at = at;
        self.text.get(start..at).ok_or(GiveUp)
    }
}

/// The position of the first `"`, `\\` or control character of `bytes`: what ends the plain
/// run of a string. Eight bytes at a time (a word on wasm32 too), the rest one by one.
pub(crate) fn special(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let is_special = |b: &u8| matches!(b, b'"' | b'\\') || *b < 0x20;
    let (words, tail) = bytes.as_chunks::<8>();
    for (i, word) in words.iter().enumerate() {
        let w = u64::from_le_bytes(*word);
        // The high bit of a byte of each mask is set where that byte is a control character,
        // a quote or a backslash (exactly, up to the first one: borrows only run upwards).
        let control = w.wrapping_sub(ONES * 0x20) & !w;
        let q = w ^ (ONES * u64::from(b'"'));
        let quote = q.wrapping_sub(ONES) & !q;
        let b = w ^ (ONES * u64::from(b'\\'));
        let backslash = b.wrapping_sub(ONES) & !b;
        let found = (control | quote | backslash) & HIGH;
        if found != 0 {
            return Some(i * 8 + (found.trailing_zeros() / 8) as usize);
        }
    }
    let done = bytes.len() - tail.len();
    tail.iter().position(is_special).map(|n| done + n)
}

/// Where the string whose contents begin at `at` ends (after its closing quote), escapes
/// passed over.
pub(crate) fn string_end(bytes: &[u8], mut at: usize) -> Read<usize> {
    loop {
        match *bytes.get(at).ok_or(GiveUp)? {
            b'"' => return Ok(at + 1),
            b'\\' => at += 2,
            _ => at += 1,
        }
    }
}

/// Decodes the escapes of a string's contents as serde_json does; gives up where serde_json
/// refuses (an unknown escape, a lone surrogate, a control character).
pub(crate) fn unescape(raw: &str) -> Read<String> {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(backslash) = rest.find('\\') {
        let (plain, escape) = rest.split_at(backslash);
        if plain.bytes().any(|b| b < 0x20) {
            return Err(GiveUp);
        }
        out.push_str(plain);
        let mut chars = escape.chars().skip(1);
        let decoded = match chars.next().ok_or(GiveUp)? {
            '"' => '"',
            '\\' => '\\',
            '/' => '/',
            'b' => '\u{8}',
            'f' => '\u{c}',
            'n' => '\n',
            'r' => '\r',
            't' => '\t',
            'u' => {
                let high = hex4(escape.get(2..6))?;
                if (0xdc00..0xe000).contains(&high) {
                    return Err(GiveUp);
                }
                if (0xd800..0xdc00).contains(&high) {
                    if escape.get(6..8) != Some("\\u") {
                        return Err(GiveUp);
                    }
                    let low = hex4(escape.get(8..12))?;
                    if !(0xdc00..0xe000).contains(&low) {
                        return Err(GiveUp);
                    }
                    let c = 0x10000 + ((high - 0xd800) << 10) + (low - 0xdc00);
                    out.push(char::from_u32(c).ok_or(GiveUp)?);
                    rest = escape.get(12..).ok_or(GiveUp)?;
                    continue;
                }
                out.push(char::from_u32(high).ok_or(GiveUp)?);
                rest = escape.get(6..).ok_or(GiveUp)?;
                continue;
            }
            _ => return Err(GiveUp),
        };
        out.push(decoded);
        rest = escape.get(2..).ok_or(GiveUp)?;
    }
    if rest.bytes().any(|b| b < 0x20) {
        return Err(GiveUp);
    }
    out.push_str(rest);
    Ok(out)
}

/// Four hex digits.
pub(crate) fn hex4(digits: Option<&str>) -> Read<u32> {
    let digits = digits.ok_or(GiveUp)?;
    if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(GiveUp);
    }
    u32::from_str_radix(digits, 16).map_err(|_| GiveUp)
}

#[cfg(test)]
mod tests {
    use rand::{Rng, SeedableRng};

    use super::*;

    #[test]
    fn the_end_of_a_plain_run_is_found_word_by_word_as_byte_by_byte() {
        let naive = |bytes: &[u8]| {
            bytes
                .iter()
                .position(|b| matches!(b, b'"' | b'\\') || *b < 0x20)
        };
        let alphabet = [
            b'a', b'"', b'\\', 0, 0x1f, 0x20, 0x21, 0x7f, 0x80, 0xc3, 0xff, b'0',
        ];
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        for _ in 0..20_000 {
            let len = rng.gen_range(0..40);
            let bytes: Vec<u8> = (0..len)
                .map(|_| match rng.gen_range(0..4) {
                    0 => alphabet[rng.gen_range(0..alphabet.len())],
                    _ => rng.gen_range(b'a'..=b'z'),
                })
                .collect();
            assert_eq!(special(&bytes), naive(&bytes), "{bytes:?}");
        }
    }

    #[test]
    fn unsigned_integers_read_to_the_last_value_of_u64_and_no_further() {
        let read = |text: &str, max: u64| {
            let mut c = Cursor::new(text);
            c.unsigned(max).ok().filter(|_| c.at == text.len())
        };
        for (text, want) in [
            ("0", Some(0)),
            ("7", Some(7)),
            ("1795390090", Some(1_795_390_090)),
            // The longest run read without overflow checks, and the first with them.
            ("9999999999999999999", Some(9_999_999_999_999_999_999)),
            ("10000000000000000000", Some(10_000_000_000_000_000_000)),
            ("18446744073709551615", Some(u64::MAX)),
            ("18446744073709551616", None),
            ("99999999999999999999", None),
            ("01", None),
            ("", None),
        ] {
            assert_eq!(read(text, u64::MAX), want, "{text}");
        }
        assert_eq!(read("1001", 1000), None);
        assert_eq!(read("1000", 1000), Some(1000));
    }

    #[test]
    fn escapes_decode_as_in_json() {
        assert_eq!(
            unescape(r#"a\"b\\c\/d\b\f\n\r\t"#),
            Ok("a\"b\\c/d\u{8}\u{c}\n\r\t".into())
        );
        assert_eq!(unescape(r"\u00fc\ud83d\ude00"), Ok("ü😀".into()));
        for bad in [
            r"\x",
            r"\u12",
            r"\ud800",
            r"\ud800\u0041",
            r"\udc00",
            "a\u{1}",
            r"\",
        ] {
            assert_eq!(unescape(bad), Err(GiveUp), "{bad}");
        }
    }
}
