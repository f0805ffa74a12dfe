//! A string of a JSON text: borrowed from the text when the JSON spells it without escapes,
//! owned when it had to be decoded.

use std::borrow::Cow;
use std::fmt;
use std::ops::Deref;

/// A string of the text: borrowed from it when the JSON spells it without escapes.
/// Formats as the string itself (`{:?}` quotes it as `str` does, for problem messages).
#[derive(Clone, Default, PartialEq, Eq)]
pub(crate) struct Str<'a>(Cow<'a, str>);

impl fmt::Debug for Str<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl fmt::Display for Str<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Deref for Str<'_> {
    type Target = str;

    // Always inlined: every check reads these strings, and the release profile optimizes for
    // size, which otherwise leaves this a call (a tenth of a wasm load's validation time).
    #[inline(always)]
    fn deref(&self) -> &str {
        match &self.0 {
            Cow::Borrowed(s) => s,
            Cow::Owned(s) => s,
        }
    }
}

impl<'a> Str<'a> {
    /// A string of the input.
    pub(crate) fn borrowed(s: &'a str) -> Str<'a> {
        Str(Cow::Borrowed(s))
    }

    /// A string decoded from the input.
    pub(crate) fn owned(s: String) -> Str<'a> {
        Str(Cow::Owned(s))
    }
}

impl<'a> From<&'a String> for Str<'a> {
    fn from(s: &'a String) -> Str<'a> {
        Str(Cow::Borrowed(s))
    }
}
