//! What an idempotency key keeps: the answer first given, and a fingerprint of the request that
//! used the key, so that the same key sent with a different request is told so (422) instead of
//! getting an answer to another request. Kept in the key's one sealed text as `fingerprint`, a
//! unit separator, then the answer; answers kept before fingerprints existed are the answer alone.

use serde::Serialize;

/// The separator between the fingerprint and the answer (never in a hex fingerprint).
const SEP: char = '\u{1f}';

/// The fingerprint of a request: SHA-256 of its JSON form, in hex (the parsed request, so two
/// bodies that differ only in spacing or key order are the same request).
pub(crate) fn fingerprint(request: &impl Serialize) -> String {
    crate::auth::digest(&serde_json::to_string(request).unwrap_or_default())
}

/// The text kept with a key.
pub(crate) fn keep(fingerprint: &str, answer: &str) -> String {
    format!("{fingerprint}{SEP}{answer}")
}

/// What a kept text holds: the fingerprint (none for an answer kept without one) and the answer.
pub(crate) fn open(kept: &str) -> (Option<&str>, &str) {
    match kept.split_once(SEP) {
        Some((f, answer)) if !f.starts_with('{') => (Some(f), answer),
        _ => (None, kept),
    }
}

/// The answer kept for a key, if the request is the one that used it; `Err` when the key was used
/// with another request.
pub(crate) fn answer_for<'k>(kept: &'k str, fingerprint: &str) -> Result<&'k str, ()> {
    match open(kept) {
        (Some(f), _) if f != fingerprint => Err(()),
        (_, answer) => Ok(answer),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_answers_only_the_request_that_used_it() {
        let f = fingerprint(&serde_json::json!({"action": "register"}));
        let kept = keep(&f, "{\"id\":\"1\"}");
        assert_eq!(answer_for(&kept, &f), Ok("{\"id\":\"1\"}"));
        assert_eq!(answer_for(&kept, &fingerprint(&serde_json::json!({"action": "file"}))), Err(()));
        // An answer kept before fingerprints existed answers any request.
        assert_eq!(answer_for("{\"id\":\"1\"}", &f), Ok("{\"id\":\"1\"}"));
        assert_eq!(open("{\"a\":\"x\u{1f}y\"}"), (None, "{\"a\":\"x\u{1f}y\"}"));
    }
}
