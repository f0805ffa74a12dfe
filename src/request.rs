//! HTTP requests as the route policies see them.

use foldhash::{HashMap, HashMapExt};
use std::net::IpAddr;

use crate::json::cursor::Cursor;
use crate::json::steps::{self, required, set};

/// Why a request could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RequestError {
    /// The URL is not `http(s)://host[:port][/path][?query]`.
    #[error("url: {url:?} is not an absolute http(s) URL: {why}")]
    BadUrl {
        /// The URL given.
        url: String,
        /// What is wrong.
        why: &'static str,
    },
    /// The method is not an HTTP token.
    #[error("method: {0:?} is not an HTTP method")]
    BadMethod(String),
    /// The source address is not an IP address.
    #[error("source_ip: {0:?} is not an IP address")]
    BadSourceIp(String),
    /// A host given on its own is not `name[:port]` or `[v6][:port]`.
    #[error("host: {0:?} is not a host name or address with an optional port")]
    BadHost(String),
    /// A path given on its own does not start with '/'.
    #[error("path: {0:?} does not start with '/'")]
    BadPath(String),
    /// The URL is longer than a request line may be here.
    #[error("url: {length} bytes (at most {max})")]
    UrlTooLong {
        /// Its length.
        length: usize,
        /// The most taken.
        max: usize,
    },
    /// A scheme given on its own is not `http` or `https`.
    #[error("scheme: {0:?} is not http or https")]
    BadScheme(String),
}

/// An HTTP request: method, host, path and the headers that may carry a token.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HttpRequest {
    /// Upper-case method.
    pub method: String,
    /// Lower-case host, with `:port` if the URL had one.
    pub host: String,
    /// The path as routes and policies see it: starting with '/', without query or fragment,
    /// percent-decoded and with its dot segments removed (see [`HttpRequest::new`]).
    pub path: String,
    /// Headers by lower-case name.
    pub headers: HashMap<String, String>,
    /// The client's address, if known.
    pub source_ip: Option<IpAddr>,
}

impl HttpRequest {
    /// Reads a request from a method and an absolute URL.
    ///
    /// The path is read as Pomerium reads it behind Envoy: normalized as Envoy does (RFC 3986:
    /// escapes of unreserved characters decoded, dot segments removed), then every escape
    /// decoded, as Pomerium's authorize service does, so that `/%61dmin`, `/./admin` and
    /// `/public/../admin` are all `/admin` to a route's `prefix` and to `http_path`. Beyond
    /// Pomerium, no path is judged that servers route differently: repeated slashes are merged
    /// (as nginx does), and refused are a path whose slashes and dot segments lead elsewhere
    /// merged first than not, a dot segment made by encoded slashes or with a `;` parameter, and
    /// a backslash. The host must be a host name or address with an optional port (no user
    /// part). A URL over 16 KB, a `%` not followed by two hex digits, or decoded bytes that are
    /// not UTF-8 make the URL bad too.
    pub fn new(method: &str, url: &str) -> Result<HttpRequest, RequestError> {
        if method.is_empty()
            || !method
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
        {
            return Err(RequestError::BadMethod(method.into()));
        }
        if url.len() > MAX_URL_BYTES {
            return Err(RequestError::UrlTooLong {
                length: url.len(),
                max: MAX_URL_BYTES,
            });
        }
        let bad = |why| RequestError::BadUrl {
            url: url.into(),
            why,
        };
        let (scheme, rest) = url
            .split_once("://")
            .ok_or_else(|| bad("expected scheme://host"))?;
        if !is_http_scheme(scheme) {
            return Err(bad("the scheme must be http or https"));
        }
        // INVARIANT: `end` is the position of an ASCII character or the end, so `split_at`
        // cuts on a character boundary.
        // The authority ends where WHATWG's URL parser ends it (a backslash too, which it
        // reads as '/'), so that no server finds another host in it than the one judged here.
        let end = rest.find(['/', '?', '#', '\\']).unwrap_or(rest.len());
        let (host, tail) = rest.split_at(end);
        if host.is_empty() {
            return Err(bad("the host is empty"));
        }
        if host.contains('@') {
            return Err(bad(
                "a user part (user@host) is not taken in a request's URL",
            ));
        }
        if !is_host(host) {
            return Err(bad(
                "the host is not a host name or address with an optional port",
            ));
        }
        let path = tail.split(['?', '#']).next().unwrap_or_default();
        let path = if path.is_empty() { "/" } else { path };
        Ok(HttpRequest {
            method: method.to_ascii_uppercase(),
            host: host.to_ascii_lowercase(),
            path: canonical_path(path).map_err(bad)?,
            headers: HashMap::new(),
            source_ip: None,
        })
    }

