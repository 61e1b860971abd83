//! Attachments: uploads checked on their content (size, kind, and for images a full decode),
//! stored through `object_store` (a local folder by default, flushed to disk before the answer;
//! S3-compatible storage with the `s3` feature), a JPEG thumbnail for each image, and reading
//! within the reader's data scope: one's own uploads, or files of cases one may see. Attachments
//! belong to cases: uploading and reading them are the `Cases` service's (`upload`, `attachment`).

use std::io::Cursor;
use std::path::PathBuf;
use std::sync::Arc;

use bytes::Bytes;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use rand::RngCore;
use shanzhi_domain::attachments::{FilePolicy, Reference, reference};
use shanzhi_domain::cases::case::Actor;
pub use shanzhi_store::AttachmentRecord;

use crate::cases::Cases;
use crate::{App, AppError};

/// The most attachments one report, action or note (or one field of a kind) may name: each is
/// looked up before anything is written.
pub const MAX_ATTACHMENTS: usize = 200;

/// Where attachments are kept, and the upload policy.
#[derive(Clone)]
pub struct Files {
    objects: Arc<dyn ObjectStore>,
    /// The folder of a local store, so each file is flushed to disk before the upload is answered.
    local: Option<PathBuf>,
    policy: FilePolicy,
}

impl Files {
    /// A store from a location: a folder (`shanzhi-files`, `/var/lib/shanzhi/files`,
    /// `file:///…`), or with the `s3` feature `s3://bucket/prefix` (credentials and endpoint
    /// from the `AWS_*` environment, so any S3-compatible service works).
    pub fn open(location: &str, policy: FilePolicy) -> Result<Files, AppError> {
        if location.starts_with("s3://") {
            return Self::open_s3(location, policy);
        }
        let dir = PathBuf::from(location.strip_prefix("file://").unwrap_or(location));
        std::fs::create_dir_all(&dir)
            .map_err(|e| AppError::invalid("files.location", format!("cannot create {}: {e}", dir.display())))?;
        let dir = dir.canonicalize().map_err(|e| AppError::invalid("files.location", e.to_string()))?;
        let objects = object_store::local::LocalFileSystem::new_with_prefix(&dir)
            .map_err(|e| AppError::invalid("files.location", e.to_string()))?;
        Ok(Files { objects: Arc::new(objects), local: Some(dir), policy })
    }

    #[cfg(feature = "s3")]
    fn open_s3(location: &str, policy: FilePolicy) -> Result<Files, AppError> {
        let url = url::Url::parse(location).map_err(|e| AppError::invalid("files.location", e.to_string()))?;
        // The HTTP client's TLS uses the process's rustls provider: ring (an error means one is
        // already installed, which serves as well).
        let _ = rustls::crypto::ring::default_provider().install_default();
        let (objects, prefix) = object_store::parse_url_opts(&url, std::env::vars())
            .map_err(|e| AppError::invalid("files.location", e.to_string()))?;
        let objects: Arc<dyn ObjectStore> = Arc::new(object_store::prefix::PrefixStore::new(objects, prefix));
        Ok(Files { objects, local: None, policy })
    }

    #[cfg(not(feature = "s3"))]
    fn open_s3(_: &str, _: FilePolicy) -> Result<Files, AppError> {
        Err(AppError::invalid("files.location", "this build has no S3 support: build with `--features s3`"))
    }

    async fn put(&self, key: &str, bytes: Bytes) -> Result<(), AppError> {
        let path = ObjectPath::from(key);
        self.objects.put(&path, PutPayload::from(bytes)).await.map_err(|e| AppError::Unavailable(e.to_string()))?;
        if let Some(dir) = &self.local {
            // The local store renames a finished file into place; make the file and its directory
            // entry durable before answering.
            let file = dir.join(key);
            tokio::task::spawn_blocking(move || {
                std::fs::File::open(&file)?.sync_all()?;
                match file.parent() {
                    Some(folder) => std::fs::File::open(folder)?.sync_all(),
                    None => Ok(()),
                }
            })
            .await
            .map_err(AppError::internal)?
            .map_err(|e| AppError::Unavailable(e.to_string()))?;
        }
        Ok(())
    }

