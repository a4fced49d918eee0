//! Teams, users and sign-in.

use chrono::{DateTime, Utc};
use rand::distr::{Alphanumeric, SampleString};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, Set, TransactionTrait,
};
use secrecy::{ExposeSecret, SecretString};
use uuid::Uuid;

use super::{ServiceError, is_unique_violation};
use crate::auth::Viewer;
use crate::auth::password;
use crate::auth::throttle::LoginThrottle;
use crate::auth::token::Tokens;
use crate::config::Config;
use crate::domain::account::{Email, Role, RoleSet, check_new_password};
use crate::domain::{ErrorCode, FieldError};
use crate::entity::{membership, team, user};

/// A successful sign-in.
pub(crate) struct LoginSuccess {
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub viewer: Viewer,
}

/// One message for a wrong e-mail and a wrong password, so the answer does not reveal
/// who has an account.
fn invalid_credentials() -> ServiceError {
    ServiceError::Invalid(vec![FieldError::general(
        ErrorCode::InvalidCredentials,
        "The e-mail or password is not correct.",
    )])
}

/// Checks an e-mail and password and issues an access token for the user's first team.
/// An account that failed too often in a row is refused before its password is checked.
#[tracing::instrument(skip(db, tokens, throttle, password))]
pub(crate) async fn login(
    db: &DatabaseConnection,
    tokens: &Tokens,
    throttle: &LoginThrottle,
    email: &str,
    password: SecretString,
) -> Result<LoginSuccess, ServiceError> {
    let email = Email::parse(email)?;
    if password.expose_secret().is_empty() {
        return Err(
            FieldError::new("password", ErrorCode::Required, "Enter your password.").into(),
        );
    }
    if let Err(wait) = throttle.check(email.as_str()) {
        tracing::warn!("sign-in attempts throttled");
        let seconds = wait.as_secs().max(1);
        return Err(FieldError::general(
            ErrorCode::RateLimited,
            format!("Too many sign-in attempts for this account. Try again in {seconds} s."),
        )
        .into());
    }
    let user = user::Entity::find()
        .filter(user::Column::Email.eq(email.as_str()))
        .one(db)
        .await?;
    let stored = user.as_ref().map(|u| u.password_hash.clone());
    if !password::verify(password, stored).await? {
        tracing::info!("sign-in refused");
        throttle.failed(email.as_str());
        return Err(invalid_credentials());
    }
    let Some(user) = user else {
        return Err(invalid_credentials());
    };
    let Some(membership) = membership::Entity::find()
        .filter(membership::Column::UserId.eq(user.id))
        .order_by_asc(membership::Column::CreatedAt)
        .one(db)
        .await?
    else {
        // A user who belongs to no team has nothing to see.
        return Err(invalid_credentials());
    };
    let (token, expires_at) = tokens.issue(user.id, membership.team_id)?;
    tracing::info!(user_id = %user.id, team_id = %membership.team_id, "signed in");
    Ok(LoginSuccess {
        token,
        expires_at,
        viewer: Viewer {
            user_id: user.id,
            team_id: membership.team_id,
            roles: RoleSet::from_db(&membership.roles),
        },
    })
}

/// The member an access token stands for, with the roles they hold now (not when the
/// token was issued), so removing a role takes effect at once.
pub async fn viewer_from_token(
    db: &DatabaseConnection,
    tokens: &Tokens,
    token: &str,
) -> Result<Viewer, ServiceError> {
    let subject = tokens.verify(token)?;
    let membership = membership::Entity::find_by_id((subject.user_id, subject.team_id))
        .one(db)
        .await?
        .ok_or(ServiceError::Unauthenticated)?;
    Ok(Viewer {
        user_id: membership.user_id,
        team_id: membership.team_id,
        roles: RoleSet::from_db(&membership.roles),
    })
}

pub async fn create_team(
    db: &impl ConnectionTrait,
    name: &str,
) -> Result<team::Model, ServiceError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(FieldError::new("name", ErrorCode::Required, "Name the team.").into());
    }
    Ok(team::ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set(name.to_owned()),
        created_at: Set(Utc::now()),
        callback_secret: Set(None),
        previous_callback_secret: Set(None),
        previous_callback_secret_expires_at: Set(None),
    }
    .insert(db)
    .await?)
}

