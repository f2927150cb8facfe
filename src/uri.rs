//! Absolute URIs compared as RFC 3986 §6 says they may be: the one normaliser behind
//! DPoP's `htu` check (RFC 9449 §4.3). Syntax-based normalisation (§6.2.2: scheme and
//! host in lower case, percent-encoding triplets in upper case, percent-encoded
//! unreserved characters decoded, dot segments removed) and scheme-based normalisation
//! (§6.2.3: no port for the scheme's default port or an empty one, `/` for an empty
//! path). Only URIs with an authority (`scheme://host...`) are accepted, ASCII only;
//! anything RFC 3986 does not allow is refused rather than guessed at.

/// An absolute URI in normal form, without its query and fragment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Normalized {
    /// `scheme://authority/path`, normalised.
    pub uri: String,
    /// Whether the text had a query (`?`) or a fragment (`#`), now left out.
    pub had_query_or_fragment: bool,
}

/// Normalises `text` (see the module comment), leaving out its query and fragment.
/// The error says what is wrong, quoting nothing of the input.
pub(crate) fn normalize(text: &str) -> Result<Normalized, &'static str> {
    if !text.is_ascii() {
        return Err("a URI is ASCII (RFC 3986 §2)");
    }
    let colon = text.find(':').ok_or("a URI has a scheme")?;
    let scheme = &text[..colon];
    let mut chars = scheme.chars();
    if !chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        || !chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    {
        return Err("the URI's scheme is not valid (RFC 3986 §3.1)");
    }
    let scheme = scheme.to_ascii_lowercase();
    let rest = text[colon + 1..].strip_prefix("//").ok_or("the URI has no authority (`//host`)")?;
    let end = rest.find(['?', '#']).unwrap_or(rest.len());
    let had_query_or_fragment = end < rest.len();
    if had_query_or_fragment {
        // The query and fragment are left out, but must still be well formed.
        let tail = &rest[end + 1..];
        let (query, fragment) = match (rest.as_bytes()[end], tail.find('#')) {
            (b'?', Some(hash)) => (&tail[..hash], &tail[hash + 1..]),
            (b'?', None) => (tail, ""),
            _ => ("", tail),
        };
        for part in [query, fragment] {
            check_chars(part, |c| is_pchar(c) || c == b'/' || c == b'?')?;
        }
    }
    let hier = &rest[..end];
    let slash = hier.find('/').unwrap_or(hier.len());
    let authority = normalize_authority(&scheme, &hier[..slash])?;
    let path = &hier[slash..];
    check_chars(path, |c| is_pchar(c) || c == b'/')?;
    let path = remove_dot_segments(&percent_normalized(path, false)?);
    let path = if path.is_empty() { "/".to_string() } else { path };
    Ok(Normalized { uri: format!("{scheme}://{authority}{path}"), had_query_or_fragment })
}

