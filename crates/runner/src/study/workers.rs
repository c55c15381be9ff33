//! The threads that run a study's trials (`Workers`): the workers, each draining the queue of
//! trials, beside the agent follower when the study has peers; the first error (an error of
//! the study, a refused thread, a panic) ends the study, and the others stop with it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::thread::{Scope, ScopedJoinHandle};

use crate::worker::{lock, Pending, Queue, Worker};
use crate::Error;

/// The threads that run a study's trials, and what they share: the queue of trials, which
/// holds the first error that ends the study.
pub(super) struct Workers<'w, 'a> {
    worker: &'w Worker<'a>,
    queue: Mutex<Queue>,
    /// The worker threads wanted.
    parallel: usize,
    /// Set once every worker thread has returned: the agent follower returns then too.
    workers_done: AtomicBool,
}

impl<'w, 'a> Workers<'w, 'a> {
    /// Runs the trials of `pending` on `parallel` threads of `worker`, beside the agent
    /// follower when the study has peers; returns the error that ended the study, if any.
    pub(super) fn run(worker: &'w Worker<'a>, pending: Pending, parallel: usize) -> Option<Error> {
        let workers = Workers {
            worker,
            queue: Mutex::new(Queue {
                pending,
                error: None,
            }),
            parallel,
            workers_done: AtomicBool::new(false),
        };
        std::thread::scope(|scope| {
            let handles = workers.spawn_workers(scope);
            let follower = workers.spawn_follower(scope);
            workers.join_workers(handles);
            workers.workers_done.store(true, Ordering::SeqCst);
            if let Some(follower) = follower {
                // It only returns, and a panic there is a bug like a worker's.
                if follower.join().is_err() {
                    workers.fail(Error::WorkerPanicked("the agent follower".into()));
                }
            }
        });
        let queue = workers
            .queue
            .into_inner()
            .unwrap_or_else(|p| p.into_inner());
        queue.error
    }

    /// Starts the worker threads, as many as the system gives of those wanted.
    fn spawn_workers<'scope, 'env>(
        &'env self,
        scope: &'scope Scope<'scope, 'env>,
    ) -> Vec<ScopedJoinHandle<'scope, ()>> {
        let mut handles = Vec::with_capacity(self.parallel);
        for started in 0..self.parallel {
            let spawned = std::thread::Builder::new()
                .name(format!("trial worker {started}"))
                .spawn_scoped(scope, || self.worker.drain(&self.queue));
            match spawned {
                Ok(handle) => handles.push(handle),
                Err(error) => {
                    self.refused(started, error);
                    break;
                }
            }
        }
        handles
    }

    /// Starts the thread that puts the other agents' events on the board and into the store
    /// (`Peers::follow`), when the study has peers.
    fn spawn_follower<'scope, 'env>(
        &'env self,
        scope: &'scope Scope<'scope, 'env>,
    ) -> Option<ScopedJoinHandle<'scope, ()>> {
        let peers = self.worker.peers?;
        let board = self.worker.board;
        let follow = move || {
            let _entered = self.worker.experiment.enter();
            // A stop ends the waits there; an error here: waiting workers give up, and the
            // error is the study's; so does a panic (a bug, reported once joined).
            let _abort = board.abort_on_panic();
            if let Err(e) = peers.follow(&self.workers_done, self.worker.stop) {
                self.fail(e);
                board.abort();
            }
        };
        let spawned = std::thread::Builder::new()
            .name("agent follower".into())
            .spawn_scoped(scope, follow);
        spawned
            .map_err(|error| self.refused(self.parallel, error))
            .ok()
    }

    /// Waits for the worker threads; one that panicked (a bug: a panic in training fails its
    /// trial) ends the study with `Error::WorkerPanicked`.
    fn join_workers(&self, handles: Vec<ScopedJoinHandle<'_, ()>>) {
        for handle in handles {
            if let Err(panic) = handle.join() {
                let message = crate::panics::message(panic.as_ref());
                self.worker.board.abort();
                self.fail(Error::WorkerPanicked(message));
            }
        }
    }

    /// Stops the study when the system refuses a thread (its limit on threads or memory) after
    /// `started` of them: the workers started stop too.
    fn refused(&self, started: usize, error: std::io::Error) {
        self.fail(Error::Threads {
            wanted: self.parallel,
            started,
            error,
        });
        self.worker.board.abort();
    }

    /// Makes `error` the study's, unless an earlier one is.
    fn fail(&self, error: Error) {
        lock(&self.queue).error.get_or_insert(error);
    }
}
