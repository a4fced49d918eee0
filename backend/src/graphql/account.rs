//! Sign-in and who is signed in.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use secrecy::SecretString;

use super::error::{UserError, state, to_graphql, user_errors};
use super::node::{NodeType, encode};
use crate::auth;
use crate::entity::{team, user};
use crate::service::account;

use crate::domain::account::Role;
pub(crate) struct User(user::Model);

impl User {
    pub(crate) fn new(model: user::Model) -> Self {
        Self(model)
    }
}

#[Object]
impl User {
    pub async fn id(&self) -> ID {
        encode(NodeType::User, self.0.id)
    }

    async fn email(&self) -> &str {
        &self.0.email
    }

    async fn display_name(&self) -> &str {
        &self.0.display_name
    }
}

pub(crate) struct Team(team::Model);

impl Team {
    pub(crate) fn new(model: team::Model) -> Self {
        Self(model)
    }
}

#[Object]
impl Team {
    pub async fn id(&self) -> ID {
        encode(NodeType::Team, self.0.id)
    }

    async fn name(&self) -> &str {
        &self.0.name
    }

    /// Whether the team has a callback signing secret, which tasks with a
    /// `callbackUrl` need (an admin creates it under Settings).
    async fn has_callback_secret(&self) -> bool {
        self.0.callback_secret.is_some()
    }
}

/// The signed-in member.
pub(crate) struct Viewer(auth::Viewer);

#[Object]
impl Viewer {
    async fn user(&self, ctx: &Context<'_>) -> async_graphql::Result<User> {
        let state = state(ctx)?;
        account::get_user(&state.db, &self.0, self.0.user_id)
            .await
            .map(User::new)
            .map_err(to_graphql)
    }

    async fn team(&self, ctx: &Context<'_>) -> async_graphql::Result<Team> {
        let state = state(ctx)?;
        account::get_team(&state.db, &self.0)
            .await
            .map(Team::new)
            .map_err(to_graphql)
    }

    /// The member's roles in this team.
    async fn roles(&self) -> Vec<Role> {
        self.0.roles.iter().collect::<Vec<_>>()
    }
}

#[derive(Default)]
pub(crate) struct AccountQuery;

#[Object]
impl AccountQuery {
    /// Who the request is signed in as; null without a valid token.
    async fn viewer(&self, ctx: &Context<'_>) -> Option<Viewer> {
        ctx.data_opt::<auth::Viewer>().cloned().map(Viewer)
    }
}

#[derive(InputObject)]
pub(crate) struct LoginInput {
    pub email: String,
    #[graphql(secret)]
    pub password: String,
}

#[derive(SimpleObject)]
pub(crate) struct LoginPayload {
    /// Send as `Authorization: Bearer <token>`, or as `token` in the WebSocket
    /// `connection_init` payload.
    pub token: Option<String>,
    pub expires_at: Option<DateTime<Utc>>,
    pub viewer: Option<Viewer>,
    pub user_errors: Vec<UserError>,
}

#[derive(Default)]
pub(crate) struct AccountMutation;

#[Object]
impl AccountMutation {
    /// Signs in with e-mail and password and returns an access token.
    async fn login(
        &self,
        ctx: &Context<'_>,
        input: LoginInput,
    ) -> async_graphql::Result<LoginPayload> {
        let state = state(ctx)?;
        let result = account::login(
            &state.db,
            &state.tokens,
            &state.login_throttle,
            &input.email,
            SecretString::from(input.password),
        )
        .await;
        Ok(match user_errors(result)? {
            Ok(success) => LoginPayload {
                token: Some(success.token),
                expires_at: Some(success.expires_at),
                viewer: Some(Viewer(success.viewer)),
                user_errors: Vec::new(),
            },
            Err(errors) => LoginPayload {
                token: None,
                expires_at: None,
                viewer: None,
                user_errors: errors,
            },
        })
    }
}
