//! Tests of what a refused agent leaves in the exchange folder, and of the words for a folder
//! it may not write.

use super::*;

/// Issue: an agent refused for another count (`--agent 2/3` beside agents of 2) left an empty
/// `agent-2.jsonl` in the exchange, where it is refused before it writes anything.
#[test]
fn issue_cluster45_a_refused_agent_leaves_no_journal() {
    let dir = tempfile::tempdir().unwrap();
    let (_first, _) = Exchange::join(dir.path(), header(0)).unwrap();
    let folder = dir.path().join("digits");
    for agent in [2, 1] {
        let counted = AgentHeader {
            agent,
            agents: 3,
            ..header(0)
        };
        let message = Exchange::join(dir.path(), counted).unwrap_err().to_string();
        assert!(message.contains("agents: 2 there, 3 here"), "{message}");
        let journal = folder.join(format!("agent-{agent}.jsonl"));
        assert!(!journal.exists(), "{} left", journal.display());
    }
    // An empty journal an earlier refusal left goes too; started right, the agent joins.
    std::fs::write(folder.join("agent-1.jsonl"), b"").unwrap();
    let wrong = AgentHeader {
        parallel: 4,
        ..header(1)
    };
    assert!(Exchange::join(dir.path(), wrong).is_err());
    assert!(!folder.join("agent-1.jsonl").exists());
    assert!(Exchange::join(dir.path(), header(1)).is_ok());
}

/// Issue: an exchange folder this user may not write gave the system's words alone
/// ("Permission denied (os error 13)"). (Made from the error, not a folder made read-only: the
/// tests may run as root, whom no permission stops.)
#[test]
fn issue_cluster45_an_exchange_folder_not_writable_says_so_and_what_to_do() {
    let denied = io::Error::from(io::ErrorKind::PermissionDenied);
    let exchange = Path::new("/shared/ex");
    let journal = exchange.join("digits").join("agent-1.jsonl");
    let message = making_error(exchange, &journal, &denied).to_string();
    assert!(message.contains("agent-1.jsonl: "), "{message}");
    assert!(
        message.contains("the folder /shared/ex is not writable by this user"),
        "{message}"
    );
    assert!(
        message.contains("--exchange folder they can write"),
        "{message}"
    );
    // Any other failure keeps the system's words.
    let gone = io::Error::from(io::ErrorKind::NotFound);
    let message = making_error(exchange, &journal, &gone).to_string();
    assert!(!message.contains("not writable"), "{message}");
}