    /// Reads a request from its parts, as a proxy has them (the `:scheme`, `:authority` and
    /// `:path` of Envoy, nginx's `$scheme`, `$host` and `$request_uri`): each is checked on its
    /// own first, so that no part can stand for another in the URL they make (a host
    /// `a.example.com@b.example.com`, or `b.example.com#`, is refused, not read as `b`).
    pub fn from_parts(
        method: &str,
        scheme: &str,
        host: &str,
        path: &str,
    ) -> Result<HttpRequest, RequestError> {
        if !is_http_scheme(scheme) {
            return Err(RequestError::BadScheme(scheme.into()));
        }
        if !is_host(host) {
            return Err(RequestError::BadHost(host.into()));
        }
        if !path.starts_with('/') {
            return Err(RequestError::BadPath(path.into()));
        }
        HttpRequest::new(method, &crate::names::concat(&[scheme, "://", host, path]))
    }

    /// Reads a whole request from JSON, as the wasm module's `checkRequest` takes it:
    /// `{"method", "url", "headers": {name: value}, "sourceIp"}` (`headers` and `sourceIp`
    /// optional; other members, such as a body, are passed over), or, in place of `url`, the
    /// parts `"host"`, `"path"` and an optional `"scheme"` (default `https`; see
    /// [`HttpRequest::from_parts`]). Two headers whose names
    /// differ only in case are refused: which of the two carries the token is not something a
    /// request may leave open. A shape error reads `request: <path>: <reason>`.
    pub fn from_json(text: &str) -> Result<HttpRequest, String> {
        let (method, target, headers, source_ip) = steps::whole(text, |c| {
            let (mut method, mut url, mut headers, mut source_ip) = (None, None, None, None);
            let (mut scheme, mut host, mut path) = (None, None, None);
            let at = c.object_start()?;
            c.object(&mut |c, key| match &*key {
                "method" => set(c, &mut method, &key, Cursor::string_value),
                "url" => set(c, &mut url, &key, Cursor::string_value),
                "scheme" => set(c, &mut scheme, &key, Cursor::string_value),
                "host" => set(c, &mut host, &key, Cursor::string_value),
                "path" => set(c, &mut path, &key, Cursor::string_value),
                "headers" => set(c, &mut headers, &key, Cursor::string_map),
                "sourceIp" => set(c, &mut source_ip, &key, Cursor::optional_string),
                _ => c.json().map(|_| ()),
            })?;
            let parts = scheme.is_some() || path.is_some();
            let target = match (url, host) {
                (Some(url), None) if !parts => Target::Url(url),
                (None, Some(host)) => Target::Parts {
                    scheme: scheme.unwrap_or_else(|| "https".to_string()),
                    host,
                    path: required(path, at, "path")?,
                },
                (None, None) if !parts => return required(None, at, "url"),
                _ => return steps::shape(at, URL_OR_PARTS.into()),
            };
            Ok((
                required(method, at, "method")?,
                target,
                headers.unwrap_or_default(),
                source_ip.flatten(),
            ))
        })
        .map_err(|why| format!("request: {why}"))?;
        let read = match &target {
            Target::Url(url) => HttpRequest::new(&method, url),
            Target::Parts { scheme, host, path } => {
                HttpRequest::from_parts(&method, scheme, host, path)
            }
        };
        let mut http = read.map_err(|e| e.to_string())?;
        for (name, value) in headers {
            match http.headers.entry(name.to_ascii_lowercase()) {
                std::collections::hash_map::Entry::Occupied(_) => {
                    return Err(format!(
                        "request: headers.{name}: the header is given twice (names differ only in case)"
                    ));
                }
                std::collections::hash_map::Entry::Vacant(slot) => {
                    slot.insert(value);
                }
            }
        }
        match source_ip {
            Some(ip) => http.with_source_ip(&ip).map_err(|e| e.to_string()),
            None => Ok(http),
        }
    }