/// A new user who is a member of `team_id` with `roles`.
pub struct NewMember<'a> {
    pub team_id: Uuid,
    pub email: &'a str,
    pub display_name: &'a str,
    pub password: SecretString,
    pub roles: RoleSet,
}

pub async fn create_member(
    db: &DatabaseConnection,
    new: NewMember<'_>,
) -> Result<user::Model, ServiceError> {
    let email = Email::parse(new.email)?;
    check_new_password(new.password.expose_secret())?;
    let display_name = match new.display_name.trim() {
        "" => email
            .as_str()
            .split('@')
            .next()
            .unwrap_or_default()
            .to_owned(),
        name => name.to_owned(),
    };
    let password_hash = password::hash(new.password).await?;
    let now = Utc::now();
    let txn = db.begin().await?;
    let user = user::ActiveModel {
        id: Set(Uuid::now_v7()),
        email: Set(email.as_str().to_owned()),
        display_name: Set(display_name),
        password_hash: Set(password_hash),
        created_at: Set(now),
    }
    .insert(&txn)
    .await
    .map_err(|e| {
        if is_unique_violation(&e) {
            FieldError::new(
                "email",
                ErrorCode::Conflict,
                "Someone already uses this e-mail address.",
            )
            .into()
        } else {
            ServiceError::from(e)
        }
    })?;
    membership::ActiveModel {
        user_id: Set(user.id),
        team_id: Set(new.team_id),
        roles: Set(new.roles.to_db()),
        created_at: Set(now),
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(user)
}

/// A user, if they belong to the viewer's team.
pub(crate) async fn get_user(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: Uuid,
) -> Result<user::Model, ServiceError> {
    membership::Entity::find_by_id((id, viewer.team_id))
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)?;
    user::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)
}

pub(crate) async fn get_team(
    db: &DatabaseConnection,
    viewer: &Viewer,
) -> Result<team::Model, ServiceError> {
    team::Entity::find_by_id(viewer.team_id)
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)
}

/// What start-up did about the first administrator.
pub enum Bootstrap {
    /// Users exist already; nothing was done.
    AlreadySetUp,
    /// Created from `KILN_ADMIN_EMAIL` and `KILN_ADMIN_PASSWORD`.
    Created { email: String },
    /// No password was configured: one was generated and must be shown once.
    CreatedWithGeneratedPassword {
        email: String,
        password: SecretString,
    },
}

/// Default sign-in for the first administrator when no e-mail is configured.
pub const DEFAULT_ADMIN_EMAIL: &str = "admin@kiln.localhost";

/// Creates the first team and administrator when the database has no user. Never uses
/// a built-in password: a configured one, or a random one that the caller prints once.
pub(crate) async fn bootstrap_admin(
    db: &DatabaseConnection,
    config: &Config,
) -> Result<Bootstrap, ServiceError> {
    if user::Entity::find().count(db).await? > 0 {
        return Ok(Bootstrap::AlreadySetUp);
    }
    let email = config
        .admin_email
        .clone()
        .unwrap_or_else(|| DEFAULT_ADMIN_EMAIL.to_owned());
    let (password, generated) = match &config.admin_password {
        Some(password) => (password.clone(), false),
        None => (
            SecretString::from(Alphanumeric.sample_string(&mut rand::rng(), 20)),
            true,
        ),
    };
    let team = create_team(db, &config.admin_team).await?;
    let created = create_member(
        db,
        NewMember {
            team_id: team.id,
            email: &email,
            display_name: "Administrator",
            password: password.clone(),
            roles: RoleSet::new([Role::Admin, Role::Creator, Role::Reviewer]),
        },
    )
    .await;
    match created {
        Ok(user) if generated => Ok(Bootstrap::CreatedWithGeneratedPassword {
            email: user.email,
            password,
        }),
        Ok(user) => Ok(Bootstrap::Created { email: user.email }),
        // Another replica created the administrator first.
        Err(ServiceError::Invalid(errors))
            if errors.iter().any(|e| e.code == ErrorCode::Conflict) =>
        {
            team::Entity::delete_by_id(team.id).exec(db).await?;
            Ok(Bootstrap::AlreadySetUp)
        }
        Err(other) => {
            team::Entity::delete_by_id(team.id).exec(db).await?;
            Err(other)
        }
    }
}
