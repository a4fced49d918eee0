//! Reference assets in the API: uploads (GraphQL multipart requests) and listing.

use std::io::Read;

use async_graphql::connection::Connection;
use async_graphql::{Context, ID, InputObject, Object, SimpleObject, Upload};
use bytes::Bytes;
use chrono::{DateTime, Utc};

use super::error::{UserError, state, to_graphql, user_error, user_errors, viewer};
use super::node::{NodeType, encode};
use super::page::{PageArgs, connection};
use super::task::signed_link;
use crate::domain::ErrorCode;
use crate::domain::task::MediaKind;
use crate::entity::reference_asset;
use crate::service::reference;

use crate::domain::reference::LicenceStatus;
/// An uploaded image or video that tasks may start from.
pub(crate) struct ReferenceAsset(reference_asset::Model);

impl ReferenceAsset {
    pub(crate) fn new(model: reference_asset::Model) -> Self {
        Self(model)
    }
}

#[Object]
impl ReferenceAsset {
    pub async fn id(&self) -> ID {
        encode(NodeType::ReferenceAsset, self.0.id)
    }

    async fn kind(&self) -> MediaKind {
        self.0.kind
    }

    async fn filename(&self) -> &str {
        &self.0.filename
    }

    /// Recognised from the file's bytes.
    async fn mime_type(&self) -> &str {
        &self.0.mime
    }

    async fn byte_size(&self) -> f64 {
        self.0.byte_size as f64
    }

    async fn checksum_sha256(&self) -> &str {
        &self.0.checksum_sha256
    }

    async fn width(&self) -> Option<i32> {
        self.0.width
    }

    async fn height(&self) -> Option<i32> {
        self.0.height
    }

    async fn licence_status(&self) -> LicenceStatus {
        self.0.licence_status
    }

    async fn source(&self) -> Option<&str> {
        self.0.source.as_deref()
    }

    async fn licence_note(&self) -> Option<&str> {
        self.0.licence_note.as_deref()
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// A signed link to the file, valid for at least an hour.
    async fn url(&self, ctx: &Context<'_>) -> async_graphql::Result<String> {
        Ok(signed_link(state(ctx)?, self.0.id, "original"))
    }

    /// A signed link to a PNG preview; images only.
    async fn thumbnail_url(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<String>> {
        let state = state(ctx)?;
        Ok(self
            .0
            .thumbnail_key
            .as_ref()
            .map(|_| signed_link(state, self.0.id, "thumbnail")))
    }
}

#[derive(Default)]
pub(crate) struct ReferenceQuery;

#[Object]
impl ReferenceQuery {
    /// The team's reference assets, newest first.
    async fn reference_assets(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20)] first: i32,
        after: Option<String>,
    ) -> async_graphql::Result<Connection<String, ReferenceAsset>> {
        let (state, viewer) = (state(ctx)?, viewer(ctx)?);
        let args = PageArgs::parse(first, after.as_deref())?;
        let page = reference::list(&state.db, viewer, args.first, args.after)
            .await
            .map_err(to_graphql)?;
        connection(&args, page, |r| r.id, |r| Ok(ReferenceAsset::new(r)))
    }
}

#[derive(InputObject)]
pub(crate) struct UploadReferenceAssetInput {
    /// The file, sent as a GraphQL multipart request.
    pub file: Upload,
    #[graphql(default_with = "LicenceStatus::Unknown")]
    pub licence_status: LicenceStatus,
    /// Where it comes from (a URL, a photographer, a stock id).
    pub source: Option<String>,
    pub licence_note: Option<String>,
}

#[derive(SimpleObject)]
pub(crate) struct UploadReferenceAssetPayload {
    pub reference_asset: Option<ReferenceAsset>,
    pub user_errors: Vec<UserError>,
}

#[derive(InputObject)]
pub(crate) struct ImportReferenceAssetInput {
    /// An http(s) link to the image or video. Kiln fetches it once, through the same
    /// guard as every URL it calls (no private or loopback addresses).
    pub url: String,
    #[graphql(default_with = "LicenceStatus::Unknown")]
    pub licence_status: LicenceStatus,
    /// Where it comes from; the link itself when not given.
    pub source: Option<String>,
    pub licence_note: Option<String>,
}

#[derive(SimpleObject)]
pub(crate) struct ImportReferenceAssetPayload {
    pub reference_asset: Option<ReferenceAsset>,
    pub user_errors: Vec<UserError>,
}

#[derive(Default)]
pub(crate) struct ReferenceMutation;

#[Object]
impl ReferenceMutation {
    /// Uploads a reference image or video. The type is judged by content; the same file
    /// uploaded twice is the same reference.
    async fn upload_reference_asset(
        &self,
        ctx: &Context<'_>,
        input: UploadReferenceAssetInput,
    ) -> async_graphql::Result<UploadReferenceAssetPayload> {
        let (state, viewer) = (state(ctx)?, viewer(ctx)?);
        let failed = |e: UserError| UploadReferenceAssetPayload {
            reference_asset: None,
            user_errors: vec![e],
        };
        let upload = match input.file.value(ctx) {
            Ok(upload) => upload,
            Err(_) => {
                return Ok(failed(user_error(
                    ErrorCode::Required,
                    "file",
                    "Attach the file to the request.",
                )));
            }
        };
        let filename = upload.filename.clone();
        let limit = state.config.upload_limit_bytes;
        let mut bytes = Vec::new();
        // One byte past the limit is enough to know it is too big.
        let read = upload
            .into_read()
            .take(limit as u64 + 1)
            .read_to_end(&mut bytes);
        if read.is_err() {
            return Ok(failed(user_error(
                ErrorCode::Invalid,
                "file",
                "The upload could not be read.",
            )));
        }
        let new = reference::NewReference {
            filename: &filename,
            bytes: Bytes::from(bytes),
            licence_status: input.licence_status,
            source: input.source.as_deref(),
            licence_note: input.licence_note.as_deref(),
        };
        Ok(
            match user_errors(reference::upload(state, viewer, new).await)? {
                Ok(model) => UploadReferenceAssetPayload {
                    reference_asset: Some(ReferenceAsset::new(model)),
                    user_errors: Vec::new(),
                },
                Err(errors) => UploadReferenceAssetPayload {
                    reference_asset: None,
                    user_errors: errors,
                },
            },
        )
    }

    /// Fetches a reference image or video from a link and keeps it like an upload (the
    /// same file twice is the same reference). The link is checked and fetched through
    /// the SSRF guard and may be at most as large as an upload.
    async fn import_reference_asset(
        &self,
        ctx: &Context<'_>,
        input: ImportReferenceAssetInput,
    ) -> async_graphql::Result<ImportReferenceAssetPayload> {
        let (state, viewer) = (state(ctx)?, viewer(ctx)?);
        let new = reference::ImportReference {
            url: &input.url,
            licence_status: input.licence_status,
            source: input.source.as_deref(),
            licence_note: input.licence_note.as_deref(),
        };
        Ok(
            match user_errors(reference::import(state, viewer, new).await)? {
                Ok(model) => ImportReferenceAssetPayload {
                    reference_asset: Some(ReferenceAsset::new(model)),
                    user_errors: Vec::new(),
                },
                Err(errors) => ImportReferenceAssetPayload {
                    reference_asset: None,
                    user_errors: errors,
                },
            },
        )
    }
}