    /// Adds a header (the name is lower-cased).
    pub fn with_header(mut self, name: &str, value: &str) -> HttpRequest {
        self.headers
            .insert(name.to_ascii_lowercase(), value.to_string());
        self
    }

    /// Sets the client's address.
    pub fn with_source_ip(mut self, ip: &str) -> Result<HttpRequest, RequestError> {
        self.source_ip = Some(
            ip.trim()
                .parse()
                .map_err(|_| RequestError::BadSourceIp(ip.into()))?,
        );
        Ok(self)
    }

    /// The host without its port, for route matching.
    pub fn hostname(&self) -> &str {
        without_port(&self.host)
    }
}

/// `host` (`name`, `name:port`, `[v6]` or `[v6]:port`) without its port.
pub(crate) fn without_port(host: &str) -> &str {
    match host.rsplit_once(':') {
        Some((h, port)) if !h.ends_with(']') || h.starts_with('[') => {
            if port.bytes().all(|b| b.is_ascii_digit()) {
                h
            } else {
                host
            }
        }
        _ => host,
    }
}

/// What a JSON request that mixes `url` with its parts is told.
const URL_OR_PARTS: &str =
    "expected either `url`, or `host` and `path` (with an optional `scheme`)";

/// The longest URL a request may have (as a token may be at most 16 KB): a proxy takes 8 KB
/// by default (nginx), and a route's regex is matched in time in proportion to the path.
pub const MAX_URL_BYTES: usize = 16 * 1024;

/// Where a JSON request says it goes: a URL, or its parts.
enum Target {
    Url(String),
    Parts {
        scheme: String,
        host: String,
        path: String,
    },
}

/// Whether `scheme` is `http` or `https` (in any case): a request's, and a route's `from`'s.
pub(crate) fn is_http_scheme(scheme: &str) -> bool {
    scheme.eq_ignore_ascii_case("https") || scheme.eq_ignore_ascii_case("http")
}

/// `name[:port]` (letters, digits, `.`, `-`, `_`) or `[v6][:port]`: a request's host, and a
/// route's `from`.
pub(crate) fn is_host(host: &str) -> bool {
    let (name_ok, rest) = match host.strip_prefix('[') {
        Some(v6) => match v6.split_once(']') {
            Some((inside, rest)) => (
                !inside.is_empty()
                    && inside
                        .bytes()
                        .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.'),
                rest,
            ),
            None => return false,
        },
        None => {
            let (name, rest) = host.find(':').map_or((host, ""), |i| host.split_at(i));
            (
                !name.is_empty()
                    && name
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_')),
                rest,
            )
        }
    };
    let port_ok = rest.is_empty()
        || rest
            .strip_prefix(':')
            .is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()));
    name_ok && port_ok
}

