//! Where a console sign-in goes: the partition of a region, its federation endpoint and the
//! console page the browser lands on.
//!
//! Hosts, by partition (the AWS SDKs' `signin` endpoint rules and aws-vault's `login`):
//!
//! | partition | regions | federation endpoint | console |
//! |---|---|---|---|
//! | `aws` | everything else | `https://signin.aws.amazon.com/federation` | `https://REGION.console.aws.amazon.com` |
//! | `aws-cn` | `cn-*` | `https://signin.amazonaws.cn/federation` | `https://REGION.console.amazonaws.cn` |
//! | `aws-us-gov` | `us-gov-*` | `https://signin.amazonaws-us-gov.com/federation` | `https://REGION.console.amazonaws-us-gov.com` |
//! | `aws-eusc` | `eusc-*` | `https://REGION.signin.amazonaws-eusc.eu/federation` | `https://REGION.console.amazonaws-eusc.eu` |
//!
//! The European Sovereign Cloud has no global sign-in host: its only sign-in host in the SDKs'
//! endpoint rules is the regional `REGION.signin.amazonaws-eusc.eu`, and its console is
//! `console.amazonaws-eusc.eu`. That the federation path works there as in the other partitions
//! is an assumption (no public page documents it yet); `AWS_ENDPOINT_URL_SIGNIN` overrides it.
//!
//! A region no partition claims (`mars-north-1`) is in `aws`, as the SDKs' partition resolver
//! decides; the isolated partitions (`us-iso*`, `eu-isoe-*`) have no public sign-in and are
//! refused, as is a region that is not a host name label.

use super::error::ConsoleError;

/// The variable that overrides the federation endpoint's base URL, named as the AWS SDKs name
/// their per-service endpoint variables (service id `signin`).
pub const ENDPOINT_VAR: &str = "AWS_ENDPOINT_URL_SIGNIN";

/// The region used when neither `--region` nor the profile names one (the console's home).
pub const DEFAULT_REGION: &str = "us-east-1";

/// An AWS partition with a public console.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Partition {
    Aws,
    AwsCn,
    AwsUsGov,
    /// The AWS European Sovereign Cloud.
    AwsEusc,
}

impl Partition {
    /// The partition of `region` (already checked to be well formed), or why there is no
    /// console sign-in for it.
    pub fn of(region: &str) -> Result<Partition, ConsoleError> {
        const ISOLATED: [&str; 4] = ["us-iso-", "us-isob-", "us-isof-", "eu-isoe-"];
        if ISOLATED.iter().any(|p| region.starts_with(p)) {
            return Err(ConsoleError::InvalidRegion {
                region: region.to_string(),
                reason: "it is in an isolated AWS partition, which has no public console sign-in".into(),
            });
        }
        Ok(if region.starts_with("cn-") {
            Partition::AwsCn
        } else if region.starts_with("us-gov-") {
            Partition::AwsUsGov
        } else if region.starts_with("eusc-") {
            Partition::AwsEusc
        } else {
            Partition::Aws
        })
    }

    /// The partition's name in ARNs.
    pub fn name(self) -> &'static str {
        match self {
            Partition::Aws => "aws",
            Partition::AwsCn => "aws-cn",
            Partition::AwsUsGov => "aws-us-gov",
            Partition::AwsEusc => "aws-eusc",
        }
    }

    /// The federation endpoint AWS serves for `region` of this partition.
    pub fn federation_endpoint(self, region: &str) -> String {
        match self {
            Partition::Aws => "https://signin.aws.amazon.com/federation".into(),
            Partition::AwsCn => "https://signin.amazonaws.cn/federation".into(),
            Partition::AwsUsGov => "https://signin.amazonaws-us-gov.com/federation".into(),
            Partition::AwsEusc => format!("https://{region}.signin.amazonaws-eusc.eu/federation"),
        }
    }

    /// The console of `region`, without a path.
    pub fn console_base(self, region: &str) -> String {
        let domain = match self {
            Partition::Aws => "console.aws.amazon.com",
            Partition::AwsCn => "console.amazonaws.cn",
            Partition::AwsUsGov => "console.amazonaws-us-gov.com",
            Partition::AwsEusc => "console.amazonaws-eusc.eu",
        };
        format!("https://{region}.{domain}")
    }
}

/// Where one sign-in goes: the federation endpoint to ask for a token and the console page to
/// land on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsoleTarget {
    pub region: String,
    pub partition: Partition,
    /// `…/federation`, AWS's or the override's.
    pub federation_endpoint: String,
    /// The console page (`Destination`).
    pub destination: String,
}

