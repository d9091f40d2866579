//! The per-test overhead of `tbt run`: what a test costs beyond the system's own latency and
//! the settle window.
//!
//! An in-process axum service with a fixed latency (20 ms), instrumented with the
//! OpenTelemetry Rust SDK, exports over OTLP/HTTP to the embedded receiver
//! (`tbt_collect::Receiver`); the runner library (`tbt_runner::run`) runs N planned tests
//! against it, first one at a time (`jobs = 1`), then all at once, each with the default
//! settle window and a short one. For every test:
//!
//! ```text
//! overhead = total − trigger (the request as tbt saw it) − settle window
//! ```
//!
//! which is what tbt adds: subscribing, the export hop to the receiver, routing, the
//! completion check, evaluation and scheduling. The target is ≤ 50 ms.
//!
//! Run: `cargo bench -p tbt-runner --bench overhead` (`TBT_OVERHEAD_TESTS=200` for more
//! tests). Under `cargo test --benches` it runs a 5-test smoke pass.

use axum::Router;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::get;
use opentelemetry::propagation::{Extractor, TextMapPropagator as _};
use opentelemetry::trace::{
    Span as _, SpanKind, TraceContextExt as _, Tracer as _, TracerProvider as _,
};
use opentelemetry::{Context, KeyValue};
use opentelemetry_otlp::WithExportConfig as _;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::error::{OTelSdkError, OTelSdkResult};
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::{
    BatchConfigBuilder, BatchSpanProcessor, SdkTracer, SdkTracerProvider, SpanData, SpanExporter,
};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tbt_collect::{Receiver, ReceiverConfig};
use tbt_engine::Verdict;
use tbt_runner::{PlannedFile, Settings, Source, TestOutcome, Unit};

/// The service's own latency per request.
const LATENCY: Duration = Duration::from_millis(20);

/// How long spans wait in the SDK's batch processor: short, so the figure is tbt's.
const EXPORT_DELAY: Duration = Duration::from_millis(1);

/// A short settle window, for a second measurement.
const SHORT_SETTLE: Duration = Duration::from_millis(50);

/// Tracetest's floor per test: it polls the trace every 5 s, so a test takes at least 6 s.
const TRACETEST_FLOOR: Duration = Duration::from_secs(6);

/// The overhead target.
const TARGET: Duration = Duration::from_millis(50);

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let tests = match std::env::var("TBT_OVERHEAD_TESTS") {
        Ok(n) => match n.parse::<usize>() {
            Ok(n) if n > 0 => n,
            _ => {
                eprintln!("error: TBT_OVERHEAD_TESTS must be a positive number, not `{n}`");
                std::process::exit(2);
            }
        },
        Err(_) if full => 50,
        Err(_) => 5,
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            std::process::exit(2);
        }
    };
    if let Err(e) = runtime.block_on(bench(tests)) {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

/// One measured run.
struct Row {
    mode: &'static str,
    jobs: usize,
    settle: Duration,
    tests: usize,
    wall: Duration,
    total: Vec<Duration>,
    trigger: Vec<Duration>,
    overhead: Vec<Duration>,
    wait_beyond_settle: Vec<Duration>,
    eval: Vec<Duration>,
}

async fn bench(tests: usize) -> Result<(), String> {
    let load_before = load();
    let receiver = Arc::new(
        Receiver::start(ReceiverConfig::default())
            .await
            .map_err(|e| format!("cannot start the receiver: {e}"))?,
    );
    let traces_url = receiver
        .http_traces_url()
        .ok_or("the receiver has no HTTP endpoint")?;
    let provider = provider(&traces_url)?;
    let url = serve(provider.tracer("overhead-bench")).await?;
    let file = planned(tests)?;
    let run = |jobs: usize, settle: Duration, units: Vec<Unit>| {
        let settings = Settings {
            jobs,
            settle,
            timeout: Duration::from_secs(30),
            env: [("SVC_URL".to_string(), url.clone())].into_iter().collect(),
            ..Settings::default()
        };
        let source = Source::Receiver(receiver.clone());
        async move {
            let started = Instant::now();
            let outcomes = tbt_runner::run(
                units,
                Arc::new(settings),
                source,
                Arc::new(|_: &TestOutcome| {}),
            )
            .await;
            (started.elapsed(), outcomes)
        }
    };
    let units = |n: usize| -> Vec<Unit> {
        (0..n)
            .map(|i| Unit {
                file: file.clone(),
                tests: vec![i],
            })
            .collect()
    };
    // Warm up: connections, the runtime's threads, the exporter.
    let (_, warm) = run(4, SHORT_SETTLE, units(tests.min(8))).await;
    check(&warm)?;
    let mut rows = Vec::new();
    for settle in [tbt_runner::DEFAULT_SETTLE, SHORT_SETTLE] {
        for (mode, jobs) in [("sequential", 1), ("parallel", tests)] {
            let (wall, outcomes) = run(jobs, settle, units(tests)).await;
            check(&outcomes)?;
            rows.push(row(mode, jobs, settle, wall, &outcomes));
        }
    }
    let stats = receiver.stats();
    print_report(&rows, tests, &load_before, &load(), stats.routed_spans);
    Ok(())
}

fn row(
    mode: &'static str,
    jobs: usize,
    settle: Duration,
    wall: Duration,
    outcomes: &[TestOutcome],
) -> Row {
    let t = |f: &dyn Fn(&TestOutcome) -> Duration| -> Vec<Duration> {
        let mut v: Vec<Duration> = outcomes.iter().map(f).collect();
        v.sort();
        v
    };
    Row {
        mode,
        jobs,
        settle,
        tests: outcomes.len(),
        wall,
        total: t(&|o| o.timings.total),
        trigger: t(&|o| o.timings.trigger),
        overhead: t(&|o| {
            o.timings
                .total
                .saturating_sub(o.timings.trigger)
                .saturating_sub(settle)
        }),
        wait_beyond_settle: t(&|o| o.timings.wait.saturating_sub(settle)),
        eval: t(&|o| o.timings.eval),
    }
}

/// Every test must pass, or the figures mean nothing.
fn check(outcomes: &[TestOutcome]) -> Result<(), String> {
    let failed: Vec<String> = outcomes
        .iter()
        .filter(|o| o.verdict != Verdict::Pass)
        .map(|o| {
            let why = o
                .problem
                .as_ref()
                .map(|p| p.message().to_string())
                .or_else(|| {
                    o.report
                        .assertions
                        .iter()
                        .find(|a| a.verdict == Verdict::Fail)
                        .map(|a| a.message.clone())
                })
                .unwrap_or_default();
            format!("{}: {why}", o.report.name)
        })
        .collect();
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{} of {} tests did not pass:\n  {}",
            failed.len(),
            outcomes.len(),
            failed.join("\n  ")
        ))
    }
}

