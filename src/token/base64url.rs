//! base64url without padding (RFC 7515 §2), decoded strictly: only the 64 URL-safe characters,
//! no `=`, no whitespace, and the unused low bits of the last character zero, exactly as the
//! `base64` crate's `URL_SAFE_NO_PAD` engine accepts it (a test compares the two); and encoded.
//! Also the standard alphabet with or without its padding (a bundle's shared secrets), as the
//! crate's `STANDARD` and `STANDARD_NO_PAD` engines take it. With these the wasm module has no
//! copy of the crate (7 KB of it).
//!
//! Ours because every token's three parts go through it: the crate's general engine, built at
//! the module's `opt-level = "z"`, took a fifth of a first-time token's own work in wasm. This
//! one reads four characters through a table and writes three bytes into a buffer sized once.

use std::fmt;

/// Why a text is not base64url without padding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Base64Error {
    /// A character outside the alphabet, at a byte offset.
    InvalidCharacter {
        /// The byte.
        byte: u8,
        /// Its offset in the text.
        offset: usize,
    },
    /// A length no encoding has (one character past a multiple of four).
    InvalidLength(usize),
    /// The last character has bits set that encode nothing (not the canonical encoding).
    NonCanonicalEnd {
        /// The offset of the last character.
        offset: usize,
    },
}

impl fmt::Display for Base64Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Base64Error::InvalidCharacter { byte, offset } => {
                write!(
                    f,
                    "invalid character {:?} at offset {offset}",
                    *byte as char
                )
            }
            Base64Error::InvalidLength(n) => write!(f, "invalid length {n}"),
            Base64Error::NonCanonicalEnd { offset } => {
                write!(
                    f,
                    "the last character (offset {offset}) has unused bits set"
                )
            }
        }
    }
}

/// Not a sextet: the table's mark for characters outside the alphabet.
const NONE: u8 = 0xff;

/// The alphabet, by sextet.
const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Each byte's sextet, or `NONE`.
const SEXTETS: [u8; 256] = {
    let mut table = [NONE; 256];
    let mut i = 0;
    while i < 64 {
        table[ALPHABET[i] as usize] = i as u8;
        i += 1;
    }
    table
};

/// Decodes base64url without padding.
pub fn decode(text: &str) -> Result<Vec<u8>, Base64Error> {
    decode_bytes(text.as_bytes())
}

/// [`decode`] of the text's bytes.
fn decode_bytes(input: &[u8]) -> Result<Vec<u8>, Base64Error> {
    if input.len() % 4 == 1 {
        return Err(Base64Error::InvalidLength(input.len()));
    }
    let (quads, tail) = input.as_chunks::<4>();
    let tail_bytes = tail.len().saturating_sub(1);
    let mut out = vec![0u8; quads.len() * 3 + tail_bytes];
    let (triples, out_tail) = out.as_chunks_mut::<3>();
    let bad = |offset: usize| Base64Error::InvalidCharacter {
        byte: input[offset],
        offset,
    };
    // An indexed loop on plain values: at `opt-level = "z"` iterator adapters and
    // `array::map` stay calls, which made this loop several times slower.
    let mut k = 0;
    while k < quads.len() && k < triples.len() {
        let q = quads[k];
        let (a, b, c, d) = (
            SEXTETS[q[0] as usize],
            SEXTETS[q[1] as usize],
            SEXTETS[q[2] as usize],
            SEXTETS[q[3] as usize],
        );
        // `NONE` has the high bits set, which no sextet has.
        if (a | b | c | d) & 0xc0 != 0 {
            let at = q.iter().position(|c| SEXTETS[usize::from(*c)] == NONE);
            return Err(bad(k * 4 + at.unwrap_or(0)));
        }
        let n = (u32::from(a) << 18) | (u32::from(b) << 12) | (u32::from(c) << 6) | u32::from(d);
        triples[k] = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        k += 1;
    }
    if tail.is_empty() {
        return Ok(out);
    }
    let start = quads.len() * 4;
    let mut n = 0u32;
    for (i, c) in tail.iter().enumerate() {
        let s = SEXTETS[usize::from(*c)];
        if s == NONE {
            return Err(bad(start + i));
        }
        n |= u32::from(s) << (18 - 6 * i);
    }
    // Two characters carry one byte (4 bits unused), three carry two (2 bits unused).
    let unused = if tail.len() == 2 { 0xffff } else { 0xff };
    if n & unused != 0 {
        return Err(Base64Error::NonCanonicalEnd {
            offset: start + tail.len() - 1,
        });
    }
    for (i, byte) in out_tail.iter_mut().enumerate() {
        *byte = (n >> (16 - 8 * i)) as u8;
    }
    Ok(out)
}

/// Encodes base64url without padding.
pub fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[(n >> (18 - 6 * i)) as usize & 63]));
        }
    }
    out
}

