//! Attachments on SQLite and PostgreSQL: real images and files uploaded through the router,
//! judged by their content, stored in a real folder through object_store, thumbnailed, used as
//! evidence on a report and an action, and read back only within the reader's data scope.

use crate::support::{T, setups};
use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode};
use serde_json::{Value, json};
use tower::ServiceExt;

/// A real 640×480 PNG (a gradient).
fn png() -> Vec<u8> {
    let img = image::RgbImage::from_fn(640, 480, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 128]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

async fn upload(t: &T, user: Option<&str>, name: &str, bytes: Vec<u8>) -> (StatusCode, Value) {
    let mut req = Request::builder().method("POST").uri(format!("/api/v1/attachments?name={name}"));
    if let Some(u) = user {
        req = req.header("authorization", format!("Bearer {}", t.token(u, false).await));
    }
    let res = shanzhi_api::router(t.app.clone())
        .oneshot(req.header("content-type", "application/octet-stream").body(Body::from(bytes)).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let body = to_bytes(res.into_body(), usize::MAX).await.unwrap();
    (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
}

#[tokio::test]
async fn files_are_judged_by_their_content_and_images_get_thumbnails() {
    for t in setups("att_content").await {
        let photo = png();
        let (s, a) = upload(&t, Some("lixin-wangge"), "before.jpg", photo.clone()).await;
        assert_eq!(s, StatusCode::CREATED, "{}: {a}", t.db);
        assert_eq!(a["media_type"], "image/png", "the content decides, not the name `.jpg`");
        assert_eq!((a["width"].as_u64(), a["height"].as_u64()), (Some(640), Some(480)));
        assert_eq!(a["size"].as_u64(), Some(photo.len() as u64));
        assert_eq!(a["name"], "before.jpg");
        let id = a["id"].as_str().unwrap();
        assert!(id.starts_with("att_") && id.len() == 36);
        // The bytes are on disk under the configured folder, exactly as sent.
        let on_disk = std::fs::read(t.files.path().join("attachments").join(id)).unwrap();
        assert_eq!(on_disk, photo);
        let (s, ct, back) = t.fetch(Some("lixin-wangge"), a["url"].as_str().unwrap()).await;
        assert_eq!((s, ct.as_str(), back == photo), (StatusCode::OK, "image/png", true));
        let (s, ct, thumb) = t.fetch(Some("lixin-wangge"), a["thumbnail_url"].as_str().unwrap()).await;
        assert_eq!((s, ct.as_str()), (StatusCode::OK, "image/jpeg"));
        let small = image::load_from_memory(&thumb).unwrap();
        assert_eq!((small.width(), small.height()), (320, 240), "{}: longer side 320 px", t.db);

        let pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".to_vec();
        let (s, d) = upload(&t, Some("lixin-wangge"), "notice.pdf", pdf).await;
        assert_eq!(
            (s, d["media_type"].as_str(), d["thumbnail_url"].is_null()),
            (StatusCode::CREATED, Some("application/pdf"), true)
        );
        let (s, _, _) = t
            .fetch(Some("lixin-wangge"), &format!("/api/v1/attachments/{}/thumbnail", d["id"].as_str().unwrap()))
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND, "no thumbnail of a PDF");

        let mut fake_jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0];
        fake_jpeg.extend_from_slice(&[7u8; 500]);
        for (bytes, name, says) in [
            (b"MZ\x90\0this is a program".to_vec(), "photo.jpg", "not a JPEG"),
            (Vec::new(), "empty.png", "empty"),
            (fake_jpeg, "broken.jpg", "cannot be read"),
            (vec![0xFF; 10 * 1024 * 1024 + 1], "huge.jpg", "at most"),
        ] {
            let (s, e) = upload(&t, Some("lixin-wangge"), name, bytes).await;
            assert_eq!(
                (s, e["code"].as_str(), e["details"]["field"].as_str()),
                (StatusCode::BAD_REQUEST, Some("invalid_parameter"), Some("file")),
                "{name}"
            );
            assert!(e["message"].as_str().unwrap().contains(says), "{name}: {e}");
        }
        let count = std::fs::read_dir(t.files.path().join("attachments")).unwrap().count();
        assert_eq!(count, 2, "{}: nothing of the refused files was kept", t.db);
    }
}

#[tokio::test]
async fn evidence_follows_the_cases_data_scope() {
    for t in setups("att_scope").await {
        let (_, before) = upload(&t, Some("lixin-wangge"), "before.png", png()).await;
        let before = before["id"].as_str().unwrap().to_string();
        let (lon, lat) = t.point_in("130202001001");
        // References must be uploads that exist, or web addresses.
        for bad in ["photo://evidence-1.jpg", "att_00000000000000000000000000000000"] {
            let (s, e) = t
                .call("POST", "/api/v1/cases", Some("lixin-wangge"), Some(json!({"kind": "event", "type": "0101", "description": "井盖缺失", "lon": lon, "lat": lat, "channel": "patrol", "attachments": [bad]})), None)
                .await;
            assert_eq!(
                (s, e["details"]["field"].as_str()),
                (StatusCode::BAD_REQUEST, Some("attachments")),
                "{bad}: {e}"
            );
        }
        // Someone else's upload cannot be borrowed to gain access to it.
        let (xlon, xlat) = t.point_in("130202001002");
        let (s, e) = t
            .call("POST", "/api/v1/cases", Some("xinyi-wangge"), Some(json!({"kind": "event", "type": "0101", "description": "借用", "lon": xlon, "lat": xlat, "channel": "patrol", "attachments": [before]})), None)
            .await;
        assert_eq!(
            (s, e["details"]["field"].as_str()),
            (StatusCode::BAD_REQUEST, Some("attachments")),
            "{}: {e}",
            t.db
        );
        let c = t
            .report("lixin-wangge", json!({"kind": "event", "type": "0101", "description": "井盖缺失", "lon": lon, "lat": lat, "channel": "patrol", "attachments": [before]}))
            .await;
        let id = c["id"].as_str().unwrap();
        let url = format!("/api/v1/attachments/{before}");
        // Another community's grid worker and a resident do not see it; the city's centre does.
        assert_eq!(t.fetch(Some("xinyi-wangge"), &url).await.0, StatusCode::NOT_FOUND, "{}", t.db);
        assert_eq!(t.fetch(Some("jumin"), &url).await.0, StatusCode::NOT_FOUND);
        assert_eq!(t.fetch(None, &url).await.0, StatusCode::NOT_FOUND);
        assert_eq!(t.fetch(Some("zhiban"), &url).await.0, StatusCode::OK);
        assert_eq!(t.fetch(Some("lunan-gongshui"), &url).await.0, StatusCode::NOT_FOUND, "not yet dispatched to it");
        t.act(2, id, "shouli", json!({"action": "register"})).await;
        t.act(5, id, "zhiban", json!({"action": "file"})).await;
        t.act(5, id, "paiqian", json!({"action": "dispatch"})).await;
        assert_eq!(t.fetch(Some("lunan-gongshui"), &url).await.0, StatusCode::OK, "{}: dispatched to it", t.db);
        // The department's "after" photo, on its feedback.
        let (_, after) = upload(&t, Some("lunan-gongshui"), "after.png", png()).await;
        let after = after["id"].as_str().unwrap().to_string();
        t.act(60, id, "lunan-gongshui", json!({"action": "feedback", "opinion": "已补装", "attachments": [after]}))
            .await;
        let after_url = format!("/api/v1/attachments/{after}/thumbnail");
        assert_eq!(
            t.fetch(Some("lixin-wangge"), &after_url).await.0,
            StatusCode::OK,
            "the grid worker re-checks with it"
        );
        assert_eq!(t.fetch(Some("xinyi-wangge"), &after_url).await.0, StatusCode::NOT_FOUND);
        let (_, detail) = t.call("GET", &format!("/api/v1/cases/{id}"), Some("zhiban"), None, None).await;
        let log = detail["log"].as_array().unwrap();
        assert_eq!(log[0]["attachments"], json!([before]));
        assert_eq!(log.last().unwrap()["attachments"], json!([after]));

        // A resident without an account: upload, report with it, and read it back.
        let (s, mine) = upload(&t, None, "street.png", png()).await;
        assert_eq!(s, StatusCode::CREATED);
        let mine = mine["id"].as_str().unwrap().to_string();
        let (s, _) = t
            .call("POST", "/api/v1/cases", None, Some(json!({"kind": "event", "type": "0602", "description": "垃圾", "lon": lon, "lat": lat, "channel": "resident_web", "attachments": [mine]})), None)
            .await;
        assert_eq!(s, StatusCode::CREATED);
        assert_eq!(t.fetch(Some("zhiban"), &format!("/api/v1/attachments/{mine}")).await.0, StatusCode::OK);
        assert_eq!(
            t.fetch(None, &format!("/api/v1/attachments/{mine}")).await.0,
            StatusCode::NOT_FOUND,
            "anonymous callers share no ownership: one cannot read another's upload"
        );
        let (s, _, _) = t.fetch(Some("zhiban"), "/api/v1/attachments/att_ffffffffffffffffffffffffffffffff").await;
        assert_eq!(s, StatusCode::NOT_FOUND);
    }
}
