//! Open311's two formats from one value: XML with the standard's element names (a list names its
//! items: `<service_requests><request>…`) and JSON as the standard maps it (lists are bare
//! arrays, a discovery document or a service definition is an object).

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, SecondsFormat, Utc};

/// `xml` (the standard's required format) or `json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Xml,
    Json,
}

impl Format {
    /// Splits `services.json` into (`services`, Json); no suffix is XML; another suffix is `None`.
    pub fn split(file: &str) -> Option<(&str, Format)> {
        match file.rsplit_once('.') {
            None => Some((file, Format::Xml)),
            Some((stem, "xml")) => Some((stem, Format::Xml)),
            Some((stem, "json")) => Some((stem, Format::Json)),
            Some(_) => None,
        }
    }
}

/// A value in both formats.
#[derive(Debug, Clone, PartialEq)]
pub enum V {
    Null,
    S(String),
    N(f64),
    I(i64),
    B(bool),
    /// An element with children in this order (a JSON object).
    Obj(Vec<(&'static str, V)>),
    /// A list whose items are `<item>` elements (a JSON array).
    List(&'static str, Vec<V>),
}

impl V {
    pub fn s(s: impl Into<String>) -> V {
        V::S(s.into())
    }

    pub fn opt(s: Option<impl Into<String>>) -> V {
        s.map_or(V::Null, |s| V::S(s.into()))
    }

    pub fn time(t: DateTime<Utc>) -> V {
        V::S(t.to_rfc3339_opts(SecondsFormat::Secs, true))
    }

    pub fn json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            V::Null => J::Null,
            V::S(s) => J::String(s.clone()),
            V::N(n) => serde_json::Number::from_f64(*n).map_or(J::Null, J::Number),
            V::I(i) => J::from(*i),
            V::B(b) => J::Bool(*b),
            V::Obj(fields) => J::Object(fields.iter().map(|(k, v)| (k.to_string(), v.json())).collect()),
            V::List(_, items) => J::Array(items.iter().map(V::json).collect()),
        }
    }

    fn xml(&self, name: &str, out: &mut String) {
        match self {
            V::Null => out.push_str(&format!("<{name}/>")),
            V::S(s) => out.push_str(&format!("<{name}>{}</{name}>", escape(s))),
            V::N(n) => out.push_str(&format!("<{name}>{n}</{name}>")),
            V::I(i) => out.push_str(&format!("<{name}>{i}</{name}>")),
            V::B(b) => out.push_str(&format!("<{name}>{b}</{name}>")),
            V::Obj(fields) => {
                out.push_str(&format!("<{name}>"));
                for (k, v) in fields {
                    v.xml(k, out);
                }
                out.push_str(&format!("</{name}>"));
            }
            V::List(item, items) => {
                out.push_str(&format!("<{name}>"));
                for v in items {
                    v.xml(item, out);
                }
                out.push_str(&format!("</{name}>"));
            }
        }
    }

    /// The XML document with `root` as its root element.
    pub fn xml_document(&self, root: &str) -> String {
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
        self.xml(root, &mut out);
        out.push('\n');
        out
    }
}

/// Text as XML character data: markup characters escaped, and characters XML 1.0 cannot carry
/// (control characters, U+FFFE, U+FFFF) replaced by U+FFFD, so any stored text makes a valid
/// document.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in shanzhi_domain::text::xml_safe(s).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// An answer in the asked format; `root` names the XML root element.
pub fn reply(status: StatusCode, format: Format, root: &str, v: &V) -> Response {
    match format {
        Format::Xml => {
            (status, [(header::CONTENT_TYPE, "text/xml; charset=utf-8")], v.xml_document(root)).into_response()
        }
        Format::Json => {
            let body = serde_json::to_string(&v.json()).unwrap_or_else(|_| "[]".into());
            (status, [(header::CONTENT_TYPE, "application/json; charset=utf-8")], body).into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_value_two_formats() {
        let v = V::List(
            "request",
            vec![V::Obj(vec![
                ("service_request_id", V::s("42")),
                ("status_notes", V::Null),
                ("description", V::s("井盖 <缺失> & 破损")),
                ("lat", V::N(39.63)),
            ])],
        );
        assert_eq!(
            v.xml_document("service_requests"),
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<service_requests><request><service_request_id>42</service_request_id>\
             <status_notes/><description>井盖 &lt;缺失&gt; &amp; 破损</description><lat>39.63</lat></request></service_requests>\n"
        );
        assert_eq!(
            v.json(),
            serde_json::json!([{"service_request_id": "42", "status_notes": null, "description": "井盖 <缺失> & 破损", "lat": 39.63}])
        );
    }

    #[test]
    fn the_suffix_picks_the_format() {
        assert_eq!(Format::split("services.json"), Some(("services", Format::Json)));
        assert_eq!(Format::split("0101.xml"), Some(("0101", Format::Xml)));
        assert_eq!(Format::split("discovery"), Some(("discovery", Format::Xml)));
        assert_eq!(Format::split("requests.html"), None);
    }
}
