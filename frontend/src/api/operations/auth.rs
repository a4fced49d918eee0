//! Signing in, and who is signed in.

pub use super::schema::{Login, Viewer, login, viewer};
use crate::api::{self, ApiError, graphql_query};
use crate::model::UserError;

/// A successful sign-in.
#[derive(Clone, Debug)]
pub struct Session {
    pub token: String,
}

/// Signs in. `Ok(Err(..))` carries the problems the user can fix.
pub async fn login(
    email: String,
    password: String,
) -> Result<Result<Session, Vec<UserError>>, ApiError> {
    let data = graphql_query::<Login>(login::Variables {
        input: login::LoginInput { email, password },
    })
    .await?;
    let payload = data.login;
    if !payload.user_errors.is_empty() {
        return Ok(Err(user_errors!(payload.user_errors)));
    }
    // A payload with neither a token nor an error would be a server bug; saying so
    // beats pretending the sign-in worked.
    match payload.token {
        Some(token) => Ok(Ok(Session { token })),
        None => Err(ApiError::NoData),
    }
}

/// Who is signed in, for the header and for what the UI offers (budgets are for
/// admins).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Me {
    pub display_name: String,
    pub email: String,
    pub team: String,
    /// Whether tasks may have a callback URL: the team has a signing secret for them.
    pub team_has_callback_secret: bool,
    /// Wire names, e.g. `CREATOR`.
    pub roles: Vec<String>,
}

impl Me {
    pub fn is_admin(&self) -> bool {
        self.roles.iter().any(|r| r == "ADMIN")
    }
}

pub async fn viewer() -> Result<Me, ApiError> {
    let data = graphql_query::<Viewer>(viewer::Variables {}).await?;
    // The server answers a missing or unknown token with `viewer: null`.
    let Some(v) = data.viewer else {
        api::signed_out();
        return Err(ApiError::Unauthenticated(String::new()));
    };
    Ok(Me {
        display_name: v.user.display_name,
        email: v.user.email,
        team: v.team.name,
        team_has_callback_secret: v.team.has_callback_secret,
        roles: v.roles,
    })
}
