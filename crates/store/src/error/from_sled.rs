//! sled's errors as the store's: a corruption sled finds is `Error::Corrupt` naming the database
//! file, and any other an `Error::Io` whose text reads as the system's, not as Rust's debug form.

use std::io;

use super::Error;

/// What `Error::Corrupt` names when sled finds its own file corrupt.
pub(crate) const DATABASE_FILE: &str = "database file";

/// Converts a sled error without naming sled in a public `From` impl.
pub(crate) fn storage(e: sled::Error) -> Error {
    match e {
        sled::Error::Corruption { at, .. } => Error::corrupt(
            DATABASE_FILE,
            format!(
                "sled detected corruption at {at:?}: the store's file `db` was damaged since it \
                 was written; restore the store's folder from a copy if there is one"
            ),
        ),
        other => Error::Io(undebugged(io::Error::from(other))),
    }
}

/// Returns `e` as it was before sled cloned it: sled keeps an error that stops its flusher
/// and hands out clones, which carry the original only in Rust's debug form (`Os { code: 28,
/// kind: StorageFull, message: "No space left on device" }`); this turns such text back into
/// the error it describes, so that it reads `No space left on device (os error 28)`.
fn undebugged(e: io::Error) -> io::Error {
    if e.raw_os_error().is_some() || e.get_ref().is_none() {
        return e;
    }
    let text = e.to_string();
    if let Some(code) = text
        .strip_prefix("Os { code: ")
        .and_then(|rest| rest.split(',').next())
        .and_then(|code| code.parse::<i32>().ok())
    {
        return io::Error::from_raw_os_error(code);
    }
    let custom = text
        .strip_prefix("Custom { kind: ")
        .and_then(|rest| rest.split_once(", error: "))
        .and_then(|(_, message)| message.strip_suffix(" }"))
        .map(|message| {
            let unquoted = message
                .strip_prefix('"')
                .and_then(|m| m.strip_suffix('"'))
                .unwrap_or(message);
            unquoted.replace("\\\"", "\"").replace("\\\\", "\\")
        });
    match custom {
        Some(message) => io::Error::new(e.kind(), message),
        None => e,
    }
}