/// `[userinfo@]host[:port]`: the host in lower case, the port without leading zeros
/// and left out when it is empty or the scheme's default.
fn normalize_authority(scheme: &str, authority: &str) -> Result<String, &'static str> {
    let (userinfo, host_port) = match authority.rfind('@') {
        Some(at) => (Some(&authority[..at]), &authority[at + 1..]),
        None => (None, authority),
    };
    let (host, port) = if host_port.starts_with('[') {
        let close = host_port.find(']').ok_or("the URI's IP literal has no closing `]`")?;
        let literal = &host_port[1..close];
        let ipv6 = literal.bytes().all(|c| c.is_ascii_hexdigit() || c == b':' || c == b'.');
        let future = literal.starts_with(['v', 'V'])
            && literal.bytes().all(|c| is_unreserved(c) || is_sub_delim(c) || c == b':');
        if literal.is_empty() || !(ipv6 || future) {
            return Err("the URI's IP literal is not valid (RFC 3986 §3.2.2)");
        }
        let after = &host_port[close + 1..];
        let port = match after.strip_prefix(':') {
            Some(p) => Some(p),
            None if after.is_empty() => None,
            None => return Err("the URI's authority has text after its IP literal"),
        };
        (host_port[..close + 1].to_ascii_lowercase(), port)
    } else {
        let (host, port) = match host_port.rfind(':') {
            Some(c) => (&host_port[..c], Some(&host_port[c + 1..])),
            None => (host_port, None),
        };
        check_chars(host, |c| is_unreserved(c) || is_sub_delim(c))?;
        (percent_normalized(host, true)?, port)
    };
    if host.is_empty() {
        return Err("the URI has an empty host");
    }
    let port = match port {
        None | Some("") => None,
        Some(p) if p.bytes().all(|c| c.is_ascii_digit()) => {
            let digits = p.trim_start_matches('0');
            if digits.len() > 5 {
                return Err("the URI's port is out of range");
            }
            let number: u32 = if digits.is_empty() { 0 } else { digits.parse().map_err(|_| "bad port")? };
            if number > 65535 {
                return Err("the URI's port is out of range");
            }
            (Some(number) != default_port(scheme)).then_some(number)
        }
        Some(_) => return Err("the URI's port is not a number"),
    };
    let mut out = String::with_capacity(authority.len());
    if let Some(userinfo) = userinfo {
        check_chars(userinfo, |c| is_unreserved(c) || is_sub_delim(c) || c == b':')?;
        out.push_str(&percent_normalized(userinfo, false)?);
        out.push('@');
    }
    out.push_str(&host);
    if let Some(port) = port {
        out.push(':');
        out.push_str(&port.to_string());
    }
    Ok(out)
}

fn default_port(scheme: &str) -> Option<u32> {
    match scheme {
        "http" | "ws" => Some(80),
        "https" | "wss" => Some(443),
        _ => None,
    }
}

fn is_unreserved(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_' | b'~')
}

fn is_sub_delim(c: u8) -> bool {
    matches!(c, b'!' | b'$' | b'&' | b'\'' | b'(' | b')' | b'*' | b'+' | b',' | b';' | b'=')
}

fn is_pchar(c: u8) -> bool {
    is_unreserved(c) || is_sub_delim(c) || matches!(c, b':' | b'@')
}

/// Every byte is allowed by `allowed`, or is the `%` of a well-formed triplet.
fn check_chars(text: &str, allowed: impl Fn(u8) -> bool) -> Result<(), &'static str> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            if i + 2 >= bytes.len() {
                return Err("the URI has a truncated percent-encoding");
            }
            if !(bytes[i + 1].is_ascii_hexdigit() && bytes[i + 2].is_ascii_hexdigit()) {
                return Err("the URI has a malformed percent-encoding");
            }
            i += 3;
            continue;
        }
        if !allowed(bytes[i]) {
            return Err("the URI has a character RFC 3986 does not allow there");
        }
        i += 1;
    }
    Ok(())
}

/// Percent-encoding normalised (§6.2.2.2): triplets of unreserved characters decoded,
/// the others in upper case; with `lower`, everything else in lower case (a host).
fn percent_normalized(text: &str, lower: bool) -> Result<String, &'static str> {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c == b'%' {
            let hex = text.get(i + 1..i + 3).ok_or("the URI has a truncated percent-encoding")?;
            let value = u8::from_str_radix(hex, 16).map_err(|_| "the URI has a malformed percent-encoding")?;
            if is_unreserved(value) {
                out.push(if lower { value.to_ascii_lowercase() } else { value } as char);
            } else {
                out.push('%');
                out.push_str(&hex.to_ascii_uppercase());
            }
            i += 3;
        } else {
            out.push(if lower { c.to_ascii_lowercase() } else { c } as char);
            i += 1;
        }
    }
    Ok(out)
}