/// The value at quantile `q` of sorted durations (nearest rank).
fn quantile(sorted: &[Duration], q: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1e3)
}

fn print_report(rows: &[Row], tests: usize, before: &str, after: &str, routed: u64) {
    println!(
        "tbt run per-test overhead · {tests} tests per run · service latency {} ms · SDK batch delay {} ms · OTLP/HTTP",
        LATENCY.as_millis(),
        EXPORT_DELAY.as_millis()
    );
    println!("overhead = total − trigger − settle window; times in ms");
    println!();
    println!(
        "{:<10} {:>4} {:>6} {:>8} {:>10} {:>8} {:>8} {:>9} {:>9} {:>9} {:>10} {:>7}",
        "mode",
        "jobs",
        "settle",
        "wall",
        "total p50",
        "trig p50",
        "ovh p50",
        "ovh p99",
        "ovh max",
        "wait-set",
        "eval p50",
        "target"
    );
    for r in rows {
        let p99 = quantile(&r.overhead, 0.99);
        println!(
            "{:<10} {:>4} {:>6} {:>8} {:>10} {:>8} {:>8} {:>9} {:>9} {:>9} {:>10} {:>7}",
            r.mode,
            r.jobs,
            ms(r.settle),
            ms(r.wall),
            ms(quantile(&r.total, 0.5)),
            ms(quantile(&r.trigger, 0.5)),
            ms(quantile(&r.overhead, 0.5)),
            ms(p99),
            ms(r.overhead.last().copied().unwrap_or_default()),
            ms(quantile(&r.wait_beyond_settle, 0.5)),
            ms(quantile(&r.eval, 0.5)),
            if p99 <= TARGET { "met" } else { "MISSED" },
        );
        debug_assert_eq!(r.tests, r.total.len());
    }
    println!();
    println!(
        "wait-set: the wait beyond the settle window (p50): export hop, routing, completion check"
    );
    println!(
        "target: overhead p99 ≤ {} ms on top of the settle window",
        TARGET.as_millis()
    );
    for seq in rows.iter().filter(|r| r.jobs == 1) {
        let per_test = quantile(&seq.total, 0.5);
        let per_test_wall = seq.wall / seq.tests.max(1) as u32;
        println!(
            "Tracetest floor: it polls every 5 s, so ≥ {} s per test; tbt sequential, settle {} ms: {} ms per test (p50; {} ms wall per test) → ≥ {:.0}× faster",
            TRACETEST_FLOOR.as_secs(),
            ms(seq.settle),
            ms(per_test),
            ms(per_test_wall),
            TRACETEST_FLOOR.as_secs_f64() / per_test_wall.as_secs_f64().max(1e-9)
        );
    }
    if let Some(par) = rows.iter().find(|r| r.jobs > 1) {
        println!(
            "parallel: {} tests in {} ms wall ({:.0} tests/s)",
            par.tests,
            ms(par.wall),
            par.tests as f64 / par.wall.as_secs_f64().max(1e-9)
        );
    }
    println!("spans routed to tests: {routed}");
    println!("load average (1, 5, 15 min): before {before}; after {after}");
}