impl ConsoleTarget {
    /// The target for `region` (else [`DEFAULT_REGION`]) and an optional console `path`
    /// (`ec2/home`, `/s3/buckets?x=y`), with the federation endpoint overridden by
    /// `endpoint_override` (the value of [`ENDPOINT_VAR`]) when given.
    pub fn new(
        region: Option<&str>,
        path: Option<&str>,
        endpoint_override: Option<&str>,
    ) -> Result<ConsoleTarget, ConsoleError> {
        let region = region
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .unwrap_or(DEFAULT_REGION);
        check_region(region)?;
        let partition = Partition::of(region)?;
        let federation_endpoint = match endpoint_override.map(str::trim).filter(|u| !u.is_empty()) {
            Some(base) => override_endpoint(base)?,
            None => partition.federation_endpoint(region),
        };
        Ok(ConsoleTarget {
            region: region.to_string(),
            partition,
            destination: destination(partition, region, path),
            federation_endpoint,
        })
    }

    /// [`ConsoleTarget::new`] for `profile`, with the federation endpoint its configuration
    /// chooses as the AWS SDKs do for service `signin` ([`ENDPOINT_VAR`], `AWS_ENDPOINT_URL`,
    /// `[services]`'s `signin`, `endpoint_url`; see [`crate::profile::endpoints`]).
    pub fn for_profile(
        profile: &crate::profile::ResolvedProfile,
        region: Option<&str>,
        path: Option<&str>,
    ) -> crate::Result<ConsoleTarget> {
        let endpoint = profile.endpoints.url(crate::profile::endpoints::Service::Signin)?;
        Ok(ConsoleTarget::new(region, path, endpoint.as_deref())?)
    }
}

/// A region goes into a host name: lower-case letters, digits and inner hyphens only.
fn check_region(region: &str) -> Result<(), ConsoleError> {
    let label_ok = region.len() <= 63
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !region.starts_with('-')
        && !region.ends_with('-')
        && !region.contains("--");
    if label_ok {
        Ok(())
    } else {
        Err(ConsoleError::InvalidRegion {
            region: region.escape_debug().to_string(),
            reason: "a region is lower-case letters, digits and hyphens, such as eu-west-1".into(),
        })
    }
}

/// `AWS_ENDPOINT_URL_SIGNIN` is a base URL, as the SDKs' endpoint variables are: the
/// federation path is added to it.
fn override_endpoint(base: &str) -> Result<String, ConsoleError> {
    let scheme_ok = base.starts_with("https://") || base.starts_with("http://");
    let rest = base.split_once("://").map(|(_, r)| r).unwrap_or_default();
    if !scheme_ok || rest.is_empty() || rest.starts_with('/') || base.contains(['?', '#', ' ']) {
        return Err(ConsoleError::InvalidEndpoint {
            variable: ENDPOINT_VAR,
            value: base.escape_debug().to_string(),
        });
    }
    Ok(format!("{}/federation", base.trim_end_matches('/')))
}

/// The console home of `region`, or `path` on that region's console. The console reads the
/// region from the query; a path that names one keeps its own.
fn destination(partition: Partition, region: &str, path: Option<&str>) -> String {
    let base = partition.console_base(region);
    let path = path.map(|p| p.trim().trim_start_matches('/')).filter(|p| !p.is_empty());
    match path {
        None => format!("{base}/console/home?region={region}"),
        Some(p) if p.contains("region=") => format!("{base}/{p}"),
        Some(p) if p.contains('?') => format!("{base}/{p}&region={region}"),
        Some(p) => format!("{base}/{p}?region={region}"),
    }
}

