//! Outbound HTTP that cannot be turned against Kiln's own network (SSRF).
//!
//! Every URL Kiln fetches or calls on someone's say-so — callbacks, reference URLs,
//! upstream result links — goes through [`SafeHttp`]: only `http`/`https`; every address
//! a name resolves to is checked *when connecting* (so a DNS answer that changes between
//! a check and the request, or a redirect, cannot sneak past); loopback, private,
//! link-local (cloud metadata), CGNAT, multicast, reserved and documentation ranges and
//! their IPv6 equivalents are refused unless an operator allow-lists them; connections
//! and reads time out and bodies are capped.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use futures::StreamExt;
use ipnet::IpNet;
use reqwest::Url;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::redirect;

#[derive(Debug, thiserror::Error)]
pub(crate) enum FetchError {
    #[error("{0}")]
    Refused(String),
    #[error("not a usable URL: {0}")]
    InvalidUrl(String),
    #[error("the request timed out")]
    Timeout,
    #[error("the response is larger than {limit} bytes")]
    TooLarge { limit: usize },
    #[error("the request failed: {0}")]
    Http(String),
}

impl FetchError {
    fn from_reqwest(err: reqwest::Error) -> Self {
        if err.is_timeout() {
            return FetchError::Timeout;
        }
        // The guard's own refusals travel inside reqwest's error chain; surface them.
        let mut source: Option<&dyn std::error::Error> = Some(&err);
        while let Some(inner) = source {
            if let Some(refused) = inner.downcast_ref::<Refusal>() {
                return FetchError::Refused(refused.0.clone());
            }
            source = inner.source();
        }
        // Without the URL: it may carry query parameters a caller considers private.
        FetchError::Http(err.without_url().to_string())
    }
}

/// A refusal raised inside reqwest (resolver, redirect policy).
#[derive(Debug)]
struct Refusal(String);

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Refusal {}

/// Which addresses may be reached: public ones, plus what the operator allow-lists.
#[derive(Debug, Clone, Default)]
pub(crate) struct NetPolicy {
    allow: Vec<IpNet>,
}

impl NetPolicy {
    /// `entries` are addresses or CIDR ranges, e.g. `127.0.0.1` or `10.1.0.0/16`.
    pub(crate) fn new(entries: &[String]) -> Result<Self, String> {
        let allow = entries
            .iter()
            .map(|entry| {
                let entry = entry.trim();
                entry
                    .parse::<IpNet>()
                    .or_else(|_| entry.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| format!("{entry:?} is not an address or CIDR range"))
            })
            .collect::<Result<_, _>>()?;
        Ok(Self { allow })
    }

    pub(crate) fn permits(&self, ip: IpAddr) -> bool {
        is_public(ip) || self.allow.iter().any(|net| net.contains(&ip))
    }

    fn check_ip(&self, ip: IpAddr) -> Result<(), Refusal> {
        if self.permits(ip) {
            Ok(())
        } else {
            Err(Refusal(format!(
                "{ip} is a loopback, private, link-local or otherwise non-public address; Kiln does not connect there"
            )))
        }
    }

    /// Scheme and (for an IP literal) address of `url`; names are checked at connection.
    fn check_url(&self, url: &Url) -> Result<(), Refusal> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(Refusal(format!(
                "only http and https URLs are allowed, not {}",
                url.scheme()
            )));
        }
        match url.host() {
            Some(url::Host::Ipv4(ip)) => self.check_ip(IpAddr::V4(ip)),
            Some(url::Host::Ipv6(ip)) => self.check_ip(IpAddr::V6(ip)),
            Some(url::Host::Domain(_)) => Ok(()),
            None => Err(Refusal("the URL has no host".into())),
        }
    }
}

