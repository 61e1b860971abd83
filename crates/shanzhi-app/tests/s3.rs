//! Attachments in S3-compatible storage (the `s3` feature), against a real S3 server: moto's,
//! which `scripts/s3.sh` starts, pointing the `AWS_*` environment at it. An upload lands in the
//! bucket under its prefix and comes back byte for byte with its thumbnail; a bucket that does
//! not exist fails the upload and records nothing.
#![cfg(feature = "s3")]

use std::sync::Arc;

use bytes::Bytes;
use chrono::{TimeZone, Utc};
use futures_util::TryStreamExt;
use shanzhi_app::clock::ManualClock;
use shanzhi_app::files::Files;
use shanzhi_app::{App, AppError};
use shanzhi_domain::attachments::FilePolicy;
use shanzhi_domain::cases::case::Actor;
use shanzhi_domain::people::Role;

fn png() -> Vec<u8> {
    let img = image::RgbImage::from_fn(640, 480, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 64]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

#[tokio::test]
async fn uploads_and_thumbnails_round_trip_through_s3() {
    let Ok(location) = std::env::var("SHANZHI_TEST_S3_LOCATION") else {
        assert!(std::env::var("SHANZHI_REQUIRE_S3").is_err(), "SHANZHI_REQUIRE_S3 is set but no S3 location is given");
        eprintln!("SKIPPED: no S3 server (scripts/s3.sh starts one and runs this test)");
        return;
    };
    let store = shanzhi_store::testing::sqlite_store("s3").await;
    let clock = Arc::new(ManualClock::new(Utc.with_ymd_and_hms(2026, 11, 30, 8, 0, 0).unwrap()));
    let app = App::open(store.clone(), clock.clone()).await.unwrap();
    let app = app.with_files(Files::open(&location, FilePolicy::default()).unwrap());
    let worker = Actor { user: "lixin-wangge".into(), role: Role::GridWorker, unit: "130202001001".into() };

    let photo = png();
    let record = app.cases().upload(Bytes::from(photo.clone()), Some("井盖.png".into()), &worker).await.unwrap();
    assert_eq!((record.media_type.as_str(), record.width, record.height), ("image/png", Some(640), Some(480)));
    let (_, back) = app.cases().attachment(&record.id, &worker, false).await.unwrap();
    assert_eq!(back.as_ref(), photo.as_slice(), "the same bytes come back");
    let (_, thumb) = app.cases().attachment(&record.id, &worker, true).await.unwrap();
    assert_eq!(&thumb[..2], &[0xFF, 0xD8], "a JPEG thumbnail");

    // Both objects are in the bucket, under the location's prefix.
    let url = url::Url::parse(&location).unwrap();
    let (objects, prefix) = object_store::parse_url_opts(&url, std::env::vars()).unwrap();
    let listed: Vec<_> = objects.list(Some(&prefix)).try_collect().await.unwrap();
    let ours: Vec<String> = listed.iter().map(|m| m.location.to_string()).filter(|p| p.contains(&record.id)).collect();
    assert_eq!(ours.len(), 2, "{ours:?}");
    assert!(ours.iter().all(|p| p.starts_with(prefix.as_ref())), "{ours:?}");

    // A bucket that does not exist: the upload fails as unavailable, and nothing is recorded.
    let missing = location.replacen("s3://", "s3://no-such-bucket-", 1);
    let broken =
        App::open(store, clock).await.unwrap().with_files(Files::open(&missing, FilePolicy::default()).unwrap());
    let err = broken.cases().upload(Bytes::from(photo), None, &worker).await.unwrap_err();
    assert!(matches!(err, AppError::Unavailable(_)), "{err:?}");
    let uploads = app.store().audit_tail(10).await.unwrap();
    assert_eq!(uploads.iter().filter(|e| e.action == "attachment.upload").count(), 1, "{uploads:?}");
}