/// The 1-, 5- and 15-minute load averages.
fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

/// `tests` tests, each asserting on the response and on the trace.
fn planned(tests: usize) -> Result<Arc<PlannedFile>, String> {
    let mut text = String::new();
    for i in 0..tests {
        text.push_str(&format!(
            "test \"request {i}\" {{\n  trigger http GET \"${{env.SVC_URL}}/work\" {{\n    header \"x-request-id\" = \"{i}\"\n  }}\n  expect response.status == 200\n  expect exactly 1 span[name == \"GET /work\" and request.id == \"{i}\"]\n  expect count(span) == 3\n}}\n\n"
        ));
    }
    let mut db = tbt_db::RootDatabase::new();
    let path = PathBuf::from("/virtual/overhead.tbt");
    let file = db.set_file(&path, text);
    let errors: Vec<String> = tbt_db::check(&db, file)
        .diagnostics
        .iter()
        .filter(|d| d.severity == tbt_diagnostics::Severity::Error)
        .map(|d| d.message.clone())
        .collect();
    if !errors.is_empty() {
        return Err(format!("the generated tests do not check: {errors:?}"));
    }
    Ok(Arc::new(PlannedFile {
        path,
        dir: PathBuf::from("/virtual"),
        plan: tbt_plan::plan_file(&db, file),
    }))
}

/// A tracer provider exporting to `traces_url` over OTLP/HTTP protobuf.
fn provider(traces_url: &str) -> Result<SdkTracerProvider, String> {
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_endpoint(traces_url)
        .with_protocol(opentelemetry_otlp::Protocol::HttpBinary)
        .build()
        .map_err(|e| format!("cannot build the OTLP exporter: {e}"))?;
    let exporter = RuntimeExporter {
        inner: Arc::new(exporter),
        runtime: tokio::runtime::Handle::current(),
    };
    let processor = BatchSpanProcessor::builder(exporter)
        .with_batch_config(
            BatchConfigBuilder::default()
                .with_scheduled_delay(EXPORT_DELAY)
                .build(),
        )
        .build();
    Ok(SdkTracerProvider::builder()
        .with_span_processor(processor)
        .with_resource(Resource::builder().with_service_name("bench").build())
        .build())
}

/// Starts the service on an ephemeral port; returns its base URL.
async fn serve(tracer: SdkTracer) -> Result<String, String> {
    let app = Router::new()
        .route("/work", get(work))
        .with_state(Arc::new(tracer));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| format!("cannot bind the service: {e}"))?;
    let addr = listener
        .local_addr()
        .map_err(|e| format!("the service has no address: {e}"))?;
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            eprintln!("error: the service stopped: {e}");
        }
    });
    Ok(format!("http://{addr}"))
}

struct Headers<'a>(&'a HeaderMap);

impl Extractor for Headers<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|v| v.to_str().ok())
    }

    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(|k| k.as_str()).collect()
    }
}

/// `GET /work`: a SERVER span around [`LATENCY`] of work, with one child span.
async fn work(State(tracer): State<Arc<SdkTracer>>, headers: HeaderMap) -> &'static str {
    let parent = TraceContextPropagator::new().extract(&Headers(&headers));
    let mut attributes = vec![
        KeyValue::new("http.request.method", "GET"),
        KeyValue::new("http.route", "/work"),
        KeyValue::new("http.response.status_code", 200),
    ];
    if let Some(id) = headers.get("x-request-id").and_then(|v| v.to_str().ok()) {
        attributes.push(KeyValue::new("request.id", id.to_owned()));
    }
    let span = tracer
        .span_builder("GET /work")
        .with_kind(SpanKind::Server)
        .with_attributes(attributes)
        .start_with_context(tracer.as_ref(), &parent);
    let cx: Context = parent.with_span(span);
    tokio::time::sleep(LATENCY).await;
    let mut query = tracer
        .span_builder("SELECT work")
        .with_kind(SpanKind::Client)
        .start_with_context(tracer.as_ref(), &cx);
    query.end();
    cx.span().end();
    "done"
}

/// Runs the exporter's exports on the tokio runtime (the batch processor exports from its own
/// thread; the OTLP HTTP client needs tokio's reactor).
struct RuntimeExporter<E> {
    inner: Arc<E>,
    runtime: tokio::runtime::Handle,
}

impl<E> std::fmt::Debug for RuntimeExporter<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RuntimeExporter")
    }
}

impl<E: SpanExporter + 'static> SpanExporter for RuntimeExporter<E> {
    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        let inner = self.inner.clone();
        match self
            .runtime
            .spawn(async move { inner.export(batch).await })
            .await
        {
            Ok(result) => result,
            Err(e) => Err(OTelSdkError::InternalFailure(format!(
                "the export task failed: {e}"
            ))),
        }
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        self.inner.shutdown_with_timeout(timeout)
    }

    fn set_resource(&mut self, resource: &Resource) {
        if let Some(inner) = Arc::get_mut(&mut self.inner) {
            inner.set_resource(resource);
        }
    }
}