/// Whether `ip` is an ordinary public address.
pub(crate) fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public_v4(v4);
            }
            let s = v6.segments();
            // NAT64 (64:ff9b::/96) reaches the embedded IPv4 address.
            if s[0] == 0x64 && s[1] == 0xff9b && s[2..6] == [0, 0, 0, 0] {
                return is_public_v4(Ipv4Addr::new(
                    (s[6] >> 8) as u8,
                    s[6] as u8,
                    (s[7] >> 8) as u8,
                    s[7] as u8,
                ));
            }
            !(v6.is_unspecified()
                || v6.is_loopback()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00 // unique local, e.g. fd00:ec2::254 (metadata)
                || (s[0] & 0xffc0) == 0xfe80 // link-local
                || (s[0] & 0xffc0) == 0xfec0 // site-local (deprecated)
                || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
                || (s[0] == 0x0100 && s[1..4] == [0, 0, 0]) // discard-only
                || (s[0] == 0 && s[1..5] == [0, 0, 0, 0] && s[5] == 0) // IPv4-compatible (deprecated)
                || v6 == Ipv6Addr::new(0, 0, 0, 0, 0, 0, 0, 1))
        }
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_unspecified()
        || a == 0 // "this network"
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local() // 169.254/16, cloud metadata at 169.254.169.254
        || (a == 100 && (64..=127).contains(&b)) // CGNAT 100.64/10
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 192 && b == 0 && c == 2) // TEST-NET-1
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || (a == 198 && b == 51 && c == 100) // TEST-NET-2
        || (a == 203 && b == 0 && c == 113) // TEST-NET-3
        || ip.is_multicast()
        || a >= 240) // reserved and broadcast
}

/// Resolves names and keeps only the addresses the policy permits, at connection time.
struct GuardedResolver {
    policy: Arc<NetPolicy>,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.policy.clone();
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let resolved: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let permitted: Vec<SocketAddr> = resolved
                .iter()
                .copied()
                .filter(|a| policy.permits(a.ip()))
                .collect();
            if permitted.is_empty() {
                let refused = match resolved.first() {
                    Some(addr) => format!(
                        "{host} resolves to {}, a non-public address; Kiln does not connect there",
                        addr.ip()
                    ),
                    None => format!("{host} does not resolve"),
                };
                return Err(Box::new(Refusal(refused)) as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(permitted.into_iter()) as Addrs)
        })
    }
}

/// Limits of one kind of outbound call.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub connect_timeout: Duration,
    /// The whole request, response body included.
    pub timeout: Duration,
    pub max_body_bytes: usize,
}

/// An HTTP client that only reaches permitted addresses.
#[derive(Clone)]
pub(crate) struct SafeHttp {
    client: reqwest::Client,
    policy: Arc<NetPolicy>,
    limits: Limits,
}

/// Redirects followed at most.
const MAX_REDIRECTS: usize = 5;

