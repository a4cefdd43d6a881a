pub(crate) mod date;
pub mod enums;
pub mod format;
pub(crate) mod paths;
pub(crate) mod sqlite;
pub(crate) mod utils;
