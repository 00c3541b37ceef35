//! How the tray shows an IAM Identity Center sign-in a request needs: the browser opens and a
//! notification says so, in the app's language.

use crate::i18n::{Catalog, LanguageChoice};
use crate::notify;
use rolebar_core::sso::{BrowserSignInUi, SignInFlow, SignInPrompt, SignInUi};
use std::sync::{Arc, Mutex};

/// Opens the sign-in in the browser and says so in a notification, in the app's language.
#[derive(Debug)]
pub struct TraySignIn {
    browser: BrowserSignInUi,
    language: Arc<Mutex<LanguageChoice>>,
}

impl TraySignIn {
    pub fn new(language: Arc<Mutex<LanguageChoice>>) -> TraySignIn {
        TraySignIn {
            browser: BrowserSignInUi::new(),
            language,
        }
    }

    fn catalog(&self) -> &'static Catalog {
        let choice = *self.language.lock().unwrap_or_else(|p| p.into_inner());
        Catalog::get(choice.language())
    }
}

#[async_trait::async_trait]
impl SignInUi for TraySignIn {
    async fn show(&self, prompt: &SignInPrompt) -> rolebar_core::Result<()> {
        let words = self.catalog();
        let name = ("name", prompt.session().to_string().into());
        let body = match prompt {
            SignInPrompt::OpenUrl { .. } => words.tr("note-sso-sign-in-browser"),
            SignInPrompt::DeviceCode {
                verification_uri,
                user_code,
                ..
            } => words.tr_args(
                "note-sso-sign-in-code",
                &[
                    ("url", verification_uri.as_str().into()),
                    ("code", user_code.as_str().into()),
                ],
            ),
        };
        notify::info(words.tr_args("note-sso-sign-in", &[name]), body);
        self.browser.show(prompt).await
    }
}

/// The tray's vault signs in through the browser when a request needs it.
pub fn sign_in_through_tray(
    sessions: &mut rolebar_core::session::operations::Sessions,
    language: Arc<Mutex<LanguageChoice>>,
) {
    sessions
        .vault
        .set_sign_in_ui(Some(Arc::new(TraySignIn::new(language))), SignInFlow::Pkce);
}
