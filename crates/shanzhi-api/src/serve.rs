//! The HTTP server around the router: HTTP/1.1 on a TCP listener, with what a public server needs
//! against slow and greedy clients: a deadline for a request's headers, a cap on the connections
//! one client address may hold, the client's address for the handlers (`ConnectInfo`), and a
//! graceful stop that lets requests in flight finish (30 s at most).

use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tower::ServiceExt;

use crate::Limits;

/// How long a stop waits for the connections still open.
const DRAIN: Duration = Duration::from_secs(30);

/// The connections open per client address.
#[derive(Clone, Default)]
struct Open(Arc<Mutex<HashMap<String, usize>>>);

/// One connection counted against its address until dropped.
struct Slot {
    open: Open,
    ip: String,
}

impl Open {
    /// A slot for a connection from `ip` (its bucket: IPv6 counted by its /64).
    fn take(&self, ip: String, cap: usize) -> Option<Slot> {
        let mut m = self.0.lock().expect("connection counts");
        let n = m.entry(ip.clone()).or_insert(0);
        if *n >= cap.max(1) {
            return None;
        }
        *n += 1;
        Some(Slot { open: self.clone(), ip })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut m = self.open.0.lock().expect("connection counts");
        if let Some(n) = m.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                m.remove(&self.ip);
            }
        }
    }
}

/// Serves `router` on `listener` until `stop` completes, then drains.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    stop: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let open = Open::default();
    let header_read = Duration::from_secs(limits.header_read_secs.max(1));
    tokio::pin!(stop);
    loop {
        let (stream, peer): (tokio::net::TcpStream, SocketAddr) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors, a reset before accept: wait a moment, go on.
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        // A trusted proxy brings every client: it is not capped (the proxy caps its own).
        let trusted = crate::client::is_trusted(peer.ip(), &limits.trusted_proxies);
        let cap = if trusted { usize::MAX } else { limits.connections_per_address };
        let Some(slot) = open.take(crate::client::bucket(peer.ip()), cap) else {
            tracing::warn!(%peer, cap = limits.connections_per_address, "too many connections from one address: closed");
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let service = hyper::service::service_fn(move |mut req: hyper::Request<hyper::body::Incoming>| {
            req.extensions_mut().insert(ConnectInfo(peer));
            router.clone().oneshot(req)
        });
        let mut builder = hyper::server::conn::http1::Builder::new();
        builder.timer(TokioTimer::new()).header_read_timeout(header_read);
        let connection = graceful.watch(builder.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, %peer, "connection ended with an error");
            }
            drop(slot);
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(DRAIN) => tracing::warn!("connections still open after {} s: closing them", DRAIN.as_secs()),
    }
    Ok(())
}
