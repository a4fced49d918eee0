//! What the composer offers: models, draft caps, and the team's reference assets.

pub use super::schema::{
    CatalogueQuery, ImportReferenceAsset, ReferenceAssets, UploadReferenceAsset, catalogue_query,
    import_reference_asset, reference_assets, upload_reference_asset,
};
use crate::api::{ApiError, graphql_query, graphql_upload};
use crate::model::{
    Catalogue, DraftPolicy, LicenceStatus, ModelSpec, OrUnknown, ReferenceAsset, UserError,
};

from_fragment!(
    [
        reference_assets,
        upload_reference_asset,
        import_reference_asset
    ],
    |r: ReferenceFields| -> ReferenceAsset { reference!(r) }
);

/// Values this build does not know are left out: the form cannot offer them anyway.
fn known<T>(values: Vec<OrUnknown<T>>) -> Vec<T> {
    values.into_iter().filter_map(OrUnknown::known).collect()
}

/// The models on offer (those of a kind this build knows) and the draft caps.
pub async fn fetch_catalogue() -> Result<Catalogue, ApiError> {
    let data = graphql_query::<CatalogueQuery>(catalogue_query::Variables {}).await?;
    let policy = data.draft_policy;
    let (Some(max_quality), Some(max_resolution)) =
        (policy.max_quality.known(), policy.max_resolution.known())
    else {
        return Err(ApiError::Decode("unknown draft caps".to_owned()));
    };
    let models = data
        .models
        .into_iter()
        .filter_map(|m| {
            Some(ModelSpec {
                kind: m.kind.known()?,
                id: m.id,
                label: m.label,
                label_zh: m.label_zh,
                usual_seconds: m.usual_seconds,
                input_types: known(m.input_types),
                sizes: m.sizes,
                qualities: known(m.qualities),
                max_count: m.max_count,
                durations: m.durations,
                frame_rates: m.frame_rates,
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
        .map(|e| e.node.into())
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
        .map(|r| Ok(r.into()))
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
        .map(|r| Ok(r.into()))
        .ok_or(ApiError::NoData)
}
