//! Where Kiln keeps output files: a local directory by default, behind the
//! `object_store` interface so that an S3-compatible bucket can take its place.

use std::path::Path;
use std::sync::Arc;

use bytes::Bytes;
use futures::StreamExt;
use futures::stream::BoxStream;
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, PutPayload};

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("no stored file at {0}")]
    NotFound(String),
    #[error("storage failed: {0}")]
    Backend(#[from] object_store::Error),
    #[error("could not prepare the storage directory: {0}")]
    Io(#[from] std::io::Error),
    #[error("storage is misconfigured: {0}")]
    Config(&'static str),
}

/// A stored file, ready to stream to a client.
pub(crate) struct StoredFile {
    pub size: u64,
    pub stream: BoxStream<'static, Result<Bytes, StorageError>>,
}

#[derive(Clone)]
pub(crate) struct Storage {
    store: Arc<dyn ObjectStore>,
}

impl Storage {
    /// The storage the configuration asks for.
    pub(crate) fn from_config(config: &crate::config::Config) -> Result<Self, StorageError> {
        use secrecy::ExposeSecret;

        match config.storage_backend {
            crate::config::StorageBackend::Local => Self::local(&config.files_dir()),
            crate::config::StorageBackend::S3 => {
                let bucket = config.s3_bucket.as_deref().ok_or(StorageError::Config(
                    "KILN_S3_BUCKET is required with KILN_STORAGE_BACKEND=s3",
                ))?;
                let mut builder = AmazonS3Builder::new()
                    .with_bucket_name(bucket)
                    .with_region(config.s3_region.as_deref().unwrap_or("us-east-1"))
                    .with_allow_http(config.s3_allow_http);
                if let Some(endpoint) = &config.s3_endpoint {
                    builder = builder.with_endpoint(endpoint);
                }
                match (&config.s3_access_key_id, &config.s3_secret_access_key) {
                    (Some(id), Some(secret)) => {
                        builder = builder
                            .with_access_key_id(id)
                            .with_secret_access_key(secret.expose_secret());
                    }
                    (None, None) => {}
                    _ => {
                        return Err(StorageError::Config(
                            "set both KILN_S3_ACCESS_KEY_ID and KILN_S3_SECRET_ACCESS_KEY, or neither",
                        ));
                    }
                }
                Ok(Self {
                    store: Arc::new(builder.build()?),
                })
            }
        }
    }

    /// Files under `dir`, which is created if missing.
    pub(crate) fn local(dir: &Path) -> Result<Self, StorageError> {
        std::fs::create_dir_all(dir)?;
        let store = LocalFileSystem::new_with_prefix(dir)?;
        Ok(Self {
            store: Arc::new(store),
        })
    }

    pub(crate) async fn put(&self, key: &str, bytes: Bytes) -> Result<(), StorageError> {
        self.store
            .put(&ObjectPath::from(key), PutPayload::from(bytes))
            .await?;
        Ok(())
    }

    /// The whole file in memory; for small files (references sent upstream).
    pub(crate) async fn get_bytes(&self, key: &str) -> Result<Bytes, StorageError> {
        let result = self
            .store
            .get(&ObjectPath::from(key))
            .await
            .map_err(|e| match e {
                object_store::Error::NotFound { .. } => StorageError::NotFound(key.to_owned()),
                other => StorageError::Backend(other),
            })?;
        Ok(result.bytes().await?)
    }

    pub(crate) async fn get(&self, key: &str) -> Result<StoredFile, StorageError> {
        let result = self
            .store
            .get(&ObjectPath::from(key))
            .await
            .map_err(|e| match e {
                object_store::Error::NotFound { .. } => StorageError::NotFound(key.to_owned()),
                other => StorageError::Backend(other),
            })?;
        let size = result.meta.size;
        let stream = result
            .into_stream()
            .map(|chunk| chunk.map_err(StorageError::from))
            .boxed();
        Ok(StoredFile { size, stream })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Config, StorageBackend};

    #[tokio::test]
    async fn a_stored_file_reads_back_whole_and_streamed() {
        let dir = tempfile::tempdir().unwrap();
        let storage = Storage::local(dir.path()).unwrap();
        storage
            .put("teams/a/file.png", Bytes::from_static(b"hello"))
            .await
            .unwrap();
        assert_eq!(
            storage.get_bytes("teams/a/file.png").await.unwrap(),
            Bytes::from_static(b"hello")
        );
        let file = storage.get("teams/a/file.png").await.unwrap();
        assert_eq!(file.size, 5);
        assert!(matches!(
            storage.get("teams/a/missing.png").await,
            Err(StorageError::NotFound(_))
        ));
    }

    #[test]
    fn s3_storage_needs_a_bucket_and_both_keys_or_neither() {
        let mut config = Config {
            storage_backend: StorageBackend::S3,
            ..Config::default()
        };
        assert!(matches!(
            Storage::from_config(&config),
            Err(StorageError::Config(_))
        ));
        config.s3_bucket = Some("kiln-outputs".into());
        config.s3_endpoint = Some("http://127.0.0.1:9000".into());
        config.s3_allow_http = true;
        config.s3_access_key_id = Some("kiln".into());
        assert!(matches!(
            Storage::from_config(&config),
            Err(StorageError::Config(_))
        ));
        config.s3_secret_access_key = Some(secrecy::SecretString::from("secret"));
        assert!(Storage::from_config(&config).is_ok());
    }
}
