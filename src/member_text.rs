//! A member of a JSON object (claims or a header), named by a path of member names, as
//! the text a host puts in a variable or an HTTP header: a string as itself, a number or
//! boolean as JSON, an array as its elements' texts joined with commas, an object as
//! compact JSON, `null` as empty. One rule, so every host (nginx variables, the CLI,
//! C programs) shows claims the same way.

use serde_json::Value;

use crate::error::Result;
use crate::json;

/// The member at `path` (`["realm_access", "roles"]` is `.realm_access.roles`) of the
/// JSON object `object`, as text; `None` when a name along the path is missing or not
/// an object. An empty path is the whole object.
pub fn member_text(object: &[u8], path: &[&str]) -> Result<Option<String>> {
    let doc = json::parse_object(object, "JSON")?;
    let mut value: Option<&Value> = None;
    for name in path {
        let map = match value {
            None => &doc,
            Some(Value::Object(map)) => map,
            Some(_) => return Ok(None),
        };
        match map.get(*name) {
            Some(v) => value = Some(v),
            None => return Ok(None),
        }
    }
    Ok(Some(match value {
        None => Value::Object(doc.clone()).to_string(),
        Some(v) => text(v),
    }))
}

fn text(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(text).collect::<Vec<_>>().join(","),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts() {
        let claims = br#"{"sub":"alice","n":42,"ok":true,"nul":null,"roles":["a","b",3],
            "realm_access":{"roles":["admin","user"],"x":{"y":"z"}}}"#;
        let get = |path: &[&str]| member_text(claims, path).unwrap();
        assert_eq!(get(&["sub"]).as_deref(), Some("alice"));
        assert_eq!(get(&["n"]).as_deref(), Some("42"));
        assert_eq!(get(&["ok"]).as_deref(), Some("true"));
        assert_eq!(get(&["nul"]).as_deref(), Some(""));
        assert_eq!(get(&["roles"]).as_deref(), Some("a,b,3"));
        assert_eq!(get(&["realm_access", "roles"]).as_deref(), Some("admin,user"));
        assert_eq!(get(&["realm_access", "x"]).as_deref(), Some(r#"{"y":"z"}"#));
        assert_eq!(get(&["realm_access", "missing"]), None);
        assert_eq!(get(&["sub", "deeper"]), None);
        assert_eq!(get(&["absent"]), None);
        assert!(get(&[]).unwrap().starts_with('{'));
        assert!(member_text(b"[1]", &["a"]).is_err());
        assert!(member_text(b"{\"a\":1,\"a\":2}", &["a"]).is_err(), "duplicate members");
    }
}
