//! The SSO portal through aws-sdk-sso: GetRoleCredentials, ListAccounts, ListAccountRoles,
//! Logout. Each call carries the sign-in's access token (the `x-amz-sso_bearer_token` header)
//! instead of AWS credentials.

use super::error::{SsoError, SsoService};
use super::sdk::{sdk_client, Call, ServiceReply, SsoOptions};
use crate::credentials::Credentials;
use crate::Secret;
use time::OffsetDateTime;

/// More pages than this is a server repeating itself, not a real organisation.
const MAX_PAGES: usize = 1000;

/// An account the signed-in user can reach.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsoAccount {
    pub account_id: String,
    pub name: String,
    pub email: String,
}

/// Why the portal gave nothing.
#[derive(Debug)]
pub enum PortalFailure {
    /// 401: the access token is unknown, expired or revoked.
    Unauthorized,
    /// 403 (`ForbiddenException`), or 404 for an account or role not assigned: the service's
    /// words, and the same as a refusal naming the endpoint.
    NoAccess {
        detail: String,
        refused: SsoError,
    },
    Other(SsoError),
}

#[derive(Debug)]
pub struct Portal {
    client: aws_sdk_sso::Client,
    endpoint: String,
}

impl Portal {
    pub fn new(endpoint: String, region: &str, options: &SsoOptions) -> Portal {
        Portal {
            client: sdk_client!(aws_sdk_sso, &endpoint, region, options),
            endpoint,
        }
    }

    fn call(&self) -> Call {
        Call::new(SsoService::Portal, self.endpoint.clone())
    }

    fn failure(call: &Call, reply: Result<ServiceReply, SsoError>) -> PortalFailure {
        let reply = match reply {
            Ok(reply) => reply,
            Err(e) => return PortalFailure::Other(e),
        };
        let detail = if reply.message.is_empty() {
            format!("HTTP {}", reply.status)
        } else {
            reply.message.clone()
        };
        match (reply.status, reply.code.as_deref()) {
            (401, _) | (_, Some("UnauthorizedException")) => PortalFailure::Unauthorized,
            (403, _) | (_, Some("ForbiddenException" | "ResourceNotFoundException")) => PortalFailure::NoAccess {
                detail,
                refused: call.refused(reply),
            },
            _ => PortalFailure::Other(call.refused(reply)),
        }
    }

    /// GetRoleCredentials: the role's keys and their expiry.
    pub async fn role_credentials(
        &self,
        account_id: &str,
        role_name: &str,
        access_token: &Secret,
    ) -> Result<(Credentials, OffsetDateTime), PortalFailure> {
        let call = self.call();
        let out = self
            .client
            .get_role_credentials()
            .account_id(account_id)
            .role_name(role_name)
            .access_token(access_token.expose())
            .send()
            .await
            .map_err(|e| Self::failure(&call, call.classify(e)))?;
        let creds = out
            .role_credentials()
            .ok_or_else(|| PortalFailure::Other(call.bad_reply("GetRoleCredentials: no roleCredentials")))?;
        let credentials = Credentials {
            access_key_id: creds.access_key_id().unwrap_or_default().to_string(),
            secret_access_key: Secret::new(creds.secret_access_key().unwrap_or_default()),
            session_token: creds.session_token().map(Secret::new),
        };
        // `expiration` is epoch milliseconds; 0 (missing) is caught by the reply check.
        let expires_at = OffsetDateTime::from_unix_timestamp_nanos(i128::from(creds.expiration()) * 1_000_000)
            .map_err(|_| PortalFailure::Other(call.bad_reply("GetRoleCredentials: expiration out of range")))?;
        Ok((credentials, expires_at))
    }

    /// ListAccounts, every page.
    pub async fn accounts(&self, access_token: &Secret) -> Result<Vec<SsoAccount>, PortalFailure> {
        let call = self.call();
        let mut accounts = Vec::new();
        let mut next: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let out = self
                .client
                .list_accounts()
                .access_token(access_token.expose())
                .set_next_token(next.take())
                .send()
                .await
                .map_err(|e| Self::failure(&call, call.classify(e)))?;
            accounts.extend(out.account_list().iter().filter_map(|a| {
                Some(SsoAccount {
                    account_id: a.account_id()?.to_string(),
                    name: a.account_name().unwrap_or_default().to_string(),
                    email: a.email_address().unwrap_or_default().to_string(),
                })
            }));
            match out.next_token().filter(|t| !t.is_empty()) {
                Some(token) => next = Some(token.to_string()),
                None => return Ok(accounts),
            }
        }
        Err(PortalFailure::Other(
            call.bad_reply(format!("ListAccounts: still more pages after {MAX_PAGES}")),
        ))
    }

    /// ListAccountRoles of `account_id`, every page.
    pub async fn account_roles(&self, access_token: &Secret, account_id: &str) -> Result<Vec<String>, PortalFailure> {
        let call = self.call();
        let mut roles = Vec::new();
        let mut next: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let out = self
                .client
                .list_account_roles()
                .access_token(access_token.expose())
                .account_id(account_id)
                .set_next_token(next.take())
                .send()
                .await
                .map_err(|e| Self::failure(&call, call.classify(e)))?;
            roles.extend(out.role_list().iter().filter_map(|r| r.role_name().map(str::to_string)));
            match out.next_token().filter(|t| !t.is_empty()) {
                Some(token) => next = Some(token.to_string()),
                None => return Ok(roles),
            }
        }
        Err(PortalFailure::Other(call.bad_reply(format!(
            "ListAccountRoles: still more pages after {MAX_PAGES}"
        ))))
    }

    /// Logout: ends the sign-in at the service.
    pub async fn logout(&self, access_token: &Secret) -> Result<(), PortalFailure> {
        let call = self.call();
        self.client
            .logout()
            .access_token(access_token.expose())
            .send()
            .await
            .map_err(|e| Self::failure(&call, call.classify(e)))?;
        Ok(())
    }
}
