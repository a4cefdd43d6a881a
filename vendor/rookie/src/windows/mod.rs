#[cfg(feature = "appbound")]
pub(crate) mod appbound;
pub(crate) mod dpapi;
pub(crate) mod restart_manager;
pub(crate) mod shadow_copy;
