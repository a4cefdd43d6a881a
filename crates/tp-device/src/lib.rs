//! Device files decoded: FIT, TCX and GPX → [`tp_model::Activity`].
//! (Being written; see the crate description.)
