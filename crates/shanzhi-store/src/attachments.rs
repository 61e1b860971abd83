//! Attachment records (the bytes live in the object store, written by the application first) and
//! the links from cases to the attachments their log entries reference.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use shanzhi_domain::attachments::is_attachment_id;
use shanzhi_domain::cases::case::LogEntry;

use crate::entity::{attachment, attachment_link};
use crate::{Result, Store};

/// An uploaded file's record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentRecord {
    pub id: String,
    pub media_type: String,
    pub size: u64,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub thumbnail: bool,
    pub name: Option<String>,
    pub sha256: String,
    pub uploaded_by: String,
    pub uploaded_at: DateTime<Utc>,
}

fn decode(m: attachment::Model) -> AttachmentRecord {
    AttachmentRecord {
        id: m.id,
        media_type: m.media_type,
        size: m.size.max(0) as u64,
        width: m.width.map(|w| w.max(0) as u32),
        height: m.height.map(|h| h.max(0) as u32),
        thumbnail: m.thumbnail,
        name: m.name,
        sha256: m.sha256,
        uploaded_by: m.uploaded_by,
        uploaded_at: m.uploaded_at,
    }
}

/// The links of log entries to the uploaded attachments they reference: (attachment, county, case).
pub(crate) fn link_rows<'a>(
    county: &str,
    id: i64,
    entries: impl IntoIterator<Item = &'a LogEntry>,
) -> Vec<(String, String, i64)> {
    entries
        .into_iter()
        .flat_map(|e| e.attachments.iter())
        .filter(|a| is_attachment_id(a))
        .map(|a| (a.clone(), county.to_string(), id))
        .collect()
}

/// Records links (insert-only; a link already there is kept).
pub(crate) async fn add_links(txn: &impl ConnectionTrait, rows: Vec<(String, String, i64)>) -> Result<()> {
    for chunk in rows.chunks(500) {
        let models = chunk.iter().map(|(a, county, id)| attachment_link::ActiveModel {
            attachment: Set(a.clone()),
            county_code: Set(county.clone()),
            case_id: Set(*id),
        });
        attachment_link::Entity::insert_many(models)
            .on_conflict(
                sea_orm::sea_query::OnConflict::columns([
                    attachment_link::Column::Attachment,
                    attachment_link::Column::CountyCode,
                    attachment_link::Column::CaseId,
                ])
                .do_nothing()
                .to_owned(),
            )
            .exec_without_returning(txn)
            .await?;
    }
    Ok(())
}

impl Store {
    /// Records an uploaded file (its bytes are already stored).
    pub async fn insert_attachment(&self, r: &AttachmentRecord) -> Result<()> {
        let m = attachment::ActiveModel {
            id: Set(r.id.clone()),
            media_type: Set(r.media_type.clone()),
            size: Set(r.size as i64),
            width: Set(r.width.map(|w| w as i32)),
            height: Set(r.height.map(|h| h as i32)),
            thumbnail: Set(r.thumbnail),
            name: Set(r.name.clone()),
            sha256: Set(r.sha256.clone()),
            uploaded_by: Set(r.uploaded_by.clone()),
            uploaded_at: Set(r.uploaded_at),
        };
        attachment::Entity::insert(m).exec_without_returning(self.db()).await?;
        Ok(())
    }

    pub async fn attachment(&self, id: &str) -> Result<Option<AttachmentRecord>> {
        Ok(attachment::Entity::find_by_id(id.to_string()).one(self.db()).await?.map(decode))
    }

    /// The cases that reference an attachment.
    pub async fn attachment_cases(&self, id: &str) -> Result<Vec<i64>> {
        let rows =
            attachment_link::Entity::find().filter(attachment_link::Column::Attachment.eq(id)).all(self.db()).await?;
        Ok(rows.into_iter().map(|m| m.case_id).collect())
    }
}
