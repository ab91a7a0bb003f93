//! A TCP proxy on loopback that a test puts between the app and its database and then breaks on
//! purpose: [`Mode::Refuse`] (the database went away: live connections are reset, new ones too)
//! or [`Mode::Blackhole`] (a hung network: sockets stay open, nothing gets through either way).
//! Back to [`Mode::Open`], held connections carry on and new ones are forwarded again.
//!
//! ```ignore
//! let proxy = Proxy::start(&upstream_of(admin_url)).await;
//! let app = TestApp::spawn_through(Backend::Postgres, |url| proxy.route(url), |_| {}).await;
//! proxy.set(Mode::Blackhole);
//! ```

use std::net::SocketAddr;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// What the proxy does with traffic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Forwards both ways.
    Open,
    /// Resets every live connection and every new one.
    Refuse,
    /// Accepts and keeps connections but forwards nothing, as a hung network does.
    Blackhole,
}

/// A running proxy; it stops (closing its connections) when dropped.
pub struct Proxy {
    address: SocketAddr,
    mode: watch::Sender<Mode>,
    accepting: tokio::task::JoinHandle<()>,
}

/// `host:port` of a `postgres://user@host:port/db` URL.
pub fn upstream_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split('/').next().unwrap_or(rest);
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    if host_port.contains(':') {
        host_port.to_owned()
    } else {
        format!("{host_port}:5432")
    }
}

impl Proxy {
    /// Listens on 127.0.0.1 (a free port), forwarding to `upstream` (`host:port`).
    pub async fn start(upstream: &str) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the proxy");
        let address = listener.local_addr().expect("the proxy's address");
        let (mode, watching) = watch::channel(Mode::Open);
        let upstream = upstream.to_owned();
        let accepting = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                tokio::spawn(serve(client, upstream.clone(), watching.clone()));
            }
        });
        Proxy {
            address,
            mode,
            accepting,
        }
    }

    pub fn port(&self) -> u16 {
        self.address.port()
    }

    /// `url` with its `host:port` replaced by the proxy's.
    pub fn route(&self, url: &str) -> String {
        url.replacen(&upstream_of(url), &self.address.to_string(), 1)
    }

    pub fn set(&self, mode: Mode) {
        self.mode.send_replace(mode);
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        // Connections end when they see the mode's sender gone.
        self.accepting.abort();
    }
}

/// Waits until the mode lets traffic through: `true` when open, `false` when the connection must
/// go (refused, or the proxy stopped).
async fn wait_open(mode: &mut watch::Receiver<Mode>) -> bool {
    loop {
        match *mode.borrow_and_update() {
            Mode::Open => return true,
            Mode::Refuse => return false,
            Mode::Blackhole => {}
        }
        if mode.changed().await.is_err() {
            return false;
        }
    }
}

/// Drops a socket with a reset (RST) rather than an orderly close.
fn reset(socket: TcpStream) {
    let _ = socket.set_zero_linger();
    drop(socket);
}

async fn serve(client: TcpStream, upstream: String, mut mode: watch::Receiver<Mode>) {
    if !wait_open(&mut mode).await {
        return reset(client);
    }
    let Ok(server) = TcpStream::connect(&upstream).await else {
        return reset(client);
    };
    let _ = client.set_zero_linger();
    let _ = server.set_zero_linger();
    let (from_client, to_client) = client.into_split();
    let (from_server, to_server) = server.into_split();
    tokio::join!(
        pump(from_client, to_server, mode.clone()),
        pump(from_server, to_client, mode),
    );
}

/// Copies one direction while the proxy is open; pauses while it is a blackhole; returns (dropping
/// its halves: a reset, as both sockets linger zero) when refused, on EOF or on an error.
async fn pump(mut from: OwnedReadHalf, mut to: OwnedWriteHalf, mut mode: watch::Receiver<Mode>) {
    let mut buffer = vec![0u8; 16 * 1024];
    loop {
        if !wait_open(&mut mode).await {
            return;
        }
        tokio::select! {
            read = from.read(&mut buffer) => match read {
                Ok(0) | Err(_) => {
                    let _ = to.shutdown().await;
                    return;
                }
                Ok(n) => {
                    if to.write_all(&buffer[..n]).await.is_err() {
                        return;
                    }
                }
            },
            changed = mode.changed() => {
                if changed.is_err() {
                    return;
                }
                // Looks at the new mode at the top of the loop (it has not been marked seen).
            }
        }
    }
}
