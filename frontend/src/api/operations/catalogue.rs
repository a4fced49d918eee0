//! What the composer offers: models, draft caps, and the team's reference assets.

use graphql_client::GraphQLQuery;

use crate::api::{ApiError, graphql_query, graphql_upload};
use crate::model::{Catalogue, DraftPolicy, LicenceStatus, ModelSpec, ReferenceAsset, UserError};

/// The `Upload` scalar: always `null` in the JSON; the file travels as its own part.
type Upload = ();

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/catalogue.graphql",
    response_derives = "Debug, Clone"
)]
pub struct CatalogueQuery;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/reference_assets.graphql",
    response_derives = "Debug, Clone"
)]
pub struct ReferenceAssets;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/upload_reference_asset.graphql",
    response_derives = "Debug, Clone"
)]
pub struct UploadReferenceAsset;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema.graphql",
    query_path = "graphql/import_reference_asset.graphql",
    response_derives = "Debug, Clone"
)]
pub struct ImportReferenceAsset;

enums!(catalogue_query:
    kind_enum, input_type_enum, quality_enum, resolution_enum, output_format_enum,
    camera_motion_enum,
);
enums!(reference_assets: licence_status_enum, media_kind_enum);
enums!(upload_reference_asset: licence_status_enum, media_kind_enum, error_code_enum);
enums!(import_reference_asset: licence_status_enum, media_kind_enum, error_code_enum);

/// A reference from one operation's `ReferenceFields` selection.
macro_rules! reference {
    ($r:expr) => {{
        let r = $r;
        ReferenceAsset {
            id: r.id,
            kind: r.kind.into(),
            filename: r.filename,
            mime_type: r.mime_type,
            width: r.width,
            height: r.height,
            licence_status: r.licence_status.into(),
            url: r.url,
            thumbnail_url: r.thumbnail_url,
        }
    }};
}

/// Values this build does not know are left out: the form cannot offer them anyway.
fn known<W, M>(values: Vec<W>) -> Vec<M>
where
    W: Into<Option<M>>,
{
    values.into_iter().filter_map(Into::into).collect()
}

/// The models on offer (those of a kind this build knows) and the draft caps.
pub async fn fetch_catalogue() -> Result<Catalogue, ApiError> {
    let data = graphql_query::<CatalogueQuery>(catalogue_query::Variables {}).await?;
    let policy = data.draft_policy;
    let (Some(max_quality), Some(max_resolution)) = (
        Option::from(policy.max_quality),
        Option::from(policy.max_resolution),
    ) else {
        return Err(ApiError::Decode("unknown draft caps".to_owned()));
    };
    let models = data
        .models
        .into_iter()
        .filter_map(|m| {
            Some(ModelSpec {
                kind: Option::from(m.kind)?,
                id: m.id,
                label: m.label,
                input_types: known(m.input_types),
                sizes: m.sizes,
                qualities: known(m.qualities),
                max_count: m.max_count,
                durations: m.durations,
                resolutions: known(m.resolutions),
                output_formats: known(m.output_formats),
                camera_motions: known(m.camera_motions),
                negative_prompt: m.negative_prompt,
                audio: m.audio,
                max_references: m.max_references,
            })
        })
        .collect();
    Ok(Catalogue {
        models,
        draft_policy: DraftPolicy {
            max_quality,
            max_count: policy.max_count,
            max_resolution,
            max_duration_seconds: policy.max_duration_seconds,
        },
    })
}

/// As many as the library shows at once.
const REFERENCE_LIMIT: i64 = 60;

/// The team's references, newest first.
pub async fn fetch_references() -> Result<Vec<ReferenceAsset>, ApiError> {
    let data = graphql_query::<ReferenceAssets>(reference_assets::Variables {
        first: REFERENCE_LIMIT,
    })
    .await?;
    Ok(data
        .reference_assets
        .edges
        .into_iter()
        .map(|e| reference!(e.node))
        .collect())
}

/// Uploads one file. Its licence is left `UNKNOWN` for the brief's owner to settle:
/// the composer is not the place to assert rights.
pub async fn upload_reference(
    file: web_sys::File,
) -> Result<Result<ReferenceAsset, Vec<UserError>>, ApiError> {
    let data = graphql_upload::<UploadReferenceAsset>(
        upload_reference_asset::Variables {
            input: upload_reference_asset::UploadReferenceAssetInput {
                file: (),
                licence_status: LicenceStatus::Unknown.into(),
                source: None,
                licence_note: None,
            },
        },
        vec![("variables.input.file", file)],
    )
    .await?;
    let p = data.upload_reference_asset;
    if !p.user_errors.is_empty() {
        return Ok(Err(user_errors!(p.user_errors)));
    }
    p.reference_asset
        .map(|r| Ok(reference!(r)))
        .ok_or(ApiError::NoData)
}

/// Has Kiln fetch a reference from `url` and keep it like an upload.
pub async fn import_reference(
    url: String,
) -> Result<Result<ReferenceAsset, Vec<UserError>>, ApiError> {
    let data = graphql_query::<ImportReferenceAsset>(import_reference_asset::Variables {
        input: import_reference_asset::ImportReferenceAssetInput {
            url,
            licence_status: LicenceStatus::Unknown.into(),
            source: None,
            licence_note: None,
        },
    })
    .await?;
    let p = data.import_reference_asset;
    if !p.user_errors.is_empty() {
        return Ok(Err(user_errors!(p.user_errors)));
    }
    p.reference_asset
        .map(|r| Ok(reference!(r)))
        .ok_or(ApiError::NoData)
}
