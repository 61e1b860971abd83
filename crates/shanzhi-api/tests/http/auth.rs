//! Accounts through the HTTP API, on SQLite and PostgreSQL: login, lockout, logout, password
//! change, the administrator's first password, and scoped, revocable API keys.

use axum::http::StatusCode;
use chrono::Duration;
use serde_json::{Value, json};

use crate::support::{PASSWORD, T, setups_except};

/// Every demo account but the administrator has the test password.
async fn setups(test: &str) -> Vec<T> {
    setups_except(test, &["admin"]).await
}

/// A request with one authentication header: ("authorization", "Bearer …") or ("x-api-key", "…").
async fn call(t: &T, method: &str, uri: &str, auth: Option<(&str, &str)>, body: Option<Value>) -> (StatusCode, Value) {
    t.raw(method, uri, auth.as_slice(), body).await
}

async fn login(t: &T, user: &str, password: &str) -> (StatusCode, Value) {
    call(t, "POST", "/api/v1/auth/login", None, Some(json!({"username": user, "password": password}))).await
}

async fn token(t: &T, user: &str, password: &str) -> String {
    let (s, v) = login(t, user, password).await;
    assert_eq!(s, StatusCode::OK, "{}: {v}", t.db);
    v["token"].as_str().unwrap().to_string()
}

fn bearer(t: &str) -> String {
    format!("Bearer {t}")
}