impl SafeHttp {
    pub(crate) fn new(policy: NetPolicy, limits: Limits) -> Result<Self, FetchError> {
        let policy = Arc::new(policy);
        let redirect_policy = {
            let policy = policy.clone();
            redirect::Policy::custom(move |attempt| {
                if attempt.previous().len() >= MAX_REDIRECTS {
                    return attempt.error(Refusal(format!("more than {MAX_REDIRECTS} redirects")));
                }
                let host = attempt.url().host_str().unwrap_or("?").to_owned();
                match policy.check_url(attempt.url()) {
                    Ok(()) => attempt.follow(),
                    Err(refusal) => {
                        attempt.error(Refusal(format!("redirected to {host}: {refusal}")))
                    }
                }
            })
        };
        let client = reqwest::Client::builder()
            .dns_resolver(Arc::new(GuardedResolver {
                policy: policy.clone(),
            }))
            .redirect(redirect_policy)
            .connect_timeout(limits.connect_timeout)
            .timeout(limits.timeout)
            .user_agent(concat!("Kiln/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| FetchError::Http(e.to_string()))?;
        Ok(Self {
            client,
            policy,
            limits,
        })
    }

    /// Parses `url` and checks its scheme and, for an address, the address. Names are
    /// checked again at every connection.
    pub(crate) fn check(&self, url: &str) -> Result<Url, FetchError> {
        let parsed =
            Url::parse(url).map_err(|e| FetchError::InvalidUrl(format!("{url:?}: {e}")))?;
        self.policy
            .check_url(&parsed)
            .map_err(|r| FetchError::Refused(r.0))?;
        Ok(parsed)
    }

    /// Like [`SafeHttp::check`], and also resolves a name now, so that a URL that could
    /// never be called is refused when it is given rather than when it is used.
    pub(crate) async fn check_resolving(&self, url: &str) -> Result<Url, FetchError> {
        let parsed = self.check(url)?;
        if let Some(url::Host::Domain(host)) = parsed.host() {
            let port = parsed.port_or_known_default().unwrap_or(443);
            let resolved: Vec<SocketAddr> = tokio::net::lookup_host((host, port))
                .await
                .map_err(|_| FetchError::Refused(format!("{host} does not resolve")))?
                .collect();
            if let Some(addr) = resolved.iter().find(|a| !self.policy.permits(a.ip())) {
                return Err(FetchError::Refused(format!(
                    "{host} resolves to {}, a non-public address; Kiln does not connect there",
                    addr.ip()
                )));
            }
        }
        Ok(parsed)
    }

    /// The underlying client, for building requests to checked URLs.
    pub(crate) fn client(&self) -> &reqwest::Client {
        &self.client
    }

    /// Sends `request` and turns transport failures (including refusals) into
    /// [`FetchError`]s.
    pub(crate) async fn send(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<reqwest::Response, FetchError> {
        request.send().await.map_err(FetchError::from_reqwest)
    }

    /// Reads a body up to the limit, refusing larger ones without buffering them.
    pub(crate) async fn read_body(&self, response: reqwest::Response) -> Result<Bytes, FetchError> {
        let limit = self.limits.max_body_bytes;
        if response
            .content_length()
            .is_some_and(|len| len as usize > limit)
        {
            return Err(FetchError::TooLarge { limit });
        }
        let mut body = BytesMut::new();
        let mut stream = response.bytes_stream();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(FetchError::from_reqwest)?;
            if body.len() + chunk.len() > limit {
                return Err(FetchError::TooLarge { limit });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body.freeze())
    }

    /// GET `url` (checked) and its body, for a 2xx answer.
    pub(crate) async fn get_bytes(
        &self,
        url: &str,
    ) -> Result<(reqwest::StatusCode, Bytes), FetchError> {
        let url = self.check(url)?;
        let response = self.send(self.client.get(url)).await?;
        let status = response.status();
        let body = self.read_body(response).await?;
        Ok((status, body))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guard(allow: &[&str]) -> SafeHttp {
        let policy =
            NetPolicy::new(&allow.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap();
        SafeHttp::new(
            policy,
            Limits {
                connect_timeout: Duration::from_secs(2),
                timeout: Duration::from_secs(5),
                max_body_bytes: 1024,
            },
        )
        .unwrap()
    }

    #[test]
    fn private_loopback_link_local_and_metadata_addresses_are_not_public() {
        for ip in [
            "127.0.0.1",
            "10.0.0.1",
            "172.16.5.4",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "::1",
            "::",
            "fe80::1",
            "fd00:ec2::254",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::a00:1",
            "2001:db8::1",
        ] {
            assert!(!is_public(ip.parse().unwrap()), "{ip}");
        }
        for ip in [
            "8.8.8.8",
            "1.1.1.1",
            "2606:4700:4700::1111",
            "::ffff:8.8.8.8",
        ] {
            assert!(is_public(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn an_allow_list_opens_exactly_what_it_names() {
        let policy = NetPolicy::new(&["127.0.0.1".into(), "10.1.0.0/16".into()]).unwrap();
        assert!(policy.permits("127.0.0.1".parse().unwrap()));
        assert!(policy.permits("10.1.2.3".parse().unwrap()));
        assert!(!policy.permits("127.0.0.2".parse().unwrap()));
        assert!(!policy.permits("10.2.0.1".parse().unwrap()));
        assert!(NetPolicy::new(&["not-an-address".into()]).is_err());
    }

    #[tokio::test]
    async fn literal_private_addresses_are_refused_before_any_connection() {
        let http = guard(&[]);
        for url in [
            "http://127.0.0.1/x",
            "http://10.0.0.1/x",
            "http://169.254.169.254/latest/meta-data/",
            "http://[::1]/x",
        ] {
            assert!(
                matches!(http.check(url), Err(FetchError::Refused(_))),
                "{url}"
            );
            assert!(
                matches!(http.get_bytes(url).await, Err(FetchError::Refused(_))),
                "{url}"
            );
        }
    }

    #[tokio::test]
    async fn a_name_resolving_to_a_private_address_is_refused() {
        let http = guard(&[]);
        assert!(matches!(
            http.check_resolving("http://localhost:9/").await,
            Err(FetchError::Refused(_))
        ));
        let err = http.get_bytes("http://localhost:9/").await.unwrap_err();
        assert!(
            matches!(err, FetchError::Refused(ref m) if m.contains("localhost")),
            "{err}"
        );
    }

    #[tokio::test]
    async fn only_http_and_https_are_allowed() {
        let http = guard(&[]);
        for url in [
            "file:///etc/passwd",
            "gopher://example.com/",
            "ftp://example.com/",
        ] {
            assert!(
                matches!(http.check(url), Err(FetchError::Refused(_))),
                "{url}"
            );
        }
        assert!(matches!(
            http.check("not a url"),
            Err(FetchError::InvalidUrl(_))
        ));
    }
}
