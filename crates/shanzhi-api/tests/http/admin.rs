//! Administration over HTTP, on SQLite and PostgreSQL: only the city administrator; accounts
//! created (bad names, units that do not fit the role and weak passwords refused), changed,
//! disabled (logins and API keys stop at once) and enabled; roles with their data scope and
//! actions; reference data checked, imported and read back; grids checked and imported with a
//! validation report; the work calendar.

use crate::support::{PASSWORD, setups};
use axum::http::StatusCode;
use serde_json::{Value, json};

const CALENDAR: &str = include_str!("../../../../data/calendar/cn-2025-2027.toml");

fn names(v: &Value) -> Vec<&str> {
    v["items"].as_array().unwrap().iter().map(|u| u["username"].as_str().unwrap()).collect()
}

#[tokio::test]
async fn administrators_manage_accounts_reference_data_and_grids() {
    for t in setups("admin").await {
        let db = t.db.clone();
        let admin = Some("admin");
        let bearer = format!("Bearer {}", t.token("admin", false).await);
        let h = [("authorization", bearer.as_str())];
        let login = |user: &'static str, password: &'static str| {
            let t = &t;
            async move {
                t.send("POST", "/api/v1/auth/login", None, Some(json!({"username": user, "password": password})), None)
                    .await
            }
        };

        // Only the city administrator.
        let (s, _) = t.call("GET", "/api/v1/admin/users", Some("zhiban"), None, None).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{db}");
        let (s, _) = t.call("GET", "/api/v1/admin/users", None, None, None).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{db}");
        for (method, uri) in [
            ("PATCH", "/api/v1/admin/users/jumin"),
            ("POST", "/api/v1/admin/users/jumin/password"),
            ("POST", "/api/v1/admin/reference/calendar?dry_run=true"),
            ("GET", "/api/v1/admin/grids"),
            ("GET", "/api/v1/admin/roles"),
        ] {
            let (s, _) = t.call(method, uri, Some("zhiban"), Some(json!({"password": "Xx-123456789"})), None).await;
            assert_eq!(s, StatusCode::FORBIDDEN, "{db}: {method} {uri} by a shift supervisor");
        }
        // An administrator's API key administers only with the full scope: a read key (made for a
        // reporting system) reads no accounts, a report key changes none.
        for (scope, method, want) in [
            ("read", "GET", StatusCode::FORBIDDEN),
            ("report", "PATCH", StatusCode::FORBIDDEN),
            ("full", "GET", StatusCode::OK),
        ] {
            let (_, k) = t
                .call(
                    "POST",
                    "/api/v1/admin/api-keys",
                    admin,
                    Some(json!({"name": format!("admin-{scope}"), "username": "admin", "scope": scope})),
                    None,
                )
                .await;
            let key = k["key"].as_str().unwrap().to_string();
            let body = (method == "PATCH").then(|| json!({"display_name": "改名"}));
            let (s, _) = t.raw(method, "/api/v1/admin/users/jumin", &[("x-api-key", &key)], body).await;
            assert_eq!(s, want, "{db}: {method} with a {scope} key");
        }

        // Filters and pages.
        let (s, v) = t.call("GET", "/api/v1/admin/users?role=grid_worker", admin, None, None).await;
        assert_eq!(s, StatusCode::OK, "{db}: {v}");
        assert_eq!(names(&v), ["lixin-wangge", "qiaotun-wangge", "xinyi-wangge"], "{db}");
        assert_eq!(v["items"][0]["unit_name"], "立新东楼社区居民委员会", "{db}: {v}");
        let (_, v) = t.call("GET", "/api/v1/admin/users?q=wangge&unit=130202", admin, None, None).await;
        assert_eq!(names(&v), ["lixin-wangge", "xinyi-wangge"], "{db}");
        let (_, all) = t.call("GET", "/api/v1/admin/users?per_page=200", admin, None, None).await;
        let (_, v) = t.call("GET", "/api/v1/admin/users?per_page=5&page=2", admin, None, None).await;
        assert_eq!((v["total"].as_u64(), names(&v)), (Some(17), names(&all)[5..10].to_vec()), "{db}");
        for wild in ["%", "_", "\\"] {
            let (_, v) =
                t.call("GET", &format!("/api/v1/admin/users?q={}", wild.replace('%', "%25")), admin, None, None).await;
            assert_eq!(v["total"], 0, "{db}: `{wild}` is a character, not a pattern");
        }
        let (s, v) = t.call("GET", "/api/v1/admin/users?role=mayor", admin, None, None).await;
        assert_eq!((s, v["details"]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("role")), "{db}");

        // What is refused, naming the field; nothing is written.
        let new = |username: &str, role: &str, unit: &str, password: &str| json!({"username": username, "display_name": "新谊社区网格员 林峰", "role": role, "unit": unit, "password": password});
        let community = "130202001002:residents_committee";
        for (body, field) in [
            (new("anonymous", "grid_worker", community, "Lin-Feng-2026"), "username"),
            (new("anon:1234", "grid_worker", community, "Lin-Feng-2026"), "username"),
            (new("Linfeng", "grid_worker", community, "Lin-Feng-2026"), "username"),
            (new("linfeng", "grid_worker", "130202:urban-management", "Lin-Feng-2026"), "unit"),
            (new("linfeng", "grid_worker", "130202001002:nowhere", "Lin-Feng-2026"), "unit"),
            (new("linfeng", "mayor", community, "Lin-Feng-2026"), "role"),
            (new("linfeng", "grid_worker", community, "password"), "password"),
            // A county's command centre has no city administrators.
            (new("linfeng", "city_admin", "130202:command_centre", "Lin-Feng-2026"), "unit"),
        ] {
            let (s, v) = t.call("POST", "/api/v1/admin/users", admin, Some(body.clone()), None).await;
            assert_eq!(
                (s, v["details"]["field"].as_str()),
                (StatusCode::BAD_REQUEST, Some(field)),
                "{db}: {body}: {v}"
            );
        }
        let (_, v) = t.call("GET", "/api/v1/admin/users?q=linfeng", admin, None, None).await;
        assert_eq!(v["total"], 0, "{db}");

        // Created, it logs in with its role and unit; the name cannot be taken twice.
        let body = new("linfeng", "grid_worker", community, "Lin-Feng-2026");
        let (s, v) = t.call("POST", "/api/v1/admin/users", admin, Some(body.clone()), None).await;
        assert_eq!(s, StatusCode::CREATED, "{db}: {v}");
        assert_eq!(
            (v["has_password"].as_bool(), v["unit_name"].as_str()),
            (Some(true), Some("新谊社区居民委员会")),
            "{db}"
        );
        let (s, _) = t.call("POST", "/api/v1/admin/users", admin, Some(body), None).await;
        assert_eq!(s, StatusCode::CONFLICT, "{db}");
        let (s, session) = login("linfeng", "Lin-Feng-2026").await;
        assert_eq!((s, session["user"]["role"].as_str()), (StatusCode::OK, Some("grid_worker")), "{db}: {session}");
        let token = session["token"].as_str().unwrap().to_string();
        let (s, _) = t.send("GET", "/api/v1/overview", Some(&token), None, None).await;
        assert_eq!(s, StatusCode::OK, "{db}");
        let (s, created) = t
            .call(
                "POST",
                "/api/v1/admin/api-keys",
                admin,
                Some(json!({"name": "linfeng-pad", "username": "linfeng", "scope": "read"})),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{db}: {created}");
        let key = created["key"].as_str().unwrap().to_string();
        let (s, _) = t.raw("GET", "/api/v1/cases", &[("x-api-key", &key)], None).await;
        assert_eq!(s, StatusCode::OK, "{db}");

        // A new role ends its logins at once; the next login has the new role.
        let (s, v) = t
            .call("PATCH", "/api/v1/admin/users/linfeng", admin, Some(json!({"role": "residents_committee"})), None)
            .await;
        assert_eq!((s, v["role"].as_str()), (StatusCode::OK, Some("residents_committee")), "{db}: {v}");
        let (s, _) = t.send("GET", "/api/v1/overview", Some(&token), None, None).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{db}: the old login still works");
        let (s, v) = t
            .call("PATCH", "/api/v1/admin/users/linfeng", admin, Some(json!({"role": "department_handler"})), None)
            .await;
        assert_eq!(
            (s, v["details"]["field"].as_str()),
            (StatusCode::BAD_REQUEST, Some("unit")),
            "{db}: a committee is no department"
        );

        // Disabled: its live login and its API key stop at once, and it cannot log in; enabled
        // again, it logs in and its key works again (a key follows its account).
        let (s, session) = login("linfeng", "Lin-Feng-2026").await;
        assert_eq!((s, session["user"]["role"].as_str()), (StatusCode::OK, Some("residents_committee")), "{db}");
        let token = session["token"].as_str().unwrap().to_string();
        let (s, _) = t.raw("GET", "/api/v1/cases", &[("x-api-key", &key)], None).await;
        assert_eq!(s, StatusCode::OK, "{db}: the key follows the account's new role");
        let (s, _) = t.send("GET", "/api/v1/cases", Some(&token), None, None).await;
        assert_eq!(s, StatusCode::OK, "{db}");
        let (s, v) = t.call("PATCH", "/api/v1/admin/users/linfeng", admin, Some(json!({"disabled": true})), None).await;
        assert_eq!(s, StatusCode::OK, "{db}: {v}");
        assert!(v["disabled_at"].is_string(), "{db}: {v}");
        let (s, _) = t.send("GET", "/api/v1/cases", Some(&token), None, None).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{db}: a disabled account's login still works");
        let (s, _) = login("linfeng", "Lin-Feng-2026").await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{db}: a disabled account logged in");
        let (s, _) = t.raw("GET", "/api/v1/cases", &[("x-api-key", &key)], None).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{db}: a disabled account's key still works");
        let (_, v) = t.call("GET", "/api/v1/admin/users?disabled=true", admin, None, None).await;
        assert_eq!(names(&v), ["linfeng"], "{db}");
        let (s, _) =
            t.call("PATCH", "/api/v1/admin/users/linfeng", admin, Some(json!({"disabled": false})), None).await;
        assert_eq!(s, StatusCode::OK, "{db}");
        let (s, _) = login("linfeng", "Lin-Feng-2026").await;
        assert_eq!(s, StatusCode::OK, "{db}");
        let (s, _) = t.raw("GET", "/api/v1/cases", &[("x-api-key", &key)], None).await;
        assert_eq!(s, StatusCode::OK, "{db}: the key of an enabled account");

        // A new password replaces the old one.
        let (s, _) = t
            .call(
                "POST",
                "/api/v1/admin/users/linfeng/password",
                admin,
                Some(json!({"password": "Another-2026!"})),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::NO_CONTENT, "{db}");
        assert_eq!(login("linfeng", "Lin-Feng-2026").await.0, StatusCode::UNAUTHORIZED, "{db}");
        assert_eq!(login("linfeng", "Another-2026!").await.0, StatusCode::OK, "{db}");

        // A second server on the same database sees the change at the next login, not at its restart.
        let other = shanzhi_app::App::open(t.app.store().open_again().await.unwrap(), t.clock.clone()).await.unwrap();
        assert_eq!(other.user("linfeng").map(|u| u.role.as_str()), Some("residents_committee"), "{db}");
        let (s, _) =
            t.call("PATCH", "/api/v1/admin/users/linfeng", admin, Some(json!({"role": "grid_worker"})), None).await;
        assert_eq!(s, StatusCode::OK, "{db}");
        let session = other.login("linfeng", "Another-2026!").await.unwrap();
        assert_eq!(session.role.as_str(), "grid_worker", "{db}: the other server kept the old role");
        let (s, _) = t.call("PATCH", "/api/v1/admin/users/linfeng", admin, Some(json!({"disabled": true})), None).await;
        assert_eq!(s, StatusCode::OK, "{db}");
        assert!(
            other.login("linfeng", "Another-2026!").await.is_err(),
            "{db}: the other server let a disabled account in"
        );

        // Administrators cannot lock themselves out.
        let (s, _) = t.call("PATCH", "/api/v1/admin/users/admin", admin, Some(json!({"disabled": true})), None).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{db}");
        let (s, _) =
            t.call("PATCH", "/api/v1/admin/users/admin", admin, Some(json!({"role": "dispatcher"})), None).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{db}");
        let (_, me) = login("admin", PASSWORD).await;
        assert_eq!(me["user"]["role"], "city_admin", "{db}: {me}");
        // An account without a password exists but cannot log in until it is given one.
        let (s, v) = t
            .call(
                "POST",
                "/api/v1/admin/users",
                admin,
                Some(json!({"username": "tianye2", "display_name": "田野", "role": "grid_worker", "unit": community})),
                None,
            )
            .await;
        assert_eq!((s, v["has_password"].as_bool()), (StatusCode::CREATED, Some(false)), "{db}: {v}");

        // Every change is in the audit chain under the administrator's name, which the audit log
        // page shows newest first, filtered, a page at a time.
        let (s, log) = t.call("GET", "/api/v1/admin/audit?actor=admin&target=linf&limit=100", admin, None, None).await;
        assert_eq!(s, StatusCode::OK, "{db}: {log}");
        let items = log["items"].as_array().unwrap();
        for action in ["user.create", "user.update", "user.disable", "user.enable", "auth.set_password"] {
            assert!(items.iter().any(|e| e["action"] == action), "{db}: no {action} entry: {log}");
        }
        // (The prefix also finds the account's API key, `linfeng-pad`.)
        assert!(
            items.iter().all(|e| e["actor"] == "admin" && e["target"].as_str().unwrap().starts_with("linf")),
            "{db}: {log}"
        );
        assert!(items.iter().any(|e| e["target"] == "linfeng-pad"), "{db}: {log}");
        // Each entry names who and what for the page: a display name, an action's name.
        let created = items.iter().find(|e| e["action"] == "user.create").unwrap();
        assert_eq!(
            (created["actor_name"].as_str(), created["action_name"].as_str(), created["action_name_en"].as_str()),
            (Some("系统管理员"), Some("新建用户"), Some("Account created")),
            "{db}: {created}"
        );
        let seqs: Vec<i64> = items.iter().map(|e| e["seq"].as_i64().unwrap()).collect();
        assert!(seqs.windows(2).all(|w| w[0] > w[1]), "{db}: newest first: {seqs:?}");
        assert_eq!(log["next_before"], Value::Null, "{db}: one page holds them all");
        let (_, first) = t.call("GET", "/api/v1/admin/audit?action=user.&limit=2", admin, None, None).await;
        let before = first["next_before"].as_i64().expect("a next page");
        let (_, second) = t
            .call("GET", &format!("/api/v1/admin/audit?action=user.&limit=2&before={before}"), admin, None, None)
            .await;
        let older = second["items"].as_array().unwrap();
        assert!(!older.is_empty() && older.iter().all(|e| e["seq"].as_i64() < Some(before)), "{db}: {second}");
        assert!(older.iter().all(|e| e["action"].as_str().unwrap().starts_with("user.")), "{db}: {second}");
        let (s, v) = t.call("GET", "/api/v1/admin/audit?before=x", admin, None, None).await;
        assert_eq!((s, v["details"]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("before")), "{db}: {v}");
        let (s, _) = t.call("GET", "/api/v1/admin/audit", Some("zhiban"), None, None).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{db}: a shift supervisor does not read the audit log");
        // The whole chain checks out, and the check is itself recorded.
        let (s, check) = t.call("POST", "/api/v1/admin/audit/verify", admin, None, None).await;
        assert_eq!((s, check["intact"].as_bool()), (StatusCode::OK, Some(true)), "{db}: {check}");
        assert!(check["entries"].as_i64() > Some(5), "{db}: {check}");
        let (_, last) = t.call("GET", "/api/v1/admin/audit?limit=1", admin, None, None).await;
        assert_eq!(last["items"][0]["action"], "audit.verify", "{db}: {last}");

        // Roles: their data scope and what the workflows let them do.
        let (_, roles) = t.call("GET", "/api/v1/admin/roles", admin, None, None).await;
        let role = |code: &str| roles.as_array().unwrap().iter().find(|r| r["role"] == code).unwrap().clone();
        let actions = |r: &Value| -> Vec<String> {
            r["actions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| format!("{}.{}", a["kind"].as_str().unwrap(), a["action"].as_str().unwrap()))
                .collect()
        };
        let worker = role("grid_worker");
        assert_eq!(worker["data_scope"], "area", "{db}");
        assert!(actions(&worker).contains(&"event.confirm".to_string()), "{db}: {worker}");
        assert_eq!(worker["users"], 4, "{db}: three in the demo and tianye2");
        let resident = role("resident");
        assert_eq!(resident["data_scope"], "own", "{db}");
        assert!(!actions(&resident).contains(&"event.confirm".to_string()), "{db}");
        assert_eq!(role("department_handler")["unit_kinds"], json!(["department"]), "{db}");

        // Units a role may belong to, found by name.
        let (_, units) = t.call("GET", "/api/v1/admin/units?role=street_staff&q=学院南路", admin, None, None).await;
        assert_eq!(units[0]["id"], "130202001:street-office", "{db}: {units}");
        assert!(units.as_array().unwrap().iter().all(|u| u["kind"] == "street_office"), "{db}");

        // Reference data: a calendar is checked without being written, then imported and read back.
        let (_, overview) = t.call("GET", "/api/v1/admin/reference", admin, None, None).await;
        let versions = |o: &Value, key: &str| -> Vec<(String, bool)> {
            let kind = o["kinds"].as_array().unwrap().iter().find(|k| k["key"] == key).unwrap();
            kind["versions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| (v["version"].as_str().unwrap().into(), v["current"].as_bool().unwrap()))
                .collect()
        };
        assert_eq!(versions(&overview, "calendar"), [("cn-2025-2027.1".to_string(), true)], "{db}");
        assert!(overview["kinds"].as_array().unwrap().iter().any(|k| k["key"] == "workflow:event"), "{db}");
        let next = CALENDAR.replace("version = \"cn-2025-2027.1\"", "version = \"cn-2025-2027.2\"");
        let (s, _, v) = t
            .text("POST", "/api/v1/admin/reference/calendar?dry_run=true", &h, Some(("text/plain", next.clone())))
            .await;
        assert_eq!(s, StatusCode::OK, "{db}: {v}");
        let (_, overview) = t.call("GET", "/api/v1/admin/reference", admin, None, None).await;
        assert_eq!(versions(&overview, "calendar").len(), 1, "{db}: a dry run wrote");
        let (s, _, v) =
            t.text("POST", "/api/v1/admin/reference/calendar", &h, Some(("text/plain", next.clone()))).await;
        assert_eq!(s, StatusCode::OK, "{db}: {v}");
        let (_, cal) = t.call("GET", "/api/v1/calendar", None, None, None).await;
        assert_eq!(cal["version"], "cn-2025-2027.2", "{db}");
        assert!(cal["holidays"].as_array().unwrap().iter().any(|h| h["provisional"] == true), "{db}");
        let (s, _, text) = t.text("GET", "/api/v1/admin/reference/calendar/cn-2025-2027.1", &h, None).await;
        assert_eq!((s, text.as_str()), (StatusCode::OK, CALENDAR), "{db}");
        // The same version name with other content is a conflict, in a dry run too; a broken file names its problem.
        let other = next.replace("work_periods = [[\"08:30\"", "work_periods = [[\"08:00\"");
        for uri in ["/api/v1/admin/reference/calendar?dry_run=true", "/api/v1/admin/reference/calendar"] {
            let (s, _, v) = t.text("POST", uri, &h, Some(("text/plain", other.clone()))).await;
            assert_eq!(s, StatusCode::CONFLICT, "{db}: {uri}: {v}");
        }
        let broken = next.replace("valid_to = \"2027-12-31\"", "valid_to = \"2024-12-31\"");
        let (s, _, v) =
            t.text("POST", "/api/v1/admin/reference/calendar?dry_run=true", &h, Some(("text/plain", broken))).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{db}: {v}");
        assert!(v.contains("valid"), "{db}: {v}");

        // Grids: exported, one renamed and checked (nothing written), then imported.
        let (s, _, text) = t.text("GET", "/api/v1/admin/grids", &h, None).await;
        assert_eq!(s, StatusCode::OK, "{db}");
        let all: Value = serde_json::from_str(&text).unwrap();
        let mut one = all["features"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["properties"]["code"] == "130202001001001")
            .unwrap()
            .clone();
        let old_name = one["properties"]["name"].as_str().unwrap().to_string();
        one["properties"]["name"] = json!("立新东楼第一网格（调整后）");
        let file = json!({"type": "FeatureCollection", "features": [one.clone()]}).to_string();
        let (s, _, v) =
            t.text("POST", "/api/v1/admin/grids?dry_run=true", &h, Some(("application/geo+json", file.clone()))).await;
        assert_eq!(s, StatusCode::OK, "{db}: {v}");
        assert_eq!(serde_json::from_str::<Value>(&v).unwrap()["items"], 1);
        let grid_name =
            |t: &crate::support::T| t.app.places().grid(&"130202001001001".parse().unwrap()).unwrap().name.clone();
        assert_eq!(grid_name(&t), old_name, "{db}: a dry run wrote");
        let (s, _, v) = t.text("POST", "/api/v1/admin/grids", &h, Some(("application/geo+json", file))).await;
        assert_eq!(s, StatusCode::OK, "{db}: {v}");
        assert_eq!(grid_name(&t), "立新东楼第一网格（调整后）", "{db}");
        // A bow-tie ring and an unknown community: every problem reported, nothing written.
        let mut bad = one.clone();
        bad["properties"]["name"] = json!("不应写入");
        bad["geometry"] = json!({"type": "Polygon", "coordinates": [[[118.180, 39.495], [118.185, 39.500], [118.185, 39.495], [118.180, 39.500], [118.180, 39.495]]]});
        let mut stranger = one.clone();
        stranger["properties"]["code"] = json!("130202999999001");
        let file = json!({"type": "FeatureCollection", "features": [bad, stranger]}).to_string();
        let (s, _, v) = t.text("POST", "/api/v1/admin/grids", &h, Some(("application/geo+json", file))).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{db}: {v}");
        let v: Value = serde_json::from_str(&v).unwrap();
        let kinds: Vec<&str> =
            v["details"]["problems"].as_array().unwrap().iter().map(|p| p["kind"].as_str().unwrap()).collect();
        assert!(kinds.contains(&"self_intersection") && kinds.contains(&"unknown_community"), "{db}: {v}");
        assert_eq!(grid_name(&t), "立新东楼第一网格（调整后）", "{db}: a rejected file wrote");
    }
}

#[tokio::test]
async fn a_type_is_changed_in_the_page_as_a_new_catalogue_version() {
    for t in setups("type_edit").await {
        let db = t.db.clone();
        let admin = Some("admin");
        let (_, before) = t.call("GET", "/api/v1/taxonomy", None, None, None).await;
        let version = before["version"].as_str().unwrap().to_string();
        let type_of = |tax: &Value, code: &str| -> Value {
            let all = tax["categories"].as_array().unwrap().iter().flat_map(|c| c["types"].as_array().unwrap().clone());
            all.into_iter().find(|ty| ty["code"] == code).unwrap()
        };
        let old = type_of(&before, "0602");
        let edit = |next: &str, unit: &str, urgency: &str| {
            json!({
                "based_on": version, "version": next, "name_zh": old["name_zh"], "name_en": old["name_en"], "department": old["department"],
                "assisting": [], "urgency": urgency, "level": "street", "limit": {"value": 7, "unit": unit},
                "filing_zh": "  路面有积存垃圾  ", "closing_zh": old["closing_zh"],
            })
        };
        let uri = "/api/v1/admin/taxonomy/types/0602";

        // Only the administrator; a bad value names its field; an unknown type is not found.
        let (s, _) = t.call("PUT", uri, Some("zhiban"), Some(edit("x-1", "working_days", "normal")), None).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{db}");
        let (s, v) = t.call("PUT", uri, admin, Some(edit("x-1", "fortnights", "normal")), None).await;
        assert_eq!((s, v["details"]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("limit.unit")), "{db}: {v}");
        let (s, v) = t.call("PUT", uri, admin, Some(edit("x-1", "working_days", "soon")), None).await;
        assert_eq!((s, v["details"]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("urgency")), "{db}: {v}");
        let (s, v) = t.call("PUT", uri, admin, Some(edit(" ", "working_days", "normal")), None).await;
        assert_eq!((s, v["details"]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("version")), "{db}: {v}");
        let unknown = "/api/v1/admin/taxonomy/types/0698";
        let (s, _) = t.call("PUT", unknown, admin, Some(edit("x-1", "working_days", "normal")), None).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{db}");
        // A department the register does not know is refused by the catalogue's own check.
        let mut stranger = edit("x-1", "working_days", "normal");
        stranger["department"] = json!("nobody");
        let (s, v) = t.call("PUT", uri, admin, Some(stranger), None).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{db}: {v}");
        assert!(v["message"].as_str().unwrap().contains("nobody"), "{db}: {v}");

        // A dry run writes nothing.
        let next = format!("{version}-a");
        let (s, v) = t
            .call("PUT", &format!("{uri}?dry_run=true"), admin, Some(edit(&next, "working_days", "normal")), None)
            .await;
        assert_eq!((s, v["dry_run"].as_bool()), (StatusCode::OK, Some(true)), "{db}: {v}");
        let (_, tax) = t.call("GET", "/api/v1/taxonomy", None, None, None).await;
        assert_eq!(tax["version"], version.as_str(), "{db}: a dry run wrote");

        // The change is in force as the new version; every other type is as it was.
        let (s, v) = t.call("PUT", uri, admin, Some(edit(&next, "working_days", "normal")), None).await;
        assert_eq!((s, v["version"].as_str()), (StatusCode::OK, Some(next.as_str())), "{db}: {v}");
        let (_, tax) = t.call("GET", "/api/v1/taxonomy", None, None, None).await;
        assert_eq!(tax["version"], next.as_str(), "{db}");
        let new = type_of(&tax, "0602");
        assert_eq!(new["limit"], json!({"value": 7, "unit": "working_days"}), "{db}: {new}");
        assert_eq!(
            (new["level"].as_str(), new["filing_zh"].as_str()),
            (Some("street"), Some("路面有积存垃圾")),
            "{db}"
        );
        assert_eq!(type_of(&tax, "0601"), type_of(&before, "0601"), "{db}");
        // A change made from the version that is no longer in force is a conflict (it would undo
        // the one made meanwhile); so is the same version name for other content.
        let (s, v) = t.call("PUT", uri, admin, Some(edit(&format!("{next}-b"), "working_hours", "normal")), None).await;
        assert_eq!(s, StatusCode::CONFLICT, "{db}: {v}");
        assert!(v["message"].as_str().unwrap().contains(&format!("version {next}, not {version}")), "{db}: {v}");
        let mut renamed = edit(&next, "working_hours", "normal");
        renamed["based_on"] = json!(next);
        let (s, _) = t.call("PUT", uri, admin, Some(renamed), None).await;
        assert_eq!(s, StatusCode::CONFLICT, "{db}");
        let (_, log) = t.call("GET", "/api/v1/admin/audit?action=taxonomy.&limit=10", admin, None, None).await;
        let entry = &log["items"][0];
        assert_eq!((entry["target"].as_str(), entry["actor"].as_str()), (Some("0602"), Some("admin")), "{db}: {log}");
    }
}

#[tokio::test]
async fn a_provisional_holiday_is_replaced_in_the_page_by_the_notice() {
    for t in setups("holiday_edit").await {
        let db = t.db.clone();
        let admin = Some("admin");
        let (_, cal) = t.call("GET", "/api/v1/calendar", None, None, None).await;
        let spring = cal["holidays"]
            .as_array()
            .unwrap()
            .iter()
            .find(|h| h["name_zh"] == "春节" && h["provisional"] == true)
            .unwrap()
            .clone();
        let first = spring["days"][0].as_str().unwrap().to_string();
        let days: Vec<String> = (5..=13).map(|d| format!("2027-02-{d:02}")).collect();
        let change = |version: &str, make_up: &str, first: &str| {
            json!({"based_on": "cn-2025-2027.1", "version": version, "replaces": {"name_zh": "春节", "first_day": first},
                   "holiday": {"name_zh": "春节", "name_en": "Spring Festival", "days": days, "make_up_workdays": [make_up]}})
        };
        let uri = "/api/v1/admin/calendar/holidays";

        let (s, _) = t.call("POST", uri, Some("zhiban"), Some(change("v2", "2027-02-20", &first)), None).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{db}");
        let (s, v) = t.call("POST", uri, admin, Some(change("v2", "2027-02-30", &first)), None).await;
        assert_eq!(
            (s, v["details"]["field"].as_str()),
            (StatusCode::BAD_REQUEST, Some("holiday.make_up_workdays")),
            "{db}: {v}"
        );
        // A make-up day on a Wednesday is refused by the calendar's own check.
        let (s, v) = t.call("POST", uri, admin, Some(change("v2", "2027-02-17", &first)), None).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{db}: {v}");
        let (s, _) = t.call("POST", uri, admin, Some(change("v2", "2027-02-20", "2027-03-01")), None).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{db}");
        let (s, v) =
            t.call("POST", uri, admin, Some(json!({"based_on": "cn-2025-2027.1", "version": "v2"})), None).await;
        assert_eq!((s, v["details"]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("holiday")), "{db}: {v}");

        let (s, v) = t.call("POST", uri, admin, Some(change("cn-2025-2027.2", "2027-02-20", &first)), None).await;
        assert_eq!((s, v["version"].as_str()), (StatusCode::OK, Some("cn-2025-2027.2")), "{db}: {v}");
        let (_, after) = t.call("GET", "/api/v1/calendar", None, None, None).await;
        assert_eq!(after["version"], "cn-2025-2027.2", "{db}");
        let now = after["holidays"].as_array().unwrap().iter().find(|h| h["days"][0] == "2027-02-05").unwrap();
        assert_eq!(
            (now["provisional"].as_bool(), now["make_up_workdays"].clone()),
            (Some(false), json!(["2027-02-20"])),
            "{db}"
        );
        assert_eq!(after["holidays"].as_array().unwrap().len(), cal["holidays"].as_array().unwrap().len(), "{db}");
        let (_, log) = t.call("GET", "/api/v1/admin/audit?action=calendar.&limit=10", admin, None, None).await;
        assert!(
            log["items"][0]["detail"].as_str().unwrap().contains(&format!("replaced 春节 from {first}")),
            "{db}: {log}"
        );
    }
}

#[tokio::test]
async fn a_role_is_given_and_denied_workflow_actions_in_the_page() {
    for t in setups("role_actions").await {
        let db = t.db.clone();
        let admin = Some("admin");
        let event =
            |wfs: &Value| -> Value { wfs.as_array().unwrap().iter().find(|w| w["kind"] == "event").unwrap().clone() };
        let roles_of = |wf: &Value, action: &str| -> Vec<String> {
            let a = wf["actions"].as_array().unwrap().iter().find(|a| a["key"] == action).unwrap();
            a["roles"].as_array().unwrap().iter().map(|r| r.as_str().unwrap().to_string()).collect()
        };
        let mine = |wf: &Value, role: &str| -> Vec<String> {
            let acts = wf["actions"].as_array().unwrap().iter();
            acts.filter(|a| a["roles"].as_array().unwrap().iter().any(|r| r == role))
                .map(|a| a["key"].as_str().unwrap().to_string())
                .collect()
        };
        let (s, wfs) = t.call("GET", "/api/v1/admin/workflows", admin, None, None).await;
        assert_eq!(s, StatusCode::OK, "{db}: {wfs}");
        let before = event(&wfs);
        let version = before["version"].as_str().unwrap().to_string();
        assert_eq!(roles_of(&before, "register"), ["intake_operator"], "{db}");
        let (s, _) = t.call("GET", "/api/v1/admin/workflows", Some("zhiban"), None, None).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{db}");

        // The dispatcher may not register a grid worker's report yet.
        let case = t.patrol("lixin-wangge", "130202001001", "0602").await;
        let register = || {
            let (t, uri) = (&t, format!("/api/v1/cases/{case}/actions"));
            async move { t.call("POST", &uri, Some("paiqian"), Some(json!({"action": "register"})), None).await }
        };
        let (s, v) = register().await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{db}: {v}");

        let put = |role: &str, kind: &str, body: Value, dry: bool| {
            let t = &t;
            let uri = format!("/api/v1/admin/roles/{role}/actions/{kind}{}", if dry { "?dry_run=true" } else { "" });
            async move { t.call("PUT", &uri, admin, Some(body), None).await }
        };
        let mut wanted = mine(&before, "dispatcher");
        wanted.push("register".into());
        let next = format!("{version}-a");
        let body = json!({"based_on": version, "version": next, "actions": wanted});

        // Refused: an unknown action (named), role or kind; a role left with no one for an action;
        // another administrator's change meanwhile; and the shift supervisor.
        let (s, v) =
            put("dispatcher", "event", json!({"based_on": version, "version": next, "actions": ["fly"]}), false).await;
        assert_eq!((s, v["details"]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("actions")), "{db}: {v}");
        assert!(v["message"].as_str().unwrap().contains("fly"), "{db}: {v}");
        let same = json!({"based_on": version, "version": next, "actions": mine(&before, "dispatcher")});
        let (s, v) = put("dispatcher", "event", same, false).await;
        assert_eq!(
            (s, v["details"]["field"].as_str()),
            (StatusCode::BAD_REQUEST, Some("actions")),
            "{db}: nothing changes: {v}"
        );
        let (s, _) = put("pilot", "event", body.clone(), false).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{db}");
        let (s, _) = put("dispatcher", "parade", body.clone(), false).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{db}");
        let (s, v) =
            put("intake_operator", "event", json!({"based_on": version, "version": next, "actions": []}), false).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{db}: {v}");
        assert!(v["message"].as_str().unwrap().contains("at least one `from` state and one role"), "{db}: {v}");
        let (s, _) =
            put("dispatcher", "event", json!({"based_on": "event-0", "version": next, "actions": wanted}), false).await;
        assert_eq!(s, StatusCode::CONFLICT, "{db}");
        let (s, _) = t
            .call("PUT", "/api/v1/admin/roles/dispatcher/actions/event", Some("zhiban"), Some(body.clone()), None)
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{db}");
        // A dry run writes nothing.
        let (s, v) = put("dispatcher", "event", body.clone(), true).await;
        assert_eq!((s, v["dry_run"].as_bool()), (StatusCode::OK, Some(true)), "{db}: {v}");
        let (_, wfs) = t.call("GET", "/api/v1/admin/workflows", admin, None, None).await;
        assert_eq!(event(&wfs)["version"], version.as_str(), "{db}: the dry run wrote");

        // In force: the dispatcher registers the report; nothing else of the workflow changed.
        let (s, v) = put("dispatcher", "event", body, false).await;
        assert_eq!((s, v["version"].as_str()), (StatusCode::OK, Some(next.as_str())), "{db}: {v}");
        let (_, wfs) = t.call("GET", "/api/v1/admin/workflows", admin, None, None).await;
        let after = event(&wfs);
        assert_eq!(roles_of(&after, "register"), ["intake_operator", "dispatcher"], "{db}");
        for a in before["actions"].as_array().unwrap().iter().filter(|a| a["key"] != "register") {
            let key = a["key"].as_str().unwrap();
            assert_eq!(roles_of(&after, key), roles_of(&before, key), "{db}: {key}");
        }
        let (_, roles) = t.call("GET", "/api/v1/admin/roles", admin, None, None).await;
        let dispatcher = roles.as_array().unwrap().iter().find(|r| r["role"] == "dispatcher").unwrap();
        assert!(
            dispatcher["actions"].as_array().unwrap().iter().any(|a| a["action"] == "register"),
            "{db}: {dispatcher}"
        );
        let (s, v) = register().await;
        assert_eq!((s, v["state"].as_str()), (StatusCode::OK, Some("pending_filing")), "{db}: {v}");

        let (_, log) = t.call("GET", "/api/v1/admin/audit?action=role.&limit=5", admin, None, None).await;
        let entry = &log["items"][0];
        assert_eq!(entry["target"], "dispatcher", "{db}: {log}");
        assert_eq!(
            entry["detail"],
            format!("workflow event version {next}: gained register, lost none"),
            "{db}: {log}"
        );
    }
}

#[tokio::test]
async fn the_working_hours_change_and_next_year_is_opened_in_the_page() {
    for t in setups("hours_edit").await {
        let db = t.db.clone();
        let admin = Some("admin");
        let (_, cal) = t.call("GET", "/api/v1/calendar", None, None, None).await;
        let version = cal["version"].as_str().unwrap().to_string();
        let hours = |based_on: &str, next: &str, periods: Value, from: &str, to: &str| json!({"based_on": based_on, "version": next, "work_periods": periods, "valid_from": from, "valid_to": to});
        let summer = json!([["08:00", "12:00"], ["14:30", "18:00"]]);
        let uri = "/api/v1/admin/calendar/hours";
        let new_year_2028 = json!({"based_on": "", "version": "", "holiday": {"name_zh": "元旦", "name_en": "New Year's Day",
            "days": ["2028-01-01"], "make_up_workdays": []}});

        // 2028 is outside the calendar: its first holiday cannot be entered yet.
        let mut add = new_year_2028.clone();
        (add["based_on"], add["version"]) = (json!(version), json!("x-1"));
        let (s, v) = t.call("POST", "/api/v1/admin/calendar/holidays", admin, Some(add), None).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{db}: {v}");
        assert!(v["message"].as_str().unwrap().contains("2028-01-01 lies outside valid_from..=valid_to"), "{db}: {v}");

        // Refused: not the administrator; a bad date names its field; hours out of order, or a
        // range leaving out listed holidays, fail the calendar's check; a stale base conflicts.
        let good = hours(&version, "cn-2025-2028.1", summer.clone(), "2025-01-01", "2028-12-31");
        let (s, _) = t.call("PUT", uri, Some("zhiban"), Some(good.clone()), None).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{db}");
        let (s, v) = t
            .call("PUT", uri, admin, Some(hours(&version, "x-1", summer.clone(), "2025-01-01", "2028-13-31")), None)
            .await;
        assert_eq!((s, v["details"]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("valid_to")), "{db}: {v}");
        let backwards = json!([["12:00", "08:00"]]);
        let (s, v) =
            t.call("PUT", uri, admin, Some(hours(&version, "x-1", backwards, "2025-01-01", "2028-12-31")), None).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{db}: {v}");
        assert!(v["message"].as_str().unwrap().contains("does not end after it starts"), "{db}: {v}");
        let (s, v) = t
            .call("PUT", uri, admin, Some(hours(&version, "x-1", summer.clone(), "2026-01-01", "2028-12-31")), None)
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{db}: the 2025 holidays fall outside: {v}");
        assert!(v["message"].as_str().unwrap().contains("lies outside valid_from..=valid_to"), "{db}: {v}");
        // The calendar must keep covering today; the hours and dates in force are no change.
        let (s, v) = t
            .call("PUT", uri, admin, Some(hours(&version, "x-1", summer.clone(), "2025-01-01", "2025-12-31")), None)
            .await;
        assert_eq!((s, v["details"]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("valid_to")), "{db}: {v}");
        assert!(v["details"]["message_zh"].as_str().unwrap().contains("须包含今天"), "{db}: {v}");
        let (s, v) = t
            .call(
                "PUT",
                uri,
                admin,
                Some(hours(&version, "x-1", cal["work_periods"].clone(), "2025-01-01", "2027-12-31")),
                None,
            )
            .await;
        assert_eq!((s, v["details"]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("work_periods")), "{db}: {v}");
        let (s, _) = t
            .call("PUT", uri, admin, Some(hours("cn-0", "x-1", summer.clone(), "2025-01-01", "2028-12-31")), None)
            .await;
        assert_eq!(s, StatusCode::CONFLICT, "{db}");
        let (s, v) = t.call("PUT", &format!("{uri}?dry_run=true"), admin, Some(good.clone()), None).await;
        assert_eq!((s, v["dry_run"].as_bool()), (StatusCode::OK, Some(true)), "{db}: {v}");
        let (_, same) = t.call("GET", "/api/v1/calendar", None, None, None).await;
        assert_eq!(same["version"], version.as_str(), "{db}: the dry run wrote");

        // In force: the new hours and range, every holiday as it was; then 2028's first holiday.
        let (s, v) = t.call("PUT", uri, admin, Some(good), None).await;
        assert_eq!((s, v["version"].as_str()), (StatusCode::OK, Some("cn-2025-2028.1")), "{db}: {v}");
        let (_, after) = t.call("GET", "/api/v1/calendar", None, None, None).await;
        assert_eq!(
            (&after["work_periods"], after["valid_to"].as_str()),
            (&summer, Some("2028-12-31")),
            "{db}: {after}"
        );
        assert_eq!(after["holidays"], cal["holidays"], "{db}");
        let mut add = new_year_2028;
        (add["based_on"], add["version"]) = (json!("cn-2025-2028.1"), json!("cn-2025-2028.2"));
        let (s, v) = t.call("POST", "/api/v1/admin/calendar/holidays", admin, Some(add), None).await;
        assert_eq!((s, v["version"].as_str()), (StatusCode::OK, Some("cn-2025-2028.2")), "{db}: {v}");
        let (_, log) = t.call("GET", "/api/v1/admin/audit?action=calendar.hours&limit=5", admin, None, None).await;
        assert_eq!(log["items"][0]["detail"], "08:00-12:00 14:30-18:00, 2025-01-01..=2028-12-31", "{db}: {log}");
    }
}
