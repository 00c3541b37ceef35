//! Why the container-credentials endpoint could not start, in a file of its own so that the
//! crate's `Error` can hold it without importing the endpoint (which answers with `Error`s).

#[derive(Debug, thiserror::Error)]
pub enum EndpointError {
    #[error("cannot listen on 127.0.0.1 for the container-credentials endpoint: {0}")]
    Bind(std::io::Error),
    #[error("cannot make a random token for the container-credentials endpoint: {0}")]
    Random(String),
}