    async fn get(&self, key: &str) -> Result<Bytes, AppError> {
        let got = self.objects.get(&ObjectPath::from(key)).await.map_err(|e| match e {
            object_store::Error::NotFound { .. } => AppError::NotFound { what: format!("file {key}") },
            e => AppError::Unavailable(e.to_string()),
        })?;
        got.bytes().await.map_err(|e| AppError::Unavailable(e.to_string()))
    }
}

/// An image's size and its thumbnail (JPEG), or why it cannot be read.
fn thumbnail(bytes: &[u8], policy: &FilePolicy) -> Result<(u32, u32, Vec<u8>), String> {
    let reader = || image::ImageReader::new(Cursor::new(bytes)).with_guessed_format().map_err(|e| e.to_string());
    let (w, h) = reader()?.into_dimensions().map_err(|e| e.to_string())?;
    if u64::from(w) * u64::from(h) > policy.max_pixels {
        return Err(format!("{w}×{h} pixels is more than the {} accepted", policy.max_pixels));
    }
    let image = reader()?.decode().map_err(|e| e.to_string())?;
    let small = image.thumbnail(policy.thumbnail_px, policy.thumbnail_px);
    let mut out = Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(small.to_rgb8())
        .write_to(&mut out, image::ImageFormat::Jpeg)
        .map_err(|e| e.to_string())?;
    Ok((w, h, out.into_inner()))
}

fn object_key(id: &str) -> String {
    format!("attachments/{id}")
}

fn thumbnail_key(id: &str) -> String {
    format!("thumbnails/{id}.jpg")
}

impl App {
    fn files(&self) -> Result<&Files, AppError> {
        self.files.as_deref().ok_or_else(|| AppError::Unavailable("no file store is configured".into()))
    }
}

