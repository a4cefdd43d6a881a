//! Re-authentication, in one function: `tp-auth`'s browser import (read
//! the browsers' `Production_tpAuth` cookies → check each with a token
//! exchange → store the accepted one in the OS keychain, where the `tp-mcp`
//! sidecar finds it too).

/// Imports the TrainingPeaks login from the user's browsers into the
/// keychain. `Ok` names the browser it came from; `Err` says why nothing
/// was imported (what each browser had, and what to do), never a secret.
pub async fn import_login_from_browser() -> Result<String, String> {
    let config = tp_api::ClientConfig::from_env();
    match tp_auth::import(None, &config, &tp_auth::Keychain::shared()).await {
        Ok(imported) => Ok(imported.browser),
        Err(e) => Err(e.to_string()),
    }
}
