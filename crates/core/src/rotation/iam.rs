//! The IAM and STS calls of a rotation, as a seam ([`KeyApi`]): where they go ([`IamAt`]) and
//! what they say about keys. The SDK's implementation is in `sdk`; tests bring their own.

use super::error::IamFailure;
use crate::credentials::Credentials;
use crate::error::Result;
use crate::profile::endpoints::Service;
use crate::profile::{ResolvedProfile, StsEndpoint};
use crate::sensitive::mask_key_id;
use std::fmt;
use time::OffsetDateTime;

/// Where IAM and STS are reached for a profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IamAt {
    /// The region requests are signed for (IAM is global within a partition; the region picks it).
    pub region: String,
    /// An explicit IAM endpoint, as the profile's configuration chooses it (see
    /// [`crate::profile::endpoints`]).
    pub iam_url: Option<String>,
    /// Where the new key is checked (GetCallerIdentity): the profile's STS.
    pub sts: StsEndpoint,
}

impl IamAt {
    /// For `profile`, with the IAM endpoint its configuration chooses as the AWS SDKs do
    /// (`AWS_ENDPOINT_URL_IAM`, `AWS_ENDPOINT_URL`, `[services]`'s `iam`, `endpoint_url`), checked.
    pub fn for_profile(profile: &ResolvedProfile) -> Result<IamAt> {
        Ok(IamAt {
            region: profile.sts.region.clone(),
            iam_url: profile.endpoints.url(Service::Iam)?,
            sts: profile.sts.clone(),
        })
    }

    /// For messages.
    pub fn iam_endpoint(&self) -> String {
        self.iam_url.clone().unwrap_or_else(|| "IAM".to_string())
    }
}

/// One access key of the user, as ListAccessKeys describes it.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessKeyMeta {
    pub access_key_id: String,
    pub user_name: Option<String>,
    pub created_at: Option<OffsetDateTime>,
    pub active: bool,
}

impl fmt::Debug for AccessKeyMeta {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessKeyMeta")
            .field("access_key_id", &mask_key_id(&self.access_key_id))
            .field("user_name", &self.user_name)
            .field("created_at", &self.created_at)
            .field("active", &self.active)
            .finish()
    }
}

/// A key CreateAccessKey made (its `Debug` masks it, as `Credentials` does).
#[derive(Debug, Clone)]
pub struct NewAccessKey {
    pub keys: Credentials,
    pub user_name: Option<String>,
    pub created_at: Option<OffsetDateTime>,
}

/// The IAM and STS calls of a rotation: the seam tests replace. Each call is signed with the
/// credentials given; none names the user, so IAM acts on the user who signs.
#[async_trait::async_trait]
pub trait KeyApi: Send + Sync + fmt::Debug {
    async fn list_access_keys(&self, at: &IamAt, signer: &Credentials) -> Result<Vec<AccessKeyMeta>, IamFailure>;
    async fn create_access_key(&self, at: &IamAt, signer: &Credentials) -> Result<NewAccessKey, IamFailure>;
    async fn delete_access_key(&self, at: &IamAt, signer: &Credentials, key_id: &str) -> Result<(), IamFailure>;
    /// GetCallerIdentity with `keys`: whether AWS accepts them yet.
    async fn check_key(&self, at: &IamAt, keys: &Credentials) -> Result<(), IamFailure>;
}
