//! Personal data at rest: case bodies (descriptions), log bodies (opinions), the answers kept for
//! idempotency keys, and grid workers' and building heads' names and phone numbers are sealed
//! with AES-256-GCM under a key from the configuration, as `sz1:<key id>:<base64(nonce ‖
//! ciphertext)>`. Text without that prefix is read as it is (rows written before a key was set),
//! so a key can be introduced on a running database; a sealed value read without its key (or
//! with another) is an error that names the key id it needs. Keys rotate: the store seals with
//! its current key and opens with it or any of its old keys, and `Store::reseal` (reseal.rs)
//! moves what the old keys sealed to the current one.

use std::sync::Arc;

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};

use crate::{Result, StoreError};

const PREFIX: &str = "sz1:";

/// A data key: 32 bytes, given in the configuration as base64.
#[derive(Clone)]
pub struct DataKey {
    cipher: Arc<Aes256Gcm>,
    /// The first 8 hex digits of the key's SHA-256: which key sealed a value.
    id: String,
}

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DataKey({})", self.id)
    }
}

impl DataKey {
    /// A key from its base64 text (32 bytes once decoded).
    pub fn from_base64(text: &str) -> std::result::Result<DataKey, String> {
        let bytes = STANDARD.decode(text.trim()).map_err(|e| format!("the data key is not base64: {e}"))?;
        if bytes.len() != 32 {
            return Err(format!("the data key must be 32 bytes (44 base64 characters), not {}", bytes.len()));
        }
        let id = Sha256::digest(&bytes).iter().take(4).map(|b| format!("{b:02x}")).collect();
        let cipher = Aes256Gcm::new_from_slice(&bytes).map_err(|e| e.to_string())?;
        Ok(DataKey { cipher: Arc::new(cipher), id })
    }

    /// A new random key, as base64 (for `shanzhi datakey` and the demo's own key).
    pub fn generate() -> String {
        STANDARD.encode(rand::random::<[u8; 32]>())
    }

    pub fn id(&self) -> &str {
        &self.id
    }
}

/// Seals stored text with the store's current key, if it has one, and opens it with that key or
/// one of the old keys.
#[derive(Clone, Default, Debug)]
pub(crate) struct Sealer {
    current: Option<DataKey>,
    old: Vec<DataKey>,
}

impl Sealer {
    pub(crate) fn new(current: Option<DataKey>, old: Vec<DataKey>) -> Sealer {
        Sealer { current, old }
    }

    pub(crate) fn current(&self) -> Option<&DataKey> {
        self.current.as_ref()
    }

    /// How a value sealed with the current key begins (none without a key).
    pub(crate) fn current_prefix(&self) -> Option<String> {
        self.current.as_ref().map(|k| format!("{PREFIX}{}:", k.id))
    }

    /// The text as stored: sealed when there is a key.
    pub(crate) fn seal(&self, plain: &str) -> String {
        let Some(key) = &self.current else { return plain.to_string() };
        let nonce: [u8; 12] = rand::random();
        let sealed = key.cipher.encrypt(&Nonce::from(nonce), plain.as_bytes()).expect("AES-GCM sealing");
        let mut bytes = nonce.to_vec();
        bytes.extend_from_slice(&sealed);
        format!("{PREFIX}{}:{}", key.id, STANDARD.encode(bytes))
    }

    /// The text from what is stored.
    pub(crate) fn open(&self, stored: String) -> Result<String> {
        let Some(rest) = stored.strip_prefix(PREFIX) else { return Ok(stored) };
        let (id, data) =
            rest.split_once(':').ok_or_else(|| StoreError::Corrupt("a sealed value without a key id".into()))?;
        let key = match (self.current.iter().chain(&self.old).find(|k| k.id == id), &self.current) {
            (Some(k), _) => k,
            (None, Some(k)) => {
                return Err(StoreError::Corrupt(format!(
                    "personal data is sealed with data key {id}, but the configured key is {} \
                     (give the key that sealed it in `old_data_keys`)",
                    k.id
                )));
            }
            (None, None) => {
                return Err(StoreError::Corrupt(format!(
                    "personal data is sealed with data key {id}; configure that key (`data_key`)"
                )));
            }
        };
        let bytes = STANDARD.decode(data).map_err(|e| StoreError::Corrupt(format!("a sealed value: {e}")))?;
        if bytes.len() < 12 {
            return Err(StoreError::Corrupt("a sealed value too short".into()));
        }
        let (nonce, sealed) = bytes.split_at(12);
        let nonce: [u8; 12] = nonce.try_into().expect("12 bytes");
        let plain = key
            .cipher
            .decrypt(&Nonce::from(nonce), sealed)
            .map_err(|_| StoreError::Corrupt(format!("a value sealed with data key {id} fails its check (altered)")))?;
        String::from_utf8(plain).map_err(|e| StoreError::Corrupt(format!("a sealed value: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_text_opens_only_with_its_key_and_plain_text_passes() {
        let key = DataKey::from_base64(&DataKey::generate()).unwrap();
        let s = Sealer::new(Some(key.clone()), Vec::new());
        let sealed = s.seal("王芳 13812345678");
        assert!(sealed.starts_with(&format!("sz1:{}:", key.id())) && !sealed.contains("1381234"), "{sealed}");
        assert_ne!(s.seal("王芳 13812345678"), sealed, "a fresh nonce each time");
        assert_eq!(s.open(sealed.clone()).unwrap(), "王芳 13812345678");
        assert_eq!(s.open("rows from before".into()).unwrap(), "rows from before");

        let new_key = DataKey::from_base64(&DataKey::generate()).unwrap();
        let other = Sealer::new(Some(new_key.clone()), Vec::new());
        assert!(other.open(sealed.clone()).unwrap_err().to_string().contains(key.id()));
        let rotated = Sealer::new(Some(new_key.clone()), vec![key.clone()]);
        assert_eq!(rotated.open(sealed.clone()).unwrap(), "王芳 13812345678", "old keys still open");
        assert!(rotated.seal("x").starts_with(&rotated.current_prefix().unwrap()), "the current key seals");
        assert!(rotated.current_prefix().unwrap().contains(new_key.id()));
        assert!(Sealer::default().open(sealed.clone()).unwrap_err().to_string().contains("configure"));
        let mut altered = sealed.clone();
        altered.replace_range(altered.len() - 6..altered.len() - 2, "AAAA");
        assert!(s.open(altered).is_err());
        assert_eq!(Sealer::default().seal("plain"), "plain");
        assert!(DataKey::from_base64("c2hvcnQ=").unwrap_err().contains("32 bytes"));
    }
}
