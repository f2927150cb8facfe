//! Resource limits: defaults refuse hostile sizes quickly, and each limit is configurable.

use jwtkit::{dangerous, jwt, Algorithm, Error, Key, Limits, Validation};

fn key() -> Key {
    Key::from_secret(&[9u8; 32]).unwrap()
}

#[test]
fn huge_tokens_and_dot_floods_are_refused_by_size() {
    let v = Validation::new(&[Algorithm::HS256]).unwrap();
    let dots = vec![b'.'; 10_000_000];
    assert!(matches!(jwt::verify(&dots, &key(), &v), Err(Error::TokenTooLarge(_))));
    let big = vec![b'a'; 10 * 1024 * 1024];
    assert!(matches!(jwt::verify(&big, &key(), &v), Err(Error::TokenTooLarge(_))));
    assert!(matches!(dangerous::decode_unverified(&dots, &Limits::default()), Err(Error::TokenTooLarge(_))));
}

#[test]
fn each_limit_is_configurable() {
    let k = key();
    let nested = format!("{{\"a\":{}1{}}}", "[".repeat(30), "]".repeat(30));
    let token = jwt::sign(&k, Algorithm::HS256, nested.as_bytes(), None).unwrap();
    let mut v = Validation::new(&[Algorithm::HS256]).unwrap();
    assert!(jwt::verify(token.as_bytes(), &k, &v).is_ok());
    v.set_limits(Limits { max_depth: 10, ..Limits::default() }).unwrap();
    assert!(matches!(jwt::verify(token.as_bytes(), &k, &v), Err(Error::JsonLimit(_))));
    v.set_limits(Limits { max_token_len: 64, ..Limits::default() }).unwrap();
    assert!(matches!(jwt::verify(token.as_bytes(), &k, &v), Err(Error::TokenTooLarge(_))));
    let big_header = format!("{{\"x\":\"{}\"}}", "h".repeat(9000));
    let token = jwt::sign(&k, Algorithm::HS256, b"{}", Some(big_header.as_bytes())).unwrap();
    v.set_limits(Limits::default()).unwrap();
    assert!(matches!(jwt::verify(token.as_bytes(), &k, &v), Err(Error::JsonLimit(_))));
    v.set_limits(Limits { max_header_len: 16 * 1024, ..Limits::default() }).unwrap();
    assert!(jwt::verify(token.as_bytes(), &k, &v).is_ok());
    for bad in [
        Limits { max_depth: 0, ..Limits::default() },
        Limits { max_depth: 500, ..Limits::default() },
        Limits { max_token_len: 1, ..Limits::default() },
        Limits { max_keys_tried: 0, ..Limits::default() },
    ] {
        assert!(matches!(v.set_limits(bad), Err(Error::InvalidArgument(_))));
    }
}

#[test]
fn c_setter_maps_to_the_same_limits() {
    use jwtkit::ffi::*;
    unsafe {
        let algs = [JWTKIT_ALG_HS256];
        let mut v = std::ptr::null_mut();
        assert_eq!(jwtkit_validation_new(algs.as_ptr(), 1, &mut v, std::ptr::null_mut()), JWTKIT_OK);
        assert_eq!(jwtkit_validation_set_limit(v, JWTKIT_LIMIT_JSON_DEPTH, 8, std::ptr::null_mut()), JWTKIT_OK);
        assert_eq!(
            jwtkit_validation_set_limit(v, JWTKIT_LIMIT_JSON_DEPTH, 121, std::ptr::null_mut()),
            JWTKIT_ERR_INVALID_ARGUMENT
        );
        assert_eq!(jwtkit_validation_set_limit(v, 99, 8, std::ptr::null_mut()), JWTKIT_ERR_INVALID_ARGUMENT);
        assert_eq!(
            jwtkit_validation_set_limit(std::ptr::null_mut(), JWTKIT_LIMIT_TOKEN_LEN, 8, std::ptr::null_mut()),
            JWTKIT_ERR_NULL_ARGUMENT
        );
        jwtkit_validation_free(v);
    }
}