/// `path` (which starts with '/') as routes and policies see it; see [`HttpRequest::new`].
fn canonical_path(path: &str) -> Result<String, &'static str> {
    if !path.contains(['%', '\\', ';']) && !path.contains("/.") && !path.contains("//") {
        return Ok(path.to_string());
    }
    // The escapes of unreserved characters decoded (RFC 3986's normalization, as Envoy's).
    let unreserved = percent_decoded(path, true)?;
    // Dot segments removed: Envoy removes them as the path is, nginx after merging repeated
    // slashes. Where the two orders disagree (`/x//../admin`), so do servers: refused.
    let normalized = merged_slashes(&without_dot_segments(&unreserved));
    if normalized != without_dot_segments(&merged_slashes(&unreserved)) {
        return Err(SLASHES_AND_DOTS);
    }
    // Every escape decoded, as Pomerium's authorize service reads the path.
    let decoded = merged_slashes(&percent_decoded(&normalized, false)?);
    // What servers read differently is refused: a backslash (a '/' to some, not to others),
    // and a dot segment only an encoded slash made, or one with a `;` parameter (`..;` is `..`
    // to Tomcat and Jetty).
    if decoded.contains('\\') {
        return Err(BACKSLASH);
    }
    let dotted = |s: &str| s == "." || s == ".." || s.starts_with(".;") || s.starts_with("..;");
    if decoded.split('/').any(dotted) {
        return Err(DOT_SEGMENT_MADE);
    }
    Ok(decoded)
}

/// `path` with each run of slashes made one (in one pass: the path is the client's, of any
/// length).
fn merged_slashes(path: &str) -> String {
    let mut previous = '\0';
    path.chars()
        .filter(|&c| {
            let keep = !(c == '/' && previous == '/');
            previous = c;
            keep
        })
        .collect()
}

/// Why a path whose repeated slashes and dot segments go one place by one reading and
/// another by the other is refused.
const SLASHES_AND_DOTS: &str =
    "repeated slashes next to a '..' segment take the path to one place merged first (nginx) and to another not (Envoy)";

/// Why a path with a backslash is refused.
const BACKSLASH: &str = "a backslash, plain or encoded, is a '/' to some servers and not to others";

/// Why a path whose encoded slashes make a dot segment, or with a `..;` segment, is refused.
const DOT_SEGMENT_MADE: &str =
    "an encoded slash makes a '.' or '..' segment, or a segment starts with '.;' or '..;' (servers read it differently)";

/// `%XX` escapes replaced by their bytes: every one, or (`unreserved_only`) those of RFC 3986's
/// unreserved characters (letters, digits, `-`, `.`, `_`, `~`), the others kept as written.
fn percent_decoded(path: &str, unreserved_only: bool) -> Result<String, &'static str> {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b != b'%' {
            out.push(b);
            i += 1;
            continue;
        }
        let hex = |k: usize| bytes.get(k).and_then(|d| char::from(*d).to_digit(16));
        let (Some(high), Some(low)) = (hex(i + 1), hex(i + 2)) else {
            return Err("a '%' in the path is not followed by two hex digits");
        };
        // Two hex digits make at most 255.
        let byte = u8::try_from(high * 16 + low).unwrap_or(u8::MAX);
        if unreserved_only && !(byte.is_ascii_alphanumeric() || b"-._~".contains(&byte)) {
            out.extend_from_slice(bytes.get(i..i + 3).unwrap_or_default());
        } else {
            out.push(byte);
        }
        i += 3;
    }
    String::from_utf8(out).map_err(|_| "the path's percent-encoded bytes are not UTF-8")
}

