//! Editing a reference file in place (the taxonomy's types, the calendar's holidays): the TOML
//! text in force is rewritten where one item changes, with `toml_edit`, every other line
//! (comments included) kept, under a new version name; the result is checked like any import.

use thiserror::Error;
use toml_edit::{ArrayOfTables, DocumentMut, Item, Table};

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EditError {
    #[error("the version in force cannot be read as TOML: {0}")]
    Source(String),
    #[error("{0} is not in the version in force")]
    Unknown(String),
    #[error("a new version needs a name")]
    NoVersion,
}

/// The file `source`, parsed, with `version` written at `path` (`["catalogue", "version"]`).
pub fn open(source: &str, version: &str, path: &[&str]) -> Result<DocumentMut, EditError> {
    let version = version.trim();
    if version.is_empty() {
        return Err(EditError::NoVersion);
    }
    let mut doc: DocumentMut = source.parse().map_err(|e: toml_edit::TomlError| EditError::Source(e.to_string()))?;
    let (last, parents) = path.split_last().expect("a version path");
    let mut table: &mut Item = doc.as_item_mut();
    for p in parents {
        table = &mut table[*p];
    }
    replace_value(&mut table[*last], version);
    Ok(doc)
}

/// Sets `slot` to `value`, keeping the comment written after the old value on its line.
pub fn replace_value(slot: &mut Item, value: impl Into<toml_edit::Value>) {
    let mut value = value.into();
    if let Some(comment) = slot.as_value().and_then(|v| v.decor().suffix().cloned()) {
        value.decor_mut().set_suffix(comment);
    }
    *slot = Item::Value(value);
}

/// The tables of the array `key` (`[[type]]`, `[[holiday]]`), or `what` unknown.
pub fn tables<'d>(doc: &'d mut DocumentMut, key: &str, what: &str) -> Result<&'d mut ArrayOfTables, EditError> {
    doc.get_mut(key).and_then(Item::as_array_of_tables_mut).ok_or_else(|| EditError::Unknown(what.to_string()))
}

/// Sets a string field, trimmed.
pub fn set_text(t: &mut Table, key: &str, text: &str) {
    t[key] = toml_edit::value(text.trim());
}

/// Sets a list of strings (removed when empty and `drop_empty`).
pub fn set_list<'a>(t: &mut Table, key: &str, items: impl IntoIterator<Item = &'a str>, drop_empty: bool) {
    let list: toml_edit::Array = items.into_iter().collect();
    if list.is_empty() && drop_empty {
        t.remove(key);
    } else {
        t[key] = toml_edit::value(list);
    }
}