/// `text` percent-encoded for a URL query value: everything but RFC 3986's unreserved
/// characters is escaped, so JSON, `&`, `=`, `+` and `/` in a token or URL stay one value.
pub fn encode_query_value(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error_code::HasCode;

    fn target(region: Option<&str>, path: Option<&str>) -> ConsoleTarget {
        ConsoleTarget::new(region, path, None).expect("target")
    }

    #[test]
    fn each_partition_has_its_sign_in_and_console_hosts() {
        let t = target(Some("eu-west-1"), None);
        assert_eq!(t.partition, Partition::Aws);
        assert_eq!(t.federation_endpoint, "https://signin.aws.amazon.com/federation");
        assert_eq!(
            t.destination,
            "https://eu-west-1.console.aws.amazon.com/console/home?region=eu-west-1"
        );
        let t = target(Some("cn-north-1"), None);
        assert_eq!(t.partition, Partition::AwsCn);
        assert_eq!(t.federation_endpoint, "https://signin.amazonaws.cn/federation");
        assert_eq!(
            t.destination,
            "https://cn-north-1.console.amazonaws.cn/console/home?region=cn-north-1"
        );
        let t = target(Some("us-gov-west-1"), None);
        assert_eq!(t.partition, Partition::AwsUsGov);
        assert_eq!(t.federation_endpoint, "https://signin.amazonaws-us-gov.com/federation");
        assert_eq!(
            t.destination,
            "https://us-gov-west-1.console.amazonaws-us-gov.com/console/home?region=us-gov-west-1"
        );
        let t = target(Some("eusc-de-east-1"), None);
        assert_eq!(t.partition, Partition::AwsEusc);
        assert_eq!(
            t.federation_endpoint,
            "https://eusc-de-east-1.signin.amazonaws-eusc.eu/federation"
        );
        assert_eq!(
            t.destination,
            "https://eusc-de-east-1.console.amazonaws-eusc.eu/console/home?region=eusc-de-east-1"
        );
    }

    #[test]
    fn an_unknown_region_is_in_aws_and_no_region_is_us_east_1() {
        let t = target(Some("mars-north-1"), None);
        assert_eq!(t.partition, Partition::Aws);
        assert_eq!(
            t.destination,
            "https://mars-north-1.console.aws.amazon.com/console/home?region=mars-north-1"
        );
        for none in [None, Some(""), Some("  ")] {
            let t = target(none, None);
            assert_eq!(t.region, "us-east-1");
            assert_eq!(t.partition.name(), "aws");
        }
    }

    #[test]
    fn regions_that_cannot_be_a_host_or_have_no_public_console_are_refused() {
        for bad in [
            "EU-WEST-1",
            "eu west 1",
            "eu-west-1.evil.com",
            "-eu",
            "eu-",
            "a/b",
            "eu--1",
            "r\nx",
        ] {
            let e = ConsoleTarget::new(Some(bad), None, None).expect_err(bad);
            assert_eq!(e.error_code().as_str(), "console_region_invalid", "{bad}");
            assert!(!e.to_string().contains('\n'), "{e}");
        }
        let e = ConsoleTarget::new(Some("us-iso-east-1"), None, None).expect_err("iso");
        assert!(e.to_string().contains("isolated"), "{e}");
    }

    #[test]
    fn a_path_is_put_on_the_regions_console() {
        let t = target(Some("eu-west-1"), Some("/ec2/home"));
        assert_eq!(
            t.destination,
            "https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1"
        );
        let t = target(Some("eu-west-1"), Some("s3/buckets?tab=objects"));
        assert_eq!(
            t.destination,
            "https://eu-west-1.console.aws.amazon.com/s3/buckets?tab=objects&region=eu-west-1"
        );
        let t = target(Some("eu-west-1"), Some("ec2/home?region=us-west-2#Instances:"));
        assert_eq!(
            t.destination,
            "https://eu-west-1.console.aws.amazon.com/ec2/home?region=us-west-2#Instances:"
        );
    }

    #[test]
    fn the_endpoint_variable_replaces_the_base_of_the_federation_endpoint() {
        let t = ConsoleTarget::new(Some("cn-north-1"), None, Some("http://127.0.0.1:5123/")).expect("t");
        assert_eq!(t.federation_endpoint, "http://127.0.0.1:5123/federation");
        // The destination stays the partition's console.
        assert!(t.destination.starts_with("https://cn-north-1.console.amazonaws.cn/"));
        let t = ConsoleTarget::new(None, None, Some("https://signin.example.internal/sso")).expect("t");
        assert_eq!(t.federation_endpoint, "https://signin.example.internal/sso/federation");
        for bad in ["127.0.0.1:5000", "ftp://x", "http://", "http:///x", "http://x/?a=b"] {
            let e = ConsoleTarget::new(None, None, Some(bad)).expect_err(bad);
            assert_eq!(e.error_code().as_str(), "signin_endpoint_invalid", "{bad}");
            assert!(e.to_string().contains(ENDPOINT_VAR), "{e}");
        }
    }

    #[test]
    fn query_values_keep_only_unreserved_characters() {
        assert_eq!(encode_query_value("aZ09-_.~"), "aZ09-_.~");
        assert_eq!(
            encode_query_value(r#"{"sessionId":"A+B/C="}"#),
            "%7B%22sessionId%22%3A%22A%2BB%2FC%3D%22%7D"
        );
        assert_eq!(
            encode_query_value("https://x/y?a=1&b=2 #"),
            "https%3A%2F%2Fx%2Fy%3Fa%3D1%26b%3D2%20%23"
        );
        assert_eq!(encode_query_value("é"), "%C3%A9");
    }
}