/// An absolute path without its `.` and `..` segments (`..` removes the segment before it, if
/// any); a path ending in one keeps its trailing slash (`/a/b/..` is `/a/`).
fn without_dot_segments(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut segments = path.strip_prefix('/').unwrap_or(path).split('/').peekable();
    while let Some(segment) = segments.next() {
        let last = segments.peek().is_none();
        match segment {
            "." | ".." => {
                if segment == ".." {
                    // The kept segment before, with its slash (`out` is empty or starts with '/').
                    out.truncate(out.rfind('/').unwrap_or(0));
                }
                if last {
                    out.push('/');
                }
            }
            _ => {
                out.push('/');
                out.push_str(segment);
            }
        }
    }
    if out.is_empty() {
        out.push('/');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_from_its_parts_checks_each_part_on_its_own() {
        let r =
            HttpRequest::from_parts("GET", "https", "App.example.com:8443", "/a/../b?x#y").unwrap();
        assert_eq!(
            (r.host.as_str(), r.path.as_str()),
            ("app.example.com:8443", "/b")
        );
        let r = HttpRequest::from_parts("GET", "http", "[::1]:80", "/").unwrap();
        assert_eq!(r.host, "[::1]:80");
        for host in [
            "secret.example.com@status.example.com",
            "status.example.com#",
            "status.example.com?",
            "status.example.com/x",
            "x:",
            "x:8a",
            "",
            "[::1",
            "[]",
        ] {
            assert_eq!(
                HttpRequest::from_parts("GET", "https", host, "/admin"),
                Err(RequestError::BadHost(host.into())),
                "{host}"
            );
        }
        assert_eq!(
            HttpRequest::from_parts("GET", "https", "x", "admin").map(|_| ()),
            Err(RequestError::BadPath("admin".into()))
        );
        // The scheme, too, is checked on its own: it could carry another host into the URL.
        let forged = "https://public.example.com/#";
        assert_eq!(
            HttpRequest::from_parts("GET", forged, "secret.example.com", "/admin").map(|_| ()),
            Err(RequestError::BadScheme(forged.into()))
        );
        let json = r#"{"method": "GET", "host": "wiki.example.com", "path": "/%61"}"#;
        let r = HttpRequest::from_json(json).unwrap();
        assert_eq!(
            (r.host.as_str(), r.path.as_str()),
            ("wiki.example.com", "/a")
        );
        let bad = r#"{"method": "GET", "host": "a@b", "path": "/"}"#;
        assert_eq!(
            HttpRequest::from_json(bad).unwrap_err(),
            "host: \"a@b\" is not a host name or address with an optional port"
        );
        for mixed in [
            r#"{"method": "GET", "url": "https://x/", "host": "x", "path": "/"}"#,
            r#"{"method": "GET", "url": "https://x/", "path": "/admin"}"#,
            r#"{"method": "GET", "url": "https://x/", "scheme": "http"}"#,
            r#"{"method": "GET", "path": "/admin"}"#,
        ] {
            let err = HttpRequest::from_json(mixed).unwrap_err();
            assert!(err.contains(URL_OR_PARTS), "{mixed}: {err}");
        }
    }

    #[test]
    fn the_host_is_the_one_every_server_finds() {
        for (url, why) in [
            (
                "https://secret.example.com\\@status.example.com/admin",
                BACKSLASH,
            ),
            (
                "https://user@status.example.com/admin",
                "a user part (user@host) is not taken in a request's URL",
            ),
            (
                "https://secret.example.com%40status.example.com/",
                "the host is not a host name or address with an optional port",
            ),
        ] {
            let err = HttpRequest::new("GET", url).unwrap_err().to_string();
            assert!(err.ends_with(why), "{url}: {err}");
        }
        let r = HttpRequest::new("GET", "https://[::1]:8443/x").unwrap();
        assert_eq!((r.host.as_str(), r.path.as_str()), ("[::1]:8443", "/x"));
    }

    #[test]
    fn a_url_longer_than_16_kb_is_refused_without_being_echoed() {
        let url = format!("https://x/{}", "a".repeat(MAX_URL_BYTES));
        assert_eq!(
            HttpRequest::new("GET", &url).unwrap_err().to_string(),
            format!("url: {} bytes (at most 16384)", url.len())
        );
        let slashes = format!("https://x/{}", "/".repeat(MAX_URL_BYTES - 16));
        assert_eq!(HttpRequest::new("GET", &slashes).unwrap().path, "/");
    }

    #[test]
    fn paths_are_decoded_and_lose_their_dot_segments() {
        for (url, path) in [
            ("https://x/a/b", "/a/b"),
            ("https://x/%61dmin/x", "/admin/x"),
            ("https://x/./admin/x", "/admin/x"),
            ("https://x/public/../admin/x", "/admin/x"),
            ("https://x/public/%2E%2E/admin", "/admin"),
            ("https://x/group%2Fproject/issues", "/group/project/issues"),
            ("https://x//admin", "/admin"),
            ("https://x/%2Fadmin", "/admin"),
            ("https://x/../../etc", "/etc"),
            ("https://x/a/b/..", "/a/"),
            ("https://x/a/b/.", "/a/b/"),
            ("https://x/a/..b/.c", "/a/..b/.c"),
            ("https://x/a//b", "/a/b"),
            ("https://x/caf%C3%A9?q=%2e%2e", "/café"),
            ("https://x/a%20b", "/a b"),
            ("https://x/..", "/"),
        ] {
            assert_eq!(HttpRequest::new("GET", url).unwrap().path, path, "{url}");
        }
        for (url, why) in [
            (
                "https://x/a%2",
                "a '%' in the path is not followed by two hex digits",
            ),
            (
                "https://x/a%zz",
                "a '%' in the path is not followed by two hex digits",
            ),
            (
                "https://x/%FF",
                "the path's percent-encoded bytes are not UTF-8",
            ),
            ("https://x/public%2F..%2Fadmin", DOT_SEGMENT_MADE),
            ("https://x/admin%2f..%2fx", DOT_SEGMENT_MADE),
            ("https://x/admin/..%2Fx", DOT_SEGMENT_MADE),
            ("https://x/x/..;/admin", DOT_SEGMENT_MADE),
            ("https://x/x/.;/admin", DOT_SEGMENT_MADE),
            ("https://x/admin%5C..%5Cx", BACKSLASH),
            ("https://x/%5Cadmin", BACKSLASH),
            ("https://x/x//..//admin/users", SLASHES_AND_DOTS),
            ("https://x/x//../admin", SLASHES_AND_DOTS),
        ] {
            let err = HttpRequest::new("GET", url).unwrap_err().to_string();
            assert!(err.ends_with(why), "{url}: {err}");
            assert!(err.starts_with(&format!("url: {url:?}")), "{url}: {err}");
        }
    }

    #[test]
    fn a_whole_request_is_read_from_json_with_its_headers_and_address() {
        let r = HttpRequest::from_json(
            r#"{"method": "get", "url": "https://A.example.com/x?q", "headers":
                {"Authorization": "Bearer t", "x-a": "1"}, "sourceIp": " 10.0.0.1 "}"#,
        )
        .expect("a request");
        assert_eq!(
            (r.method.as_str(), r.host.as_str(), r.path.as_str()),
            ("GET", "a.example.com", "/x")
        );
        assert_eq!(
            r.headers.get("authorization").map(String::as_str),
            Some("Bearer t")
        );
        assert_eq!(r.source_ip, "10.0.0.1".parse().ok());
        let r =
            HttpRequest::from_json(r#"{"url": "http://h/", "method": "POST", "sourceIp": null}"#);
        assert_eq!(r.map(|r| (r.headers.len(), r.source_ip)), Ok((0, None)));
    }

    #[test]
    fn a_bad_request_names_the_member() {
        for (text, error) in [
            (r#"{"method": "GET"}"#, "request: .: missing field `url`"),
            (
                r#"{"method": "GET", "url": "https://h/", "headers": {"a": ["b"]}}"#,
                "request: headers.a: invalid type: sequence, expected a string",
            ),
            (
                r#"{"method": "GET", "url": "https://h/", "url": "https://i/"}"#,
                "request: url: duplicate field `url`",
            ),
            ("42", "request: .: invalid type: integer `42`, expected an object"),
            (
                r#"{"method": "GET", "url": "https://h/", "headers": {"Authorization": "Bearer a", "authorization": "Bearer b"}}"#,
                "request: headers.authorization: the header is given twice (names differ only in case)",
            ),
            (r#"{"method": "G T", "url": "https://h/"}"#, "method: \"G T\" is not an HTTP method"),
            (
                r#"{"method": "GET", "url": "https://h/", "sourceIp": "x"}"#,
                "source_ip: \"x\" is not an IP address",
            ),
        ] {
            let got = HttpRequest::from_json(text).map(|_| ()).unwrap_err();
            assert!(got.starts_with(error), "{text}: {got}");
        }
    }

    #[test]
    fn urls_are_split_into_host_and_path() {
        let r = HttpRequest::new("get", "https://API.example.com:8443/a/b?x=1#f").unwrap();
        assert_eq!(
            (r.method.as_str(), r.host.as_str(), r.path.as_str()),
            ("GET", "api.example.com:8443", "/a/b")
        );
        assert_eq!(r.hostname(), "api.example.com");
        let r = HttpRequest::new("POST", "http://x.test").unwrap();
        assert_eq!(r.path, "/");
        assert_eq!(r.hostname(), "x.test");
    }

    #[test]
    fn bad_requests_are_named() {
        assert_eq!(
            HttpRequest::new("GET", "api.example.com/x")
                .unwrap_err()
                .to_string(),
            "url: \"api.example.com/x\" is not an absolute http(s) URL: expected scheme://host"
        );
        assert!(HttpRequest::new("GET", "ftp://x/y").is_err());
        assert!(HttpRequest::new("GET", "https:///y").is_err());
        assert!(HttpRequest::new("G ET", "https://x/").is_err());
        assert!(HttpRequest::new("GET", "https://x/")
            .unwrap()
            .with_source_ip("300.1.1.1")
            .is_err());
    }
}

impl crate::rbac::ResourceAttributes {
    /// Reads a question as `kubectl auth can-i` takes it: `resource` is `pods`, `pods/log`,
    /// `deployments.apps` or `deployments.apps/scale` (resource, then API group after the first
    /// dot, then subresource).
    pub fn from_kubectl(
        verb: &str,
        resource: &str,
        name: &str,
        namespace: &str,
    ) -> crate::rbac::ResourceAttributes {
        let (resource_group, subresource) = resource.split_once('/').unwrap_or((resource, ""));
        let (resource, group) = resource_group
            .split_once('.')
            .unwrap_or((resource_group, ""));
        crate::rbac::ResourceAttributes {
            verb: verb.to_string(),
            group: group.to_string(),
            resource: resource.to_string(),
            subresource: subresource.to_string(),
            name: name.to_string(),
            namespace: namespace.to_string(),
        }
    }
}

#[cfg(test)]
mod kubectl_tests {
    use crate::rbac::ResourceAttributes;

    #[test]
    fn kubectl_resource_arguments_split_into_group_and_subresource() {
        let a = ResourceAttributes::from_kubectl("get", "deployments.apps/scale", "web", "ci");
        assert_eq!(
            (
                a.resource.as_str(),
                a.group.as_str(),
                a.subresource.as_str()
            ),
            ("deployments", "apps", "scale")
        );
        let a = ResourceAttributes::from_kubectl("get", "pods/log", "", "ci");
        assert_eq!(
            (
                a.resource.as_str(),
                a.group.as_str(),
                a.subresource.as_str()
            ),
            ("pods", "", "log")
        );
        let a =
            ResourceAttributes::from_kubectl("list", "imagestreams.image.openshift.io", "", "ci");
        assert_eq!(
            (a.resource.as_str(), a.group.as_str()),
            ("imagestreams", "image.openshift.io")
        );
    }
}