/// Decodes the standard alphabet (`+`, `/`), padded with `=` to a multiple of four characters
/// or not padded at all.
pub fn decode_standard(text: &str) -> Result<Vec<u8>, Base64Error> {
    let bytes = text.as_bytes();
    let unpadded = match bytes {
        [.., b'=', b'='] if bytes.len().is_multiple_of(4) => &bytes[..bytes.len() - 2],
        [.., b'='] if bytes.len().is_multiple_of(4) => &bytes[..bytes.len() - 1],
        _ => bytes,
    };
    let mut url = Vec::with_capacity(unpadded.len());
    for (offset, byte) in unpadded.iter().enumerate() {
        url.push(match byte {
            b'+' => b'-',
            b'/' => b'_',
            b'-' | b'_' | b'=' => {
                return Err(Base64Error::InvalidCharacter {
                    byte: *byte,
                    offset,
                })
            }
            other => *other,
        });
    }
    decode_bytes(&url)
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine as _;
    use rand::{Rng, SeedableRng};

    #[test]
    fn round_trips_every_length_and_byte() {
        let bytes: Vec<u8> = (0..=255u8).chain((0..=255u8).rev()).collect();
        for len in 0..bytes.len() {
            let encoded = URL_SAFE_NO_PAD.encode(&bytes[..len]);
            assert_eq!(decode(&encoded).unwrap(), &bytes[..len], "{len}");
        }
    }

    #[test]
    fn refuses_what_the_base64_crate_refuses_and_nothing_else() {
        // Random texts over the alphabet plus the characters a wrong encoder would use.
        let chars = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/= .\n";
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        for _ in 0..20_000 {
            let len = rng.gen_range(0..14);
            let text: String = (0..len)
                .map(|_| {
                    // Mostly valid characters, so that many texts decode.
                    let pick = if rng.gen_bool(0.9) { 64 } else { chars.len() };
                    chars[rng.gen_range(0..pick)] as char
                })
                .collect();
            let ours = decode(&text);
            let theirs = URL_SAFE_NO_PAD.decode(&text);
            assert_eq!(
                ours.is_ok(),
                theirs.is_ok(),
                "{text:?}: {ours:?} vs {theirs:?}"
            );
            if let (Ok(a), Ok(b)) = (ours, theirs) {
                assert_eq!(a, b, "{text:?}");
            }
        }
    }

    #[test]
    fn encodes_as_the_base64_crate_does() {
        let bytes: Vec<u8> = (0..=255u8).chain((0..=255u8).rev()).collect();
        for len in 0..bytes.len() {
            assert_eq!(
                encode(&bytes[..len]),
                URL_SAFE_NO_PAD.encode(&bytes[..len]),
                "{len}"
            );
        }
    }

    #[test]
    fn the_standard_alphabet_is_read_as_the_base64_crate_reads_it_padded_or_not() {
        use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
        let chars = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_= .";
        let mut rng = rand::rngs::StdRng::seed_from_u64(11);
        let (mut read, mut refused) = (0, 0);
        for _ in 0..40_000 {
            let len = rng.gen_range(0..14);
            let mut text: String = (0..len)
                .map(|_| {
                    let pick = if rng.gen_bool(0.95) { 64 } else { chars.len() };
                    chars[rng.gen_range(0..pick)] as char
                })
                .collect();
            if rng.gen_bool(0.3) {
                text.push_str(["=", "=="][rng.gen_range(0..2)]);
            }
            let ours = decode_standard(&text);
            let theirs = STANDARD
                .decode(&text)
                .or_else(|_| STANDARD_NO_PAD.decode(&text));
            assert_eq!(
                ours.is_ok(),
                theirs.is_ok(),
                "{text:?}: {ours:?} vs {theirs:?}"
            );
            if let (Ok(a), Ok(b)) = (&ours, &theirs) {
                assert_eq!(a, b, "{text:?}");
                read += 1;
            } else {
                refused += 1;
            }
        }
        assert!(
            read > 5_000 && refused > 5_000,
            "read {read}, refused {refused}"
        );
        assert_eq!(
            decode_standard("ab-d").unwrap_err().to_string(),
            "invalid character '-' at offset 2"
        );
    }

    #[test]
    fn errors_say_what_and_where() {
        assert_eq!(decode("abcde").unwrap_err().to_string(), "invalid length 5");
        assert_eq!(
            decode("ab+d").unwrap_err().to_string(),
            "invalid character '+' at offset 2"
        );
        assert_eq!(
            decode("abcdef=").unwrap_err().to_string(),
            "invalid character '=' at offset 6"
        );
        assert_eq!(
            decode("QR").unwrap_err(),
            Base64Error::NonCanonicalEnd { offset: 1 }
        );
        assert_eq!(decode("QQ").unwrap(), b"A");
    }
}
