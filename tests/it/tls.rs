//! TLS against a server of its own with ssl=on and a certificate from a CA made in the test.

use std::sync::OnceLock;

use pgmend::db::{self, Cause, ConnParams, Env, SessionOptions, Source};
use pgmend::pgserver::{BinDir, Cluster, ClusterOptions};
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};

struct TlsServer {
    cluster: Cluster,
    /// In the cluster's own directory, which goes with it (a static is never dropped).
    ca_file: std::path::PathBuf,
}

fn server() -> &'static TlsServer {
    static S: OnceLock<TlsServer> = OnceLock::new();
    S.get_or_init(|| {
        let ca_key = KeyPair::generate().unwrap();
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "pgmend test CA");
        let ca_cert = ca_params.self_signed(&ca_key).unwrap();
        let issuer = Issuer::from_params(&ca_params, &ca_key);
        // The certificate names "localhost" only: 127.0.0.1 is the wrong host name for it.
        let key = KeyPair::generate().unwrap();
        let cert = CertificateParams::new(vec!["localhost".to_string()])
            .unwrap()
            .signed_by(&key, &issuer)
            .unwrap();
        let options = ClusterOptions {
            settings: [
                ("ssl", "on"),
                ("ssl_cert_file", "server.crt"),
                ("ssl_key_file", "server.key"),
            ]
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .to_vec(),
            files: vec![
                ("server.crt".into(), cert.pem().into_bytes()),
                ("server.key".into(), key.serialize_pem().into_bytes()),
            ],
        };
        let cluster = Cluster::start_with_options(BinDir::discover().unwrap(), &options)
            .unwrap_or_else(|e| panic!("cannot start the TLS test cluster: {e}"));
        let ca_file = cluster.data_dir().join("pgmend-test-ca.pem");
        std::fs::write(&ca_file, ca_cert.pem()).unwrap();
        TlsServer { cluster, ca_file }
    })
}

async fn connect(host: &str, query: &str) -> Result<db::Session, db::ConnectError> {
    let s = server();
    let url = format!(
        "postgres://postgres:{}@{host}:{}/postgres?{query}",
        s.cluster.password(),
        s.cluster.port()
    )
    .replace("{ca}", s.ca_file.to_str().unwrap());
    let env = Env::default();
    let r = db::resolve(Source::Argument(ConnParams::parse(&url).unwrap()), &env).unwrap();
    db::connect(&r, &SessionOptions::default()).await
}

async fn uses_tls(s: &mut db::Session) -> bool {
    sqlx::query_scalar("select ssl from pg_stat_ssl where pid = pg_backend_pid()")
        .fetch_one(&mut s.conn)
        .await
        .unwrap()
}

#[tokio::test]
async fn verify_full_with_the_ca_and_the_right_host_name() {
    let mut s = connect("localhost", "sslmode=verify-full&sslrootcert={ca}")
        .await
        .unwrap();
    assert!(uses_tls(&mut s).await);
}

#[tokio::test]
async fn verify_full_fails_on_the_wrong_host_name() {
    let e = connect("127.0.0.1", "sslmode=verify-full&sslrootcert={ca}")
        .await
        .unwrap_err();
    assert!(matches!(e.cause, Cause::Tls(_)), "{e}");
    assert!(e.to_string().contains("sslmode is verify-full"), "{e}");
}

#[tokio::test]
async fn verify_full_fails_without_the_ca() {
    let e = connect("localhost", "sslmode=verify-full")
        .await
        .unwrap_err();
    assert!(matches!(e.cause, Cause::Tls(_)), "{e}");
}

#[tokio::test]
async fn verify_ca_ignores_the_host_name() {
    let mut s = connect("127.0.0.1", "sslmode=verify-ca&sslrootcert={ca}")
        .await
        .unwrap();
    assert!(uses_tls(&mut s).await);
}

#[tokio::test]
async fn require_encrypts_without_verifying() {
    let mut s = connect("127.0.0.1", "sslmode=require").await.unwrap();
    assert!(uses_tls(&mut s).await);
}

#[tokio::test]
async fn missing_root_certificate_file() {
    let e = connect(
        "localhost",
        "sslmode=verify-full&sslrootcert=/nonexistent/ca.pem",
    )
    .await
    .unwrap_err();
    assert!(
        e.to_string()
            .contains("root certificate file /nonexistent/ca.pem not found"),
        "{e}"
    );
}
