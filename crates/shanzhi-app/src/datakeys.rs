//! Key rotation as a use case: re-sealing personal data under the current data key, recorded in
//! the audit chain (who ran it is the system; how many rows of each table moved to which key).

use shanzhi_store::ResealReport;

use crate::{App, AppError};

impl App {
    /// Re-seals every value not sealed with the current data key (`shanzhi datakey reseal`),
    /// reporting (table, rows done, rows to do) as it goes, and audits the outcome.
    pub async fn reseal(&self, progress: impl FnMut(&'static str, u64, u64)) -> Result<ResealReport, AppError> {
        let report = self.store().reseal(progress).await?;
        let mut detail = report.tables.iter().map(|(t, n)| format!("{t}={n}")).collect::<Vec<_>>().join(" ");
        detail.push_str(&format!(" remaining={}", report.remaining));
        self.audit("system", "datakey.reseal", &format!("key:{}", report.key), &detail).await?;
        Ok(report)
    }
}
