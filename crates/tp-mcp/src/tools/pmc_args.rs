//! The optional PMC settings every fitness tool accepts.

use crate::args::ArgError;
use schemars::JsonSchema;
use serde::Deserialize;
use tp_fitness::{Convention, PmcParams};

/// PMC constants; defaults are TrainingPeaks' (42/7 days, step 1/T).
#[derive(Debug, Default, Deserialize, JsonSchema)]
pub struct PmcOptions {
    /// CTL (fitness) time constant in days (default 42; TrainingPeaks lets athletes change it).
    pub ctl_days: Option<f64>,
    /// ATL (fatigue) time constant in days (default 7).
    pub atl_days: Option<f64>,
    /// "trainingpeaks" (step 1/T, the default, as TrainingPeaks publishes) or "exponential" (1 − e^(−1/T), as GoldenCheetah/intervals.icu).
    pub convention: Option<String>,
}

impl PmcOptions {
    pub fn params(&self) -> Result<PmcParams, ArgError> {
        let convention = match self.convention.as_deref().map(str::trim) {
            None | Some("") => Convention::TrainingPeaks,
            Some(s) => Convention::parse(s).ok_or_else(|| {
                ArgError::new(
                    "convention",
                    format!("expected \"trainingpeaks\" or \"exponential\", got {s:?}"),
                )
            })?,
        };
        let check = |name: &str, v: Option<f64>, default: f64| -> Result<f64, ArgError> {
            match v {
                None => Ok(default),
                Some(d) if d.is_finite() && (1.0..=365.0).contains(&d) => Ok(d),
                Some(d) => Err(ArgError::new(
                    name,
                    format!("expected a time constant from 1 to 365 days, got {d}"),
                )),
            }
        };
        let ctl = check("ctl_days", self.ctl_days, 42.0)?;
        let atl = check("atl_days", self.atl_days, 7.0)?;
        PmcParams::new(ctl, atl, convention).map_err(|e| ArgError::new("ctl_days", e.to_string()))
    }
}
