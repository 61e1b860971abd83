//! Wire shapes of accounts: login, the session, password change, API keys.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
pub struct LoginDto {
    pub username: String,
    pub password: String,
}

/// A login: send `Authorization: Bearer <token>` from now on.
#[derive(Serialize, ToSchema)]
pub struct SessionDto {
    pub token: String,
    pub expires_at: String,
    pub user: MeDto,
}

/// The account behind the request.
#[derive(Serialize, ToSchema)]
pub struct MeDto {
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub unit: String,
    /// The API key's scope, when the caller came with a key.
    pub scope: Option<String>,
}

#[derive(Deserialize, ToSchema)]
pub struct PasswordDto {
    pub old_password: String,
    pub new_password: String,
}

#[derive(Deserialize, ToSchema)]
pub struct NewApiKeyDto {
    /// A unique name (letters, digits, `-`, `_`, `.`).
    pub name: String,
    /// The account the key acts as (a device or a system account).
    pub username: String,
    /// `report`, `read`, `open311` or `full`.
    pub scope: String,
}

/// A new key: shown once, stored only as a hash.
#[derive(Serialize, ToSchema)]
pub struct ApiKeyCreatedDto {
    pub name: String,
    pub key: String,
    pub username: String,
    pub scope: String,
}

#[derive(Serialize, ToSchema)]
pub struct ApiKeyDto {
    pub name: String,
    pub username: String,
    pub scope: String,
    pub created_at: String,
    pub revoked_at: Option<String>,
}
