//! The client's address: the peer, or — when the peer is a trusted proxy — the right-most
//! address in `X-Forwarded-For` that is not itself a trusted proxy. Never the left-most: a
//! client can write anything there.

use std::convert::Infallible;
use std::future::{Ready, ready};
use std::net::IpAddr;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};

use crate::app::AppState;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

impl std::fmt::Display for ClientAddr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

pub fn resolve(req: &HttpRequest, trusted: &[ipnet::IpNet]) -> IpAddr {
    let peer = req
        .peer_addr()
        .map(|a| a.ip())
        .unwrap_or(IpAddr::from([127, 0, 0, 1]));
    if !trusted.iter().any(|net| net.contains(&peer)) {
        return peer;
    }
    let forwarded: Vec<IpAddr> = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|a| a.trim().parse::<IpAddr>().ok())
        .collect();
    forwarded
        .into_iter()
        .rev()
        .find(|addr| !trusted.iter().any(|net| net.contains(addr)))
        .unwrap_or(peer)
}

impl FromRequest for ClientAddr {
    type Error = Infallible;
    type Future = Ready<Result<ClientAddr, Infallible>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let trusted = req
            .app_data::<web::Data<AppState>>()
            .map(|s| s.config.trusted_proxies.clone())
            .unwrap_or_default();
        ready(Ok(ClientAddr(resolve(req, &trusted))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let trusted: Vec<ipnet::IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        let direct = TestRequest::default()
            .peer_addr("203.0.113.9:5000".parse().unwrap())
            .insert_header(("X-Forwarded-For", "1.2.3.4"))
            .to_http_request();
        assert_eq!(resolve(&direct, &trusted).to_string(), "203.0.113.9");

        let proxied = TestRequest::default()
            .peer_addr("10.0.0.5:5000".parse().unwrap())
            .insert_header(("X-Forwarded-For", "6.6.6.6, 198.51.100.7, 10.0.0.4"))
            .to_http_request();
        // The spoofable left-most entry is ignored: the nearest untrusted hop is the client.
        assert_eq!(resolve(&proxied, &trusted).to_string(), "198.51.100.7");
    }
}
