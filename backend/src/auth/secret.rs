//! The server secret that signs access tokens and download links.

use std::io::Write;
use std::path::Path;

use rand::RngCore;
use secrecy::SecretString;

const SECRET_FILE: &str = "jwt-secret";

/// The configured secret, else the one kept in `data_dir`, else a new random one written
/// there (readable by the owner only) so that tokens stay valid across restarts.
pub(crate) fn load_or_create(
    configured: Option<&SecretString>,
    data_dir: &Path,
) -> std::io::Result<SecretString> {
    if let Some(secret) = configured {
        return Ok(secret.clone());
    }
    let path = data_dir.join(SECRET_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) if !text.trim().is_empty() => {
            return Ok(SecretString::from(text.trim().to_owned()));
        }
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let secret = hex::encode(bytes);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(&path)?;
    file.write_all(secret.as_bytes())?;
    tracing::info!(path = %path.display(), "generated a new server secret");
    Ok(SecretString::from(secret))
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    #[test]
    fn a_generated_secret_is_kept_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let first = load_or_create(None, dir.path()).unwrap();
        let second = load_or_create(None, dir.path()).unwrap();
        assert_eq!(first.expose_secret(), second.expose_secret());
        assert_eq!(first.expose_secret().len(), 64);
    }

    #[test]
    fn a_configured_secret_wins() {
        let dir = tempfile::tempdir().unwrap();
        let configured = SecretString::from("from-the-environment");
        let secret = load_or_create(Some(&configured), dir.path()).unwrap();
        assert_eq!(secret.expose_secret(), "from-the-environment");
        assert!(!dir.path().join(SECRET_FILE).exists());
    }
}
