//! `tbt-shop`: the demo shop of tbt.
//!
//! With no arguments it is the supervisor: it starts the five services (gateway, order,
//! payment, inventory, shipping) as child processes plus the Python recommendations service,
//! and serves the gateway on `http://127.0.0.1:18080` (`SHOP_PORT` moves it; `0` picks free
//! ports). `tbt-shop serve NAME` runs one service. `SHOP_FAULTS` switches faults on; see
//! `examples/shop/README.md`.

mod config;
mod db;
mod lifecycle;
mod python;
mod services;
mod supervisor;
mod telemetry;
mod traced_http;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::config::{Faults, Ports, Service};

/// The demo shop: five services instrumented with OpenTelemetry, and fault switches.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Cmd>,
}

#[derive(Subcommand)]
enum Cmd {
    /// Runs one service (the supervisor runs each of them this way).
    Serve {
        /// gateway, order, payment, inventory or shipping.
        service: Service,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("tbt-shop: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            None => supervisor::run().await,
            Some(Cmd::Serve { service }) => serve(service).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("tbt-shop: error: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(service: Service) -> Result<(), String> {
    let env = services::Env {
        ports: Ports::from_env()?,
        faults: Faults::from_env()?,
    };
    if env.ports.is_unassigned() {
        return Err("`serve` needs real ports: set SHOP_PORT to a non-zero base port".into());
    }
    services::serve(service, env).await
}