#[tokio::test]
async fn login_lockout_logout_and_password_change() {
    for t in setups("auth_login").await {
        // A wrong password and an unknown user get the same answer.
        let (s1, v1) = login(&t, "lixin-wangge", "Wrong@2026-pw").await;
        let (s2, v2) = login(&t, "nobody-at-all", PASSWORD).await;
        assert_eq!((s1, s2), (StatusCode::UNAUTHORIZED, StatusCode::UNAUTHORIZED), "{}", t.db);
        assert_eq!((&v1["code"], &v1["message"]), (&v2["code"], &v2["message"]));
        assert_eq!(v1["details"]["message_zh"], "账号或密码错误", "{}: the console's language too: {v1}", t.db);

        // A login: the token names the account.
        let tok = token(&t, "lixin-wangge", PASSWORD).await;
        let (s, me) = call(&t, "GET", "/api/v1/auth/me", Some(("authorization", &bearer(&tok))), None).await;
        assert_eq!(
            (s, me["username"].as_str(), me["role"].as_str()),
            (StatusCode::OK, Some("lixin-wangge"), Some("grid_worker"))
        );
        let (_, anon) = call(&t, "GET", "/api/v1/auth/me", None, None).await;
        assert_eq!(anon["role"], "resident");

        // Five failures in a row (from one address) lock the name there for 15 minutes, even
        // against the right password.
        for i in 1..=5 {
            let (s, v) = login(&t, "shouli", "Wrong@2026-pw").await;
            let expected = if i < 5 { StatusCode::UNAUTHORIZED } else { StatusCode::LOCKED };
            assert_eq!(s, expected, "{}: attempt {i}: {v}", t.db);
        }
        let (s, v) = login(&t, "shouli", PASSWORD).await;
        assert_eq!((s, v["code"].as_str()), (StatusCode::LOCKED, Some("account_locked")), "{}", t.db);
        assert!(v["details"]["message_zh"].as_str().unwrap().starts_with("登录失败次数过多，已锁定至 20"), "{v}");
        t.clock.advance(Duration::minutes(16));
        let shouli = token(&t, "shouli", PASSWORD).await;
        // A success clears the count: four more failures do not lock.
        for _ in 0..4 {
            assert_eq!(login(&t, "shouli", "Wrong@2026-pw").await.0, StatusCode::UNAUTHORIZED);
        }
        assert_eq!(login(&t, "shouli", PASSWORD).await.0, StatusCode::OK);

        // Password change: the old one must be right and the new one strong; every login ends.
        let other = token(&t, "lixin-wangge", PASSWORD).await;
        let change = |old: &str, new: &str| json!({"old_password": old, "new_password": new});
        let auth = bearer(&tok);
        let (s, v) = call(
            &t,
            "POST",
            "/api/v1/auth/password",
            Some(("authorization", &auth)),
            Some(change("Nope@2026-pw", "Better#2026pw")),
        )
        .await;
        assert_eq!((s.as_u16(), v["details"]["field"].as_str()), (400, Some("old_password")), "{v}");
        let (s, v) = call(
            &t,
            "POST",
            "/api/v1/auth/password",
            Some(("authorization", &auth)),
            Some(change(PASSWORD, "weakpassword")),
        )
        .await;
        assert_eq!((s.as_u16(), v["details"]["field"].as_str()), (400, Some("new_password")), "{v}");
        assert_eq!(v["details"]["message_zh"], "密码须含小写字母、大写字母、数字、符号中的至少三类", "{v}");
        let (s, _) = call(
            &t,
            "POST",
            "/api/v1/auth/password",
            Some(("authorization", &auth)),
            Some(change(PASSWORD, "Better#2026pw")),
        )
        .await;
        assert_eq!(s, StatusCode::NO_CONTENT, "{}", t.db);
        assert_eq!(
            call(&t, "GET", "/api/v1/auth/me", Some(("authorization", &auth)), None).await.0,
            StatusCode::UNAUTHORIZED,
            "{}: the login that changed it ends too (whoever knew the old password may hold it)",
            t.db
        );
        assert_eq!(
            call(&t, "GET", "/api/v1/auth/me", Some(("authorization", &bearer(&other))), None).await.0,
            StatusCode::UNAUTHORIZED,
            "{}: other logins end",
            t.db
        );
        assert_eq!(login(&t, "lixin-wangge", PASSWORD).await.0, StatusCode::UNAUTHORIZED);
        token(&t, "lixin-wangge", "Better#2026pw").await;

        // Logout ends the token at once.
        let (s, _) = call(&t, "POST", "/api/v1/auth/logout", Some(("authorization", &bearer(&shouli))), None).await;
        assert_eq!(s, StatusCode::NO_CONTENT);
        let (s, v) = call(&t, "GET", "/api/v1/auth/me", Some(("authorization", &bearer(&shouli))), None).await;
        assert_eq!((s, v["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("unauthenticated")), "{}", t.db);

        // Tokens expire (12 hours by default).
        let zhiban = token(&t, "zhiban", PASSWORD).await;
        t.clock.advance(Duration::hours(13));
        assert_eq!(
            call(&t, "GET", "/api/v1/auth/me", Some(("authorization", &bearer(&zhiban))), None).await.0,
            StatusCode::UNAUTHORIZED
        );

        // The administrator's first password is set once (from SHANZHI_ADMIN_PASSWORD in the binary).
        assert_eq!(login(&t, "admin", PASSWORD).await.0, StatusCode::UNAUTHORIZED, "admin has no password yet");
        assert!(t.app.bootstrap_admin("Chief#First2026").await.unwrap());
        assert!(!t.app.bootstrap_admin("Chief#Second2026").await.unwrap(), "only the first time");
        token(&t, "admin", "Chief#First2026").await;
        assert!(t.app.bootstrap_admin("weak").await.is_ok(), "a later call changes nothing, weak or not");
    }
}

#[tokio::test]
async fn api_keys_are_scoped_revocable_and_only_for_the_administrator_to_issue() {
    for t in setups("auth_keys").await {
        t.app.set_password("admin", "Chief#First2026").await.unwrap();
        let admin = bearer(&token(&t, "admin", "Chief#First2026").await);
        let worker = bearer(&token(&t, "lixin-wangge", PASSWORD).await);
        let new_key = json!({"name": "drone-01", "username": "device-drone-01", "scope": "report"});
        let (s, _) =
            call(&t, "POST", "/api/v1/admin/api-keys", Some(("authorization", &worker)), Some(new_key.clone())).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{}", t.db);
        let (s, created) =
            call(&t, "POST", "/api/v1/admin/api-keys", Some(("authorization", &admin)), Some(new_key.clone())).await;
        assert_eq!(s, StatusCode::CREATED, "{}: {created}", t.db);
        let key = created["key"].as_str().unwrap().to_string();
        assert!(key.starts_with("szk_"));
        let (s, _) = call(&t, "POST", "/api/v1/admin/api-keys", Some(("authorization", &admin)), Some(new_key)).await;
        assert_eq!(s, StatusCode::CONFLICT, "a name is used once");
        let (s, v) = call(
            &t,
            "POST",
            "/api/v1/admin/api-keys",
            Some(("authorization", &admin)),
            Some(json!({"name": "x", "username": "device-drone-01", "scope": "root"})),
        )
        .await;
        assert_eq!((s.as_u16(), v["details"]["field"].as_str()), (400, Some("scope")));

        // The device reports with its key, as itself.
        let report = json!({"kind": "event", "type": "0905", "description": "无人机巡查发现油污", "lon": 118.17, "lat": 39.62, "channel": "device"});
        let (s, c) = call(&t, "POST", "/api/v1/cases", Some(("x-api-key", &key)), Some(report.clone())).await;
        assert_eq!(s, StatusCode::CREATED, "{}: {c}", t.db);
        let (s, _) =
            call(&t, "POST", "/api/v1/cases", Some(("authorization", &bearer(&key))), Some(report.clone())).await;
        assert_eq!(s, StatusCode::CREATED, "a key also works as a bearer token");
        // In the address a key ends up in logs: only Open311 routes take it there.
        let (s, v) = call(&t, "POST", &format!("/api/v1/cases?api_key={key}"), None, Some(report.clone())).await;
        assert_eq!(
            (s, v["code"].as_str()),
            (StatusCode::UNAUTHORIZED, Some("unauthenticated")),
            "not as ?api_key=: {v}"
        );
        // Outside its scope it is refused.
        let (s, v) = call(&t, "GET", "/api/v1/cases", Some(("x-api-key", &key)), None).await;
        assert_eq!((s, v["code"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden")), "{v}");

        // The list never shows a key; revoking stops it at once.
        let (_, list) = call(&t, "GET", "/api/v1/admin/api-keys", Some(("authorization", &admin)), None).await;
        assert_eq!(list.as_array().unwrap().len(), 1);
        assert!(!list.to_string().contains(&key[4..]));
        let (s, _) = call(&t, "DELETE", "/api/v1/admin/api-keys/drone-01", Some(("authorization", &admin)), None).await;
        assert_eq!(s, StatusCode::NO_CONTENT);
        let (s, _) = call(&t, "POST", "/api/v1/cases", Some(("x-api-key", &key)), Some(report)).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{}", t.db);
        let (s, _) = call(&t, "DELETE", "/api/v1/admin/api-keys/drone-01", Some(("authorization", &admin)), None).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "already revoked");
    }
}

#[tokio::test]
async fn logins_and_anonymous_reports_are_rate_limited_per_client() {
    use axum::body::{Body, to_bytes};
    use axum::http::Request;
    use tower::ServiceExt;
    for t in setups("auth_limits").await {
        let limits =
            shanzhi_api::Limits { logins_per_minute: 3, anonymous_reports_per_minute: 2, ..Default::default() };
        let router = shanzhi_api::router_with(t.app.clone(), limits);
        let send = |uri: &str, body: Value, auth: Option<String>| {
            let mut req = Request::post(uri).header("content-type", "application/json");
            if let Some(a) = auth {
                req = req.header("authorization", a);
            }
            router.clone().oneshot(req.body(Body::from(body.to_string())).unwrap())
        };
        let login = json!({"username": "lixin-wangge", "password": PASSWORD});
        for _ in 0..3 {
            assert_eq!(send("/api/v1/auth/login", login.clone(), None).await.unwrap().status(), StatusCode::OK);
        }
        let res = send("/api/v1/auth/login", login.clone(), None).await.unwrap();
        assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS, "{}", t.db);
        assert!(res.headers().contains_key("retry-after"));
        let v: Value = serde_json::from_slice(&to_bytes(res.into_body(), usize::MAX).await.unwrap()).unwrap();
        assert_eq!(v["code"], "rate_limited");

        let (lon, lat) = t.point_in("130202001001");
        let report = json!({"kind": "event", "type": "0602", "description": "垃圾", "lon": lon, "lat": lat, "channel": "resident_web"});
        for _ in 0..2 {
            assert_eq!(send("/api/v1/cases", report.clone(), None).await.unwrap().status(), StatusCode::CREATED);
        }
        assert_eq!(send("/api/v1/cases", report.clone(), None).await.unwrap().status(), StatusCode::TOO_MANY_REQUESTS);
        // A logged-in reporter is not held back by the anonymous limit.
        let worker = format!("Bearer {}", token(&t, "lixin-wangge", PASSWORD).await);
        let patrol = json!({"kind": "event", "type": "0602", "description": "垃圾", "lon": lon, "lat": lat, "channel": "patrol"});
        assert_eq!(send("/api/v1/cases", patrol, Some(worker)).await.unwrap().status(), StatusCode::CREATED);
    }
}

#[tokio::test]
async fn servers_on_one_database_share_the_limits_when_told_to() {
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt;
    for t in setups("auth_shared_limits").await {
        let limits = shanzhi_api::Limits {
            logins_per_minute: 2,
            anonymous_reports_per_minute: 1,
            shared: true,
            ..Default::default()
        };
        // Two servers: the second has its own connection pool to the same database and shares no memory.
        let other = shanzhi_app::App::open(t.app.store().open_again().await.unwrap(), t.clock.clone()).await.unwrap();
        let servers =
            [shanzhi_api::router_with(t.app.clone(), limits.clone()), shanzhi_api::router_with(other, limits)];
        let send = |server: usize, uri: &str, body: Value, ip: [u8; 4]| {
            let req = Request::post(uri)
                .header("content-type", "application/json")
                .extension(axum::extract::ConnectInfo(std::net::SocketAddr::from((ip, 40000))));
            servers[server].clone().oneshot(req.body(Body::from(body.to_string())).unwrap())
        };
        let login = json!({"username": "lixin-wangge", "password": PASSWORD});
        const CLIENT: [u8; 4] = [203, 0, 113, 7];
        let status = |res: axum::response::Response| {
            (res.status(), res.headers().get("retry-after").map(|v| v.to_str().unwrap().to_string()))
        };
        assert_eq!(send(0, "/api/v1/auth/login", login.clone(), CLIENT).await.unwrap().status(), StatusCode::OK);
        assert_eq!(send(1, "/api/v1/auth/login", login.clone(), CLIENT).await.unwrap().status(), StatusCode::OK);
        // The budget is spent on the two servers together; the window ends a minute after it began.
        let refused = status(send(0, "/api/v1/auth/login", login.clone(), CLIENT).await.unwrap());
        assert_eq!(refused, (StatusCode::TOO_MANY_REQUESTS, Some("60".into())), "{}", t.db);
        t.clock.advance(Duration::seconds(45));
        let refused = status(send(1, "/api/v1/auth/login", login.clone(), CLIENT).await.unwrap());
        assert_eq!(refused, (StatusCode::TOO_MANY_REQUESTS, Some("15".into())), "{}", t.db);
        let other_client = send(1, "/api/v1/auth/login", login.clone(), [198, 51, 100, 4]).await.unwrap();
        assert_eq!(other_client.status(), StatusCode::OK, "{}: another client has its own budget", t.db);

        let (lon, lat) = t.point_in("130202001001");
        let report = json!({"kind": "event", "type": "0602", "description": "垃圾", "lon": lon, "lat": lat, "channel": "resident_web"});
        assert_eq!(send(1, "/api/v1/cases", report.clone(), CLIENT).await.unwrap().status(), StatusCode::CREATED);
        assert_eq!(
            send(0, "/api/v1/cases", report.clone(), CLIENT).await.unwrap().status(),
            StatusCode::TOO_MANY_REQUESTS
        );

        // The next minute has a budget of its own, and the first server to count in it deletes
        // the windows before it.
        t.clock.advance(Duration::seconds(15));
        assert_eq!(send(0, "/api/v1/auth/login", login.clone(), CLIENT).await.unwrap().status(), StatusCode::OK);
        let kept =
            shanzhi_store::testing::query_text(t.app.store(), "SELECT CAST(COUNT(*) AS TEXT) FROM rate_windows").await;
        assert_eq!(kept, "1", "{}: only the new window is kept", t.db);

        // A database that cannot count leaves each server counting on its own, not wide open.
        shanzhi_store::testing::execute_raw(t.app.store(), "DROP TABLE rate_windows").await.unwrap();
        assert_eq!(send(1, "/api/v1/auth/login", login.clone(), CLIENT).await.unwrap().status(), StatusCode::OK);
        assert_eq!(send(1, "/api/v1/auth/login", login.clone(), CLIENT).await.unwrap().status(), StatusCode::OK);
        assert_eq!(
            send(1, "/api/v1/auth/login", login.clone(), CLIENT).await.unwrap().status(),
            StatusCode::TOO_MANY_REQUESTS,
            "{}",
            t.db
        );
    }
}