/// RFC 3986 §5.2.4.
fn remove_dot_segments(path: &str) -> String {
    let mut input = path;
    let mut output = String::with_capacity(path.len());
    while !input.is_empty() {
        if let Some(rest) = input.strip_prefix("../") {
            input = rest;
        } else if let Some(rest) = input.strip_prefix("./") {
            input = rest;
        } else if input.starts_with("/./") {
            input = &input[2..];
        } else if input == "/." {
            input = "/";
        } else if input.starts_with("/../") || input == "/.." {
            input = if input == "/.." { "/" } else { &input[3..] };
            match output.rfind('/') {
                Some(last) => output.truncate(last),
                None => output.clear(),
            }
        } else if input == "." || input == ".." {
            input = "";
        } else {
            let start = usize::from(input.starts_with('/'));
            let end = input[start..].find('/').map_or(input.len(), |i| i + start);
            output.push_str(&input[..end]);
            input = &input[end..];
        }
    }
    output
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(text: &str) -> String {
        normalize(text).unwrap_or_else(|e| panic!("{text}: {e}")).uri
    }

    #[test]
    fn equivalent_spellings_normalise_alike() {
        let base = "https://server.example.com/token";
        for same in [
            "https://server.example.com/token",
            "HTTPS://Server.Example.COM/token",
            "https://server.example.com:443/token",
            "https://server.example.com:/token",
            "https://server.example.com:0443/token",
            "https://server.example.com:000000000000000000443/token",
            "https://server.example.com/%74oken",
            "https://server.example.com/a/../token",
            "https://server.example.com/./token",
            "https://server.example.com/a/b/../../token",
            "https://server.example.com/%2E/token",
            "https://server.example.com/token?query=1",
            "https://server.example.com/token#fragment",
            "https://server.example.com/token?q#f",
            "https://server.example.com/../token",
            "https://%73erver.example.com/token",
        ] {
            assert_eq!(n(same), base, "{same}");
        }
        assert_eq!(n("http://a.example:80"), "http://a.example/");
        assert_eq!(n("http://a.example:8080/x"), "http://a.example:8080/x");
        assert_eq!(n("https://a.example:80/x"), "https://a.example:80/x");
        assert_eq!(n("http://a.example:443/x"), "http://a.example:443/x");
        assert_eq!(n("https://a.example/a%2fb"), "https://a.example/a%2Fb");
        assert_eq!(n("https://[2001:DB8::1]:443/x"), "https://[2001:db8::1]/x");
        assert_eq!(n("https://a.example/a/b/c/./../../g"), "https://a.example/a/g");
        assert_eq!(n("https://a.example/mid/content=5/../6"), "https://a.example/mid/6");
        assert!(normalize("https://a.example/x?y").unwrap().had_query_or_fragment);
        assert!(normalize("https://a.example/x#").unwrap().had_query_or_fragment);
        assert!(!normalize("https://a.example/x").unwrap().had_query_or_fragment);
    }

    #[test]
    fn different_uris_stay_different() {
        let base = n("https://server.example.com/token");
        for other in [
            "http://server.example.com/token",
            "https://server.example.com/Token",
            "https://server.example.com/token/",
            "https://server.example.com:8443/token",
            "https://server.example.com/tok%65n2",
            "https://server.example.com/token%2F",
            "https://other.example.com/token",
            "https://user@server.example.com/token",
            "https://server.example.com.evil/token",
        ] {
            assert_ne!(n(other), base, "{other}");
        }
    }

    #[test]
    fn malformed_uris_are_refused() {
        for bad in [
            "",
            "server.example.com/token",
            "/token",
            "https:/server.example.com/token",
            "https:server.example.com",
            "1https://a.example/",
            "https://a.example/t%zzoken",
            "https://a.example/t%2",
            "https://a.example/t%",
            "https://a.example/with space",
            "https://a.example/caf\u{e9}",
            "https://a.example:port/",
            "https://a.example:70000/",
            "https://[::1/",
            "https://[]/",
            "https:///token",
            "https://a.example/x?bad query",
            "https://a.exa\"mple/",
            "https://a.example/<x>",
        ] {
            assert!(normalize(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn dot_segments_follow_rfc_3986() {
        assert_eq!(remove_dot_segments("/a/b/c/./../../g"), "/a/g");
        assert_eq!(remove_dot_segments("mid/content=5/../6"), "mid/6");
        assert_eq!(remove_dot_segments("/.."), "/");
        assert_eq!(remove_dot_segments("/a/.."), "/");
        assert_eq!(remove_dot_segments("/a/."), "/a/");
        assert_eq!(remove_dot_segments(""), "");
    }
}