impl Cases<'_> {
    /// Stores an upload: checked on its content, written (and flushed) before it is recorded, and
    /// recorded before the answer. `name` is kept for display only.
    pub async fn upload(
        &self,
        bytes: Bytes,
        name: Option<String>,
        actor: &Actor,
    ) -> Result<AttachmentRecord, AppError> {
        let files = self.app.files()?;
        let kind = files.policy.inspect(&bytes).map_err(|p| AppError::invalid("file", p.to_string()))?;
        let name = name.map(|n| n.chars().filter(|c| !c.is_control()).take(200).collect::<String>());
        let (size, thumb) = if kind.is_image() {
            let (b, policy) = (bytes.clone(), files.policy.clone());
            let made = tokio::task::spawn_blocking(move || thumbnail(&b, &policy)).await.map_err(AppError::internal)?;
            let (w, h, t) = made.map_err(|e| AppError::invalid("file", format!("the image cannot be read: {e}")))?;
            (Some((w, h)), Some(t))
        } else {
            (None, None)
        };
        let mut raw = [0u8; 16];
        rand::rng().fill_bytes(&mut raw);
        let id = format!("att_{}", raw.iter().map(|b| format!("{b:02x}")).collect::<String>());
        let sha256 = {
            use sha2::Digest;
            let d = sha2::Sha256::digest(&bytes);
            d.iter().map(|b| format!("{b:02x}")).collect::<String>()
        };
        let record = AttachmentRecord {
            id: id.clone(),
            media_type: kind.media_type().into(),
            size: bytes.len() as u64,
            width: size.map(|s| s.0),
            height: size.map(|s| s.1),
            thumbnail: thumb.is_some(),
            name,
            sha256,
            uploaded_by: actor.user.clone(),
            uploaded_at: self.app.clock().now(),
        };
        let stored = async {
            files.put(&object_key(&id), bytes).await?;
            if let Some(t) = thumb {
                files.put(&thumbnail_key(&id), Bytes::from(t)).await?;
            }
            self.app.store().insert_attachment(&record).await?;
            Ok::<(), AppError>(())
        };
        if let Err(e) = stored.await {
            // Nothing recorded: leave no bytes behind either.
            for key in [object_key(&id), thumbnail_key(&id)] {
                let _ = files.objects.delete(&ObjectPath::from(key)).await;
            }
            return Err(e);
        }
        self.app
            .audit(&actor.user, "attachment.upload", id, format!("{} {} bytes", record.media_type, record.size))
            .await?;
        Ok(record)
    }

    /// Whether an account may read (and so reference) an attachment: an account's own upload, or
    /// one that a case in its data scope references. Anonymous callers own nothing: an anonymous
    /// upload is referenced by its id alone (a 128-bit capability, never published).
    async fn may_read(&self, record: &AttachmentRecord, actor: &Actor) -> Result<bool, AppError> {
        if record.uploaded_by == actor.user && !actor.is_anonymous() {
            return Ok(true);
        }
        let scope = self.app.scope_of(actor);
        for case in self.app.store().attachment_cases(&record.id).await? {
            if self.app.store().load_case(case, &scope).await.is_ok() {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// An attachment the reader may see (their own upload, or one a case in their scope
    /// references) with its bytes, or its thumbnail; `NotFound` otherwise.
    pub async fn attachment(
        &self,
        id: &str,
        actor: &Actor,
        thumbnail: bool,
    ) -> Result<(AttachmentRecord, Bytes), AppError> {
        let not_found = || AppError::NotFound { what: format!("attachment {id}") };
        let record = self.app.store().attachment(id).await?.ok_or_else(not_found)?;
        if !self.may_read(&record, actor).await? {
            return Err(not_found());
        }
        let bytes = self.file_bytes(&record, thumbnail).await?;
        Ok((record, bytes))
    }

    /// The bytes of a recorded attachment, or of its thumbnail, for a reader already allowed.
    pub(crate) async fn file_bytes(&self, record: &AttachmentRecord, thumbnail: bool) -> Result<Bytes, AppError> {
        let files = self.app.files()?;
        let id = &record.id;
        if thumbnail {
            if !record.thumbnail {
                return Err(AppError::NotFound { what: format!("a thumbnail of {id} (not an image)") });
            }
            files.get(&thumbnail_key(id)).await
        } else {
            files.get(&object_key(id)).await
        }
    }

    /// Checks what a report or an action references: web addresses, or uploads the actor may
    /// reference (their own, one they may already read, or an anonymous upload by an anonymous
    /// reporter); anything else is refused as if it did not exist.
    pub(crate) async fn check_attachments(&self, list: &[String], actor: &Actor) -> Result<(), AppError> {
        self.check_attachments_in("attachments", list, actor).await
    }

    /// [`Cases::check_attachments`] for the attachments of a field (named in the errors).
    pub(crate) async fn check_attachments_in(
        &self,
        field: &str,
        list: &[String],
        actor: &Actor,
    ) -> Result<(), AppError> {
        if list.len() > MAX_ATTACHMENTS {
            return Err(AppError::invalid(field, format!("at most {MAX_ATTACHMENTS} attachments at once"))
                .with_zh(format!("一次最多 {MAX_ATTACHMENTS} 个附件")));
        }
        for a in list {
            let Reference::Uploaded(id) = reference(a).map_err(|e| AppError::invalid(field, e))? else {
                continue;
            };
            let record = self.app.store().attachment(id).await?;
            let allowed = match &record {
                None => false,
                Some(r) if actor.is_anonymous() => r.uploaded_by == Actor::ANONYMOUS,
                Some(r) => self.may_read(r, actor).await?,
            };
            if !allowed {
                return Err(AppError::invalid(field, format!("{id} was never uploaded")));
            }
        }
        Ok(())
    }
}
