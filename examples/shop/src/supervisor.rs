//! The supervisor: `tbt-shop` with no arguments. Starts the five Rust services as child
//! processes (`tbt-shop serve NAME`) and the Python recommendations service, waits until the
//! gateway's `/health` answers 200 (which it does only when every service is up), prints the
//! shop's URL, and stops everything on SIGTERM, SIGINT, the end of its input pipe, or when a
//! service dies.

use std::time::{Duration, Instant};

use tokio::process::{Child, Command};

use crate::config::{Faults, Ports, Service};
use crate::lifecycle::{self, StopReason};
use crate::python::Python;
use crate::services::Recommendations;

/// How long the services get to answer `/health` after they were started.
const READY_TIMEOUT: Duration = Duration::from_secs(120);
/// How long a service gets to flush its spans and exit after its input pipe closed.
const STOP_GRACE: Duration = Duration::from_secs(5);

/// A started child process.
struct Running {
    service: Service,
    child: Child,
}

/// Runs the shop until told to stop. `Ok` after a requested stop; `Err` when the shop could
/// not start or a service died.
pub async fn run() -> Result<(), String> {
    let faults = Faults::from_env()?;
    let mut ports = Ports::from_env()?;
    if ports.is_unassigned() {
        ports = free_ports()?;
    }
    let exe =
        std::env::current_exe().map_err(|e| format!("cannot find the tbt-shop executable: {e}"))?;
    let python = tokio::task::spawn_blocking(Python::prepare)
        .await
        .map_err(|e| format!("preparing Python failed: {e}"))?;
    let recommendations = match &python {
        Python::Ready { .. } => Recommendations::On,
        Python::Disabled(reason) => {
            eprintln!(
                "tbt-shop: running without the Python recommendations service ({reason}); \
                 checkouts report recommendations as \"disabled\""
            );
            Recommendations::Disabled(reason.clone())
        }
        Python::Unavailable(reason) => {
            eprintln!(
                "tbt-shop: WARNING: the Python recommendations service cannot run: {reason}\n\
                 tbt-shop: WARNING: the shop runs without it: checkouts report recommendations \
                 as \"unavailable\" and the recommendations test fails. Install Python 3 with \
                 venv and pip, or set SHOP_WITHOUT_PYTHON=1 to run without it on purpose."
            );
            Recommendations::Unavailable(reason.clone())
        }
    };

    let mut running = Vec::new();
    let started = start_all(&exe, &ports, &recommendations, &python, &mut running);
    let outcome = match started {
        Ok(()) => supervise(&ports, &faults, &mut running).await,
        Err(e) => Err(e),
    };
    stop_all(&mut running).await;
    outcome
}

fn start_all(
    exe: &std::path::Path,
    ports: &Ports,
    recommendations: &Recommendations,
    python: &Python,
    running: &mut Vec<Running>,
) -> Result<(), String> {
    for service in Service::RUST {
        let mut cmd = Command::new(exe);
        cmd.arg("serve").arg(service.short_name());
        running.push(spawn(service, cmd, ports, recommendations)?);
    }
    if let Some(cmd) = python.command(ports.port(Service::Recommendations)) {
        running.push(spawn(
            Service::Recommendations,
            cmd,
            ports,
            recommendations,
        )?);
    }
    Ok(())
}

/// Starts one child with a pipe as its input: when this process goes away, even killed,
/// the pipe closes and the child stops.
fn spawn(
    service: Service,
    mut cmd: Command,
    ports: &Ports,
    recommendations: &Recommendations,
) -> Result<Running, String> {
    cmd.env("SHOP_PORTS", ports.to_list())
        .env("SHOP_RECOMMENDATIONS", recommendations.to_env())
        .stdin(std::process::Stdio::piped())
        .kill_on_drop(true);
    let child = cmd
        .spawn()
        .map_err(|e| format!("cannot start the {service} service: {e}"))?;
    Ok(Running { service, child })
}

/// Waits for readiness, announces it, then waits for a stop request or a dead service.
async fn supervise(ports: &Ports, faults: &Faults, running: &mut [Running]) -> Result<(), String> {
    let stop = lifecycle::stop_requested();
    tokio::pin!(stop);
    let ready_url = format!("{}/health", ports.url(Service::Gateway));
    let probe = reqwest::Client::builder()
        .timeout(Duration::from_secs(2))
        .build()
        .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
    let deadline = Instant::now() + READY_TIMEOUT;
    loop {
        check_alive(running)?;
        if matches!(probe.get(&ready_url).send().await, Ok(r) if r.status().is_success()) {
            break;
        }
        if Instant::now() > deadline {
            return Err(format!(
                "the shop did not become ready within {}s ({ready_url} never answered 200)",
                READY_TIMEOUT.as_secs()
            ));
        }
        tokio::select! {
            reason = &mut stop => return stopped(reason),
            _ = tokio::time::sleep(Duration::from_millis(100)) => {}
        }
    }
    let faults = faults.names();
    let faults = if faults.is_empty() {
        "none".to_owned()
    } else {
        faults.join(", ")
    };
    println!(
        "tbt-shop: ready at {} (faults: {faults})",
        ports.url(Service::Gateway)
    );
    loop {
        tokio::select! {
            reason = &mut stop => return stopped(reason),
            _ = tokio::time::sleep(Duration::from_millis(250)) => check_alive(running)?,
        }
    }
}

fn stopped(reason: StopReason) -> Result<(), String> {
    eprintln!("tbt-shop: stopping ({reason})");
    Ok(())
}

/// An error naming the first service that exited.
fn check_alive(running: &mut [Running]) -> Result<(), String> {
    for r in running.iter_mut() {
        if let Ok(Some(status)) = r.child.try_wait() {
            return Err(format!("the {} service exited ({status})", r.service));
        }
    }
    Ok(())
}

/// Closes every child's input pipe (they flush and exit), then kills the ones that linger.
async fn stop_all(running: &mut [Running]) {
    for r in running.iter_mut() {
        drop(r.child.stdin.take());
    }
    let deadline = tokio::time::Instant::now() + STOP_GRACE;
    for r in running.iter_mut() {
        if tokio::time::timeout_at(deadline, r.child.wait())
            .await
            .is_err()
        {
            eprintln!(
                "tbt-shop: the {} service did not stop in time; killing it",
                r.service
            );
            let _ = r.child.kill().await;
        }
    }
}

/// Six free ports on 127.0.0.1, for `SHOP_PORT=0`.
fn free_ports() -> Result<Ports, String> {
    let mut listeners = Vec::new();
    let mut ports = [0u16; 6];
    for port in ports.iter_mut() {
        let l = std::net::TcpListener::bind(("127.0.0.1", 0))
            .map_err(|e| format!("cannot find a free port: {e}"))?;
        *port = l
            .local_addr()
            .map_err(|e| format!("cannot find a free port: {e}"))?
            .port();
        listeners.push(l);
    }
    Ok(Ports::explicit(ports))
}
