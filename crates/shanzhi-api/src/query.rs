//! Typed query strings: the `Query` extractor reads a query string into a struct that also
//! documents it (`utoipa::IntoParams`), so what the OpenAPI document lists and what the server
//! accepts are one list. An empty value counts as not given; a parameter that is not in the list,
//! given twice, or of the wrong shape is a 400 naming it, in Chinese and English.

use std::collections::HashSet;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use utoipa::IntoParams;
use utoipa::openapi::path::ParameterIn;

use crate::error::ApiError;

/// A query string read into `T` (one `IntoParams` struct, or `And<A, B>` for two).
pub struct Query<T>(pub T);

/// Two parameter structs read from one query string (a filter and its paging, say).
pub struct And<A, B>(pub A, pub B);

/// What a query string can be read into.
pub trait Params: Sized {
    /// The parameter names taken.
    fn names() -> Vec<String>;
    /// Reads the pairs (empty values already dropped).
    fn read(pairs: &[(String, String)]) -> Result<Self, ApiError>;
}

impl<T: DeserializeOwned + IntoParams> Params for T {
    fn names() -> Vec<String> {
        T::into_params(|| Some(ParameterIn::Query)).into_iter().map(|p| p.name).collect()
    }

    fn read(pairs: &[(String, String)]) -> Result<Self, ApiError> {
        let names: HashSet<String> = Self::names().into_iter().collect();
        // Each struct reads its own parameters; `Query` has checked none is unknown.
        let mut text = form_urlencoded::Serializer::new(String::new());
        for (k, v) in pairs.iter().filter(|(k, _)| names.contains(k)) {
            text.append_pair(k, v);
        }
        let text = text.finish();
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(text.as_bytes()));
        serde_path_to_error::deserialize(de).map_err(|e| {
            let path = e.path().to_string();
            let message = e.into_inner().to_string();
            let field = crate::routes::field_at_fault(&path, &message).unwrap_or_else(|| "query".into());
            invalid(&field, &message)
        })
    }
}

impl<A: Params, B: Params> Params for And<A, B> {
    fn names() -> Vec<String> {
        let mut names = A::names();
        names.extend(B::names());
        names
    }

    fn read(pairs: &[(String, String)]) -> Result<Self, ApiError> {
        Ok(And(A::read(pairs)?, B::read(pairs)?))
    }
}

/// The pairs of a query string, percent-decoded, with empty values dropped.
pub(crate) fn pairs(query: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(query.as_bytes())
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// A 400 naming a query parameter, in English and Chinese.
fn invalid(field: &str, why: &str) -> ApiError {
    ApiError::from(
        shanzhi_app::AppError::invalid(field, why.to_string())
            .with_zh(format!("查询参数 {field} 无效：{}", zh_reason(why))),
    )
}

/// The Chinese of serde's usual complaints (the English stays beside it).
fn zh_reason(why: &str) -> &'static str {
    if why.starts_with("unknown variant") {
        "不是可选的值之一"
    } else if why.starts_with("duplicate field") {
        "只能给一次"
    } else if why.contains("provided string was not `true` or `false`") {
        "只能是 true 或 false"
    } else if why.contains("digit") || why.contains("number") || why.contains("integer") {
        "不是有效的数字"
    } else if why.contains("input") {
        // chrono's complaints: premature end of input, input contains invalid characters, ...
        "不是 RFC 3339 格式的时间"
    } else {
        "格式不对"
    }
}

impl<T: Params, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parse(parts.uri.query().unwrap_or("")).map(Query)
    }
}

/// Reads a query string: every parameter known and given once, then typed.
pub(crate) fn parse<T: Params>(query: &str) -> Result<T, ApiError> {
    let pairs = pairs(query);
    let names: HashSet<String> = T::names().into_iter().collect();
    let mut seen = HashSet::new();
    for (k, _) in &pairs {
        // An API key in the query string is a credential (Open311 clients send it so), read by
        // the caller's extractor.
        if k == "api_key" {
            continue;
        }
        if !names.contains(k) {
            let mut known: Vec<&str> = names.iter().map(String::as_str).collect();
            known.sort_unstable();
            let known = known.join(", ");
            return Err(ApiError::from(
                shanzhi_app::AppError::invalid(k, format!("`{k}` is not a parameter of this path (it takes: {known})"))
                    .with_zh(format!("{k} 不是此接口的查询参数（可用：{known}）")),
            ));
        }
        if !seen.insert(k.as_str()) {
            return Err(invalid(k, "is given more than once"));
        }
    }
    T::read(&pairs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, utoipa::IntoParams)]
    #[allow(dead_code)]
    struct Page {
        page: Option<u64>,
        closed: Option<bool>,
        #[param(rename = "type")]
        #[serde(rename = "type")]
        type_code: Option<String>,
    }

    #[derive(serde::Deserialize, utoipa::IntoParams)]
    #[allow(dead_code)]
    struct Words {
        q: Option<String>,
    }

    fn field(e: &ApiError) -> String {
        e.details["field"].as_str().unwrap_or_default().to_string()
    }

    #[test]
    fn values_are_typed_decoded_and_empty_means_absent() {
        let p = Page::read(&pairs("page=3&closed=true&type=0101%2B&q=")).expect("reads");
        assert_eq!((p.page, p.closed, p.type_code.as_deref()), (Some(3), Some(true), Some("0101+")));
        let p = Page::read(&pairs("page=&closed=")).expect("reads");
        assert_eq!((p.page, p.closed), (None, None));
        let And(p, w) = And::<Page, Words>::read(&pairs("q=%E5%94%90+%E5%B1%B1&page=2")).expect("reads");
        assert_eq!((p.page, w.q.as_deref()), (Some(2), Some("唐 山")));
    }

    #[test]
    fn a_bad_value_names_its_parameter_in_both_languages() {
        let e = Page::read(&pairs("page=x")).err().expect("refused");
        assert_eq!(field(&e), "page");
        assert!(e.details["message_zh"].as_str().is_some_and(|m| m.contains("page")), "{:?}", e.details);
        let e = Page::read(&pairs("closed=yes")).err().expect("refused");
        assert_eq!(field(&e), "closed");
        assert_eq!(e.code, "invalid_parameter");
    }

    #[test]
    fn an_unknown_or_repeated_parameter_is_refused_by_name() {
        let e = parse::<Page>("pgae=2").err().expect("refused");
        assert_eq!(field(&e), "pgae");
        assert!(e.message.contains("page"), "the message lists what is taken: {}", e.message);
        let e = parse::<Page>("page=1&page=2").err().expect("refused");
        assert_eq!(field(&e), "page");
        assert!(parse::<And<Page, Words>>("page=1&q=x&api_key=k").is_ok(), "both structs' names, and a key");
        assert!(parse::<Page>("q=x").is_err(), "q belongs to the other struct");
    }
}
