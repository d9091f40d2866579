//! A deterministic generator of realistic traces, for benchmarks and tests.
//!
//! Twenty services of a web shop call each other over HTTP and gRPC, query databases and
//! exchange Kafka messages; spans carry the OpenTelemetry semantic-convention attributes of
//! their kind (`http.request.method`, `http.route`, `url.path`, `http.response.status_code`,
//! `rpc.*`, `db.system.name`, `db.query.text`, `db.operation.name`, `messaging.*`) and
//! business attributes (`order.id`, `payment.amount`, …); a few fail with an error status and
//! an `exception` event. Depth is at most [`SynthConfig::max_depth`] (12). Spans are
//! grouped into `ResourceSpans` batches of up to 512 per service, as SDK batch exporters send
//! them.
//!
//! The same seed gives the same bytes. A million spans take a couple of seconds.
//!
//! ```
//! use tbt_trace::synth::{self, SynthConfig};
//! let cfg = SynthConfig::many(10, 50, 7);
//! let bytes = synth::protobuf(&cfg);
//! let trace = tbt_trace::import(&bytes).unwrap();
//! assert_eq!(trace.len(), 500);
//! assert_eq!(trace.trace_ids().len(), 10);
//! ```

use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{
    AnyValue, InstrumentationScope, KeyValue, any_value::Value as PValue,
};
use opentelemetry_proto::tonic::resource::v1::Resource;
use opentelemetry_proto::tonic::trace::v1::{
    ResourceSpans, ScopeSpans, Span, Status, TracesData, span::Event,
};
use prost::Message;

use crate::model::{Trace, TraceBuilder};

/// SplitMix64: a tiny, fast, well-distributed PRNG (deterministic from its seed).
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n.max(1))) >> 64) as u64
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi.saturating_sub(lo) + 1)
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }

    /// A random element.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// What to generate.
#[derive(Clone, Debug)]
pub struct SynthConfig {
    /// The PRNG seed.
    pub seed: u64,
    /// Number of traces.
    pub traces: usize,
    /// Spans in each trace (exactly).
    pub spans_per_trace: usize,
    /// Deepest span depth (root = 0); at most 12 is realistic.
    pub max_depth: usize,
    /// Probability that a server or client span fails.
    pub error_rate: f64,
    /// Start of the first trace, unix nanoseconds.
    pub start_unix_nano: u64,
}

impl SynthConfig {
    /// `traces` traces of `spans_per_trace` spans each.
    pub fn many(traces: usize, spans_per_trace: usize, seed: u64) -> SynthConfig {
        SynthConfig {
            seed,
            traces,
            spans_per_trace,
            max_depth: 12,
            error_rate: 0.02,
            start_unix_nano: 1_700_000_000_000_000_000,
        }
    }

    /// One trace of `spans` spans.
    pub fn huge(spans: usize, seed: u64) -> SynthConfig {
        SynthConfig::many(1, spans, seed)
    }

    /// Total spans.
    pub fn total_spans(&self) -> usize {
        self.traces * self.spans_per_trace
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Proto {
    Http,
    Grpc,
}

struct Service {
    name: &'static str,
    proto: Proto,
    lang: &'static str,
    db: Option<(&'static str, &'static str)>, // (db.system.name, collection/table)
    calls: &'static [usize],
    ops: &'static [&'static str],
}

const SERVICES: [Service; 20] = [
    Service {
        name: "frontend",
        proto: Proto::Http,
        lang: "nodejs",
        db: None,
        calls: &[1, 10, 11, 12, 5],
        ops: &["/", "/cart", "/product/{id}", "/checkout"],
    },
    Service {
        name: "api-gateway",
        proto: Proto::Http,
        lang: "go",
        db: None,
        calls: &[2, 3, 4, 5, 15],
        ops: &[
            "/api/cart/{id}",
            "/api/orders",
            "/api/users/{id}",
            "/api/search",
        ],
    },
    Service {
        name: "auth",
        proto: Proto::Grpc,
        lang: "go",
        db: Some(("redis", "sessions")),
        calls: &[3],
        ops: &["Authenticate", "ValidateToken"],
    },
    Service {
        name: "user",
        proto: Proto::Grpc,
        lang: "java",
        db: Some(("postgresql", "users")),
        calls: &[],
        ops: &["GetUser", "UpdateProfile"],
    },
    Service {
        name: "cart",
        proto: Proto::Grpc,
        lang: "dotnet",
        db: Some(("redis", "carts")),
        calls: &[11, 14],
        ops: &["GetCart", "AddItem", "EmptyCart"],
    },
    Service {
        name: "checkout",
        proto: Proto::Grpc,
        lang: "go",
        db: None,
        calls: &[4, 6, 7, 8, 17, 18],
        ops: &["PlaceOrder"],
    },
    Service {
        name: "payment",
        proto: Proto::Grpc,
        lang: "nodejs",
        db: Some(("postgresql", "payments")),
        calls: &[17],
        ops: &["Charge", "Refund"],
    },
    Service {
        name: "currency",
        proto: Proto::Grpc,
        lang: "cpp",
        db: None,
        calls: &[],
        ops: &["Convert", "GetSupportedCurrencies"],
    },
    Service {
        name: "shipping",
        proto: Proto::Http,
        lang: "rust",
        db: None,
        calls: &[19],
        ops: &["/get-quote", "/ship-order"],
    },
    Service {
        name: "email",
        proto: Proto::Http,
        lang: "ruby",
        db: None,
        calls: &[],
        ops: &["/send_order_confirmation"],
    },
    Service {
        name: "recommendation",
        proto: Proto::Grpc,
        lang: "python",
        db: Some(("mongodb", "recommendations")),
        calls: &[11],
        ops: &["ListRecommendations"],
    },
    Service {
        name: "product-catalog",
        proto: Proto::Grpc,
        lang: "go",
        db: Some(("postgresql", "products")),
        calls: &[14],
        ops: &["ListProducts", "GetProduct", "SearchProducts"],
    },
    Service {
        name: "ad",
        proto: Proto::Grpc,
        lang: "java",
        db: None,
        calls: &[],
        ops: &["GetAds"],
    },
    Service {
        name: "inventory",
        proto: Proto::Grpc,
        lang: "java",
        db: Some(("postgresql", "stock")),
        calls: &[],
        ops: &["Reserve", "Release"],
    },
    Service {
        name: "pricing",
        proto: Proto::Grpc,
        lang: "kotlin",
        db: Some(("redis", "prices")),
        calls: &[7],
        ops: &["GetPrice"],
    },
    Service {
        name: "search",
        proto: Proto::Http,
        lang: "python",
        db: Some(("elasticsearch", "products")),
        calls: &[11],
        ops: &["/search"],
    },
    Service {
        name: "notification",
        proto: Proto::Grpc,
        lang: "go",
        db: None,
        calls: &[9],
        ops: &["Notify"],
    },
    Service {
        name: "fraud-detection",
        proto: Proto::Grpc,
        lang: "kotlin",
        db: Some(("mongodb", "scores")),
        calls: &[],
        ops: &["Score"],
    },
    Service {
        name: "order",
        proto: Proto::Grpc,
        lang: "java",
        db: Some(("postgresql", "orders")),
        calls: &[13],
        ops: &["CreateOrder", "GetOrder"],
    },
    Service {
        name: "quote",
        proto: Proto::Http,
        lang: "php",
        db: None,
        calls: &[],
        ops: &["/getquote"],
    },
];

/// HTTP methods, weighted by repetition.
const METHODS: [&str; 8] = ["GET", "GET", "GET", "GET", "POST", "POST", "PUT", "DELETE"];

/// Services that consume the `orders` topic checkout produces to.
const CONSUMERS: [usize; 3] = [9, 16, 18];

fn kv(key: &str, v: PValue) -> KeyValue {
    KeyValue {
        key: key.to_string(),
        value: Some(AnyValue { value: Some(v) }),
        ..Default::default()
    }
}
fn s(key: &str, v: impl Into<String>) -> KeyValue {
    kv(key, PValue::StringValue(v.into()))
}
fn i(key: &str, v: i64) -> KeyValue {
    kv(key, PValue::IntValue(v))
}
fn d(key: &str, v: f64) -> KeyValue {
    kv(key, PValue::DoubleValue(v))
}
fn b(key: &str, v: bool) -> KeyValue {
    kv(key, PValue::BoolValue(v))
}

fn resource(svc: usize, rng_seed: u64) -> Resource {
    let sv = &SERVICES[svc];
    let mut r = Rng::new(rng_seed ^ (svc as u64) << 32);
    Resource {
        attributes: vec![
            s("service.name", sv.name),
            s("service.namespace", "shop"),
            s(
                "service.version",
                format!("1.{}.{}", r.below(9), r.below(20)),
            ),
            s("deployment.environment.name", "production"),
            s("host.name", format!("node-{}", r.below(12))),
            s(
                "k8s.pod.name",
                format!("{}-{:08x}", sv.name, r.next_u64() as u32),
            ),
            s("telemetry.sdk.language", sv.lang),
            s("telemetry.sdk.name", "opentelemetry"),
        ],
        ..Default::default()
    }
}

/// What a generated span is.
#[derive(Clone, Copy)]
enum Role {
    Server,
    Client { target: usize },
    Db,
    Internal,
    Producer,
    Consumer,
}

/// The request a client span sends: its server child serves the same one.
#[derive(Clone, Copy)]
struct Call {
    op: &'static str,
    method: &'static str,
    id: u64,
}

struct Pending {
    /// Index into the current trace's span list.
    span: usize,
    svc: usize,
    depth: usize,
    role: Role,
    call: Option<Call>,
}

struct Gen<'c> {
    cfg: &'c SynthConfig,
    rng: Rng,
    /// Per service: spans waiting to be exported.
    batches: Vec<Vec<Span>>,
    out: Out,
    resources: Vec<Resource>,
}

/// Where finished batches go.
enum Out {
    /// Kept as messages.
    Messages(Vec<ResourceSpans>),
    /// Encoded at once as `TracesData` field 1 (`resource_spans`) and dropped.
    Protobuf(Vec<u8>),
}

const BATCH: usize = 512;

impl Gen<'_> {
    fn flush(&mut self, svc: usize) {
        if self.batches[svc].is_empty() {
            return;
        }
        let spans = std::mem::take(&mut self.batches[svc]);
        let sv = &SERVICES[svc];
        let rs = ResourceSpans {
            resource: Some(self.resources[svc].clone()),
            scope_spans: vec![ScopeSpans {
                scope: Some(InstrumentationScope {
                    name: format!("io.opentelemetry.{}", sv.lang),
                    version: "1.38.0".into(),
                    ..Default::default()
                }),
                spans,
                schema_url: "https://opentelemetry.io/schemas/1.26.0".into(),
            }],
            schema_url: "https://opentelemetry.io/schemas/1.26.0".into(),
        };
        match &mut self.out {
            Out::Messages(v) => v.push(rs),
            Out::Protobuf(buf) => {
                buf.push(0x0a); // field 1, length-delimited
                // Encoding into a Vec cannot run out of room.
                let _ = rs.encode_length_delimited(buf);
            }
        }
    }

    fn id8(&mut self) -> Vec<u8> {
        let mut v = self.rng.next_u64();
        if v == 0 {
            v = 1;
        }
        v.to_be_bytes().to_vec()
    }

    fn entity(&mut self) -> String {
        format!("{:06}", self.rng.below(1_000_000))
    }

    /// Fills name, kind and attributes of a span; a client span returns its request.
    fn describe(
        &mut self,
        sp: &mut Span,
        svc: usize,
        role: Role,
        call: Option<Call>,
    ) -> Option<Call> {
        let mut made = None;
        let sv = &SERVICES[svc];
        let r = &mut self.rng;
        let fail = r.chance(self.cfg.error_rate);
        match role {
            Role::Server | Role::Client { .. } => {
                let (target, kind) = match role {
                    Role::Client { target } => (target, 3),
                    _ => (svc, 2),
                };
                let tv = &SERVICES[target];
                let call = call.unwrap_or_else(|| Call {
                    op: tv.ops[r.below(tv.ops.len() as u64) as usize],
                    method: METHODS[r.below(METHODS.len() as u64) as usize],
                    id: r.below(100_000),
                });
                made = Some(call);
                let (op, method) = (call.op, call.method);
                sp.kind = kind;
                if tv.proto == Proto::Http {
                    let id = call.id.to_string();
                    let path = op.replace("{id}", &id);
                    let code = if fail {
                        500
                    } else if r.chance(0.03) {
                        404
                    } else {
                        200
                    };
                    sp.name = format!("{method} {op}");
                    sp.attributes.push(s("http.request.method", method));
                    sp.attributes.push(i("http.response.status_code", code));
                    if kind == 2 {
                        sp.attributes.push(s("http.route", op));
                        sp.attributes.push(s("url.path", path));
                        sp.attributes.push(s("url.scheme", "https"));
                        if r.chance(0.3) {
                            sp.attributes.push(s(
                                "user_agent.original",
                                "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0",
                            ));
                        }
                    } else {
                        sp.attributes
                            .push(s("url.full", format!("http://{}:8080{path}", tv.name)));
                        sp.attributes.push(s("server.address", tv.name));
                        sp.attributes.push(i("server.port", 8080));
                    }
                } else {
                    let service = format!(
                        "shop.{}.v1.{}Service",
                        tv.name.replace('-', ""),
                        capitalize(tv.name)
                    );
                    sp.name = format!("{service}/{op}");
                    sp.attributes.push(s("rpc.system", "grpc"));
                    sp.attributes.push(s("rpc.service", service));
                    sp.attributes.push(s("rpc.method", op));
                    sp.attributes
                        .push(i("rpc.grpc.status_code", if fail { 13 } else { 0 }));
                    if kind == 3 {
                        sp.attributes.push(s("server.address", tv.name));
                        sp.attributes.push(i("server.port", 50051));
                    }
                }
                if fail {
                    self.fail(sp, "upstream request failed");
                }
            }
            Role::Db => {
                let (system, table) = sv.db.unwrap_or(("postgresql", "items"));
                let id = self.entity();
                let r = &mut self.rng;
                sp.kind = 3;
                let (op, query) = match system {
                    "redis" => {
                        let op = *r.pick(&["GET", "SET", "HGETALL", "EXPIRE"]);
                        (op, format!("{op} {table}:{id}"))
                    }
                    "mongodb" => {
                        let op = *r.pick(&["find", "insert", "update"]);
                        (
                            op,
                            format!("{{\"{op}\": \"{table}\", \"filter\": {{\"_id\": \"?\"}}}}"),
                        )
                    }
                    "elasticsearch" => ("search", format!("GET /{table}/_search?q=?")),
                    _ => {
                        let op = *r.pick(&["SELECT", "SELECT", "SELECT", "INSERT", "UPDATE"]);
                        let q = match op {
                            "SELECT" => format!(
                                "SELECT id, name, price, qty FROM {table} WHERE id = $1 LIMIT 50"
                            ),
                            "INSERT" => format!(
                                "INSERT INTO {table} (id, payload, created_at) VALUES ($1, $2, now())"
                            ),
                            _ => format!(
                                "UPDATE {table} SET qty = qty - $1, updated_at = now() WHERE id = $2"
                            ),
                        };
                        (op, q)
                    }
                };
                sp.name = format!("{op} {table}");
                sp.attributes.push(s("db.system.name", system));
                sp.attributes.push(s("db.operation.name", op));
                sp.attributes.push(s("db.collection.name", table));
                sp.attributes.push(s("db.query.text", query));
                sp.attributes
                    .push(s("server.address", format!("{system}.shop.svc")));
                if self.rng.chance(self.cfg.error_rate / 2.0) {
                    self.fail(sp, "connection reset by peer");
                }
            }
            Role::Internal => {
                sp.kind = 1;
                let op = *r.pick(&[
                    "validate",
                    "compute-total",
                    "load-user",
                    "apply-discounts",
                    "render",
                    "serialize",
                ]);
                sp.name = format!("{}.{op}", sv.name);
                match r.below(4) {
                    0 => {
                        let id = self.entity();
                        sp.attributes.push(s("order.id", format!("ord-{id}")));
                        let cents = self.rng.range(100, 500_000);
                        sp.attributes
                            .push(d("payment.amount", cents as f64 / 100.0));
                        sp.attributes.push(s(
                            "payment.currency",
                            *self.rng.pick(&["USD", "EUR", "GBP", "JPY"]),
                        ));
                    }
                    1 => {
                        let id = self.entity();
                        sp.attributes.push(s("user.id", format!("u-{id}")));
                        let items = self.rng.range(1, 12) as i64;
                        sp.attributes.push(i("cart.items", items));
                    }
                    2 => {
                        let hit = r.chance(0.8);
                        sp.attributes.push(b("app.cache_hit", hit));
                    }
                    _ => {
                        let id = self.entity();
                        sp.attributes.push(s("product.id", format!("p-{id}")));
                    }
                }
            }
            Role::Producer | Role::Consumer => {
                let producer = matches!(role, Role::Producer);
                sp.kind = if producer { 4 } else { 5 };
                sp.name = format!("{} orders", if producer { "publish" } else { "process" });
                sp.attributes.push(s("messaging.system", "kafka"));
                sp.attributes
                    .push(s("messaging.destination.name", "orders"));
                sp.attributes.push(s(
                    "messaging.operation.type",
                    if producer { "send" } else { "process" },
                ));
                let id = self.entity();
                sp.attributes
                    .push(s("messaging.message.id", format!("m-{id}")));
                if !producer {
                    sp.attributes
                        .push(s("messaging.consumer.group.name", sv.name));
                }
            }
        }
        made
    }

    fn fail(&mut self, sp: &mut Span, msg: &str) {
        let ty = *self.rng.pick(&[
            "java.net.SocketTimeoutException",
            "grpc.DeadlineExceeded",
            "ValueError",
            "sql.ErrConnDone",
        ]);
        sp.status = Some(Status {
            code: 2,
            message: msg.to_string(),
        });
        sp.events.push(Event {
            time_unix_nano: sp.end_time_unix_nano.saturating_sub(1_000),
            name: "exception".into(),
            attributes: vec![s("exception.type", ty), s("exception.message", msg)],
            ..Default::default()
        });
    }

    /// Children roles of a span, given the remaining budget.
    fn plan(&mut self, p: &Pending) -> Vec<(Role, usize)> {
        let sv = &SERVICES[p.svc];
        let deep_ok = p.depth + 2 <= self.cfg.max_depth;
        let one_ok = p.depth < self.cfg.max_depth;
        let mut out = Vec::new();
        if !one_ok {
            return out;
        }
        let r = &mut self.rng;
        match p.role {
            Role::Client { target } if deep_ok || one_ok => out.push((Role::Server, target)),
            Role::Producer => {
                let c = *r.pick(&CONSUMERS);
                out.push((Role::Consumer, c));
            }
            Role::Server | Role::Consumer => {
                let n = r.range(1, 4);
                for _ in 0..n {
                    let roll = r.below(10);
                    if roll < 4 && !sv.calls.is_empty() && deep_ok {
                        let t = *r.pick(sv.calls);
                        out.push((Role::Client { target: t }, p.svc));
                    } else if roll < 7 && sv.db.is_some() {
                        out.push((Role::Db, p.svc));
                    } else if roll == 7 && p.svc == 5 && deep_ok {
                        out.push((Role::Producer, p.svc));
                    } else {
                        out.push((Role::Internal, p.svc));
                    }
                }
            }
            Role::Internal if r.chance(0.3) => {
                let role = if sv.db.is_some() {
                    Role::Db
                } else {
                    Role::Internal
                };
                out.push((role, p.svc));
            }
            _ => {}
        }
        out
    }

    fn trace(&mut self, t: usize) {
        let cfg = self.cfg;
        let n = cfg.spans_per_trace;
        if n == 0 {
            return;
        }
        let tid: Vec<u8> = {
            let mut v = self.rng.next_u64().to_be_bytes().to_vec();
            v.extend_from_slice(&self.rng.next_u64().to_be_bytes());
            v
        };
        let t0 = cfg.start_unix_nano + t as u64 * 250_000_000 + self.rng.below(200_000_000);
        // (span, service) of this trace, in creation order.
        let mut spans: Vec<(Span, usize)> = Vec::with_capacity(n.min(1 << 20));
        let root_dur = self.rng.range(20_000_000, 900_000_000);
        let mut root = Span {
            trace_id: tid.clone(),
            span_id: self.id8(),
            start_time_unix_nano: t0,
            end_time_unix_nano: t0 + root_dur,
            ..Default::default()
        };
        self.describe(&mut root, 0, Role::Server, None);
        spans.push((root, 0));
        let mut stack = vec![Pending {
            span: 0,
            svc: 0,
            depth: 0,
            role: Role::Server,
            call: None,
        }];
        let mut cursor = t0; // the root's next free time, for extra requests
        while spans.len() < n {
            let Some(p) = stack.pop() else {
                // The tree is complete but the budget is not: the root serves another request.
                let start = cursor.max(spans[0].0.start_time_unix_nano) + 1_000;
                let dur = self.rng.range(1_000_000, 50_000_000);
                cursor = start + dur;
                let mut c = Span {
                    trace_id: tid.clone(),
                    span_id: self.id8(),
                    parent_span_id: spans[0].0.span_id.clone(),
                    start_time_unix_nano: start,
                    end_time_unix_nano: start + dur,
                    ..Default::default()
                };
                let target = *self.rng.pick(SERVICES[0].calls);
                let call = self.describe(&mut c, 0, Role::Client { target }, None);
                spans.push((c, 0));
                stack.push(Pending {
                    span: spans.len() - 1,
                    svc: 0,
                    depth: 1,
                    role: Role::Client { target },
                    call,
                });
                continue;
            };
            let kids = self.plan(&p);
            if kids.is_empty() {
                continue;
            }
            let (ps, pe) = {
                let parent = &spans[p.span].0;
                (parent.start_time_unix_nano, parent.end_time_unix_nano)
            };
            let seg = (pe - ps) / (kids.len() as u64 + 1);
            let parent_id = spans[p.span].0.span_id.clone();
            let mut pushed = Vec::new();
            for (j, (role, svc)) in kids.into_iter().enumerate() {
                if spans.len() >= n {
                    break;
                }
                let (mut s0, mut s1) = (
                    ps + seg / 2 + j as u64 * seg,
                    ps + seg / 2 + (j as u64 + 1) * seg,
                );
                if matches!(role, Role::Server | Role::Consumer) {
                    // Network latency on both sides.
                    let lat = (pe - ps) / 20;
                    s0 = ps + lat;
                    s1 = pe.saturating_sub(lat).max(s0);
                }
                let jitter = (s1 - s0) / 4;
                let s1 = s1 - self.rng.below(jitter.max(1));
                let mut c = Span {
                    trace_id: tid.clone(),
                    span_id: self.id8(),
                    parent_span_id: parent_id.clone(),
                    start_time_unix_nano: s0,
                    end_time_unix_nano: s1.max(s0),
                    ..Default::default()
                };
                // A server span serves the request of its client parent.
                let inherited = if matches!(role, Role::Server) {
                    p.call
                } else {
                    None
                };
                let call = self.describe(&mut c, svc, role, inherited);
                spans.push((c, svc));
                pushed.push(Pending {
                    span: spans.len() - 1,
                    svc,
                    depth: p.depth + 1,
                    role,
                    call,
                });
            }
            // Depth-first, first child first.
            stack.extend(pushed.into_iter().rev());
        }
        if cursor > spans[0].0.end_time_unix_nano {
            spans[0].0.end_time_unix_nano = cursor + 1_000;
        }
        for (sp, svc) in spans {
            self.batches[svc].push(sp);
            if self.batches[svc].len() >= BATCH {
                self.flush(svc);
            }
        }
    }
}

fn capitalize(s: &str) -> String {
    s.split('-')
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

fn run(cfg: &SynthConfig, out: Out) -> Out {
    let mut g = Gen {
        cfg,
        rng: Rng::new(cfg.seed),
        batches: (0..SERVICES.len()).map(|_| Vec::new()).collect(),
        out,
        resources: (0..SERVICES.len()).map(|s| resource(s, cfg.seed)).collect(),
    };
    for t in 0..cfg.traces {
        g.trace(t);
    }
    for svc in 0..SERVICES.len() {
        g.flush(svc);
    }
    g.out
}

/// Generates the traces as OTLP `TracesData`.
pub fn traces_data(cfg: &SynthConfig) -> TracesData {
    match run(cfg, Out::Messages(Vec::new())) {
        Out::Messages(resource_spans) => TracesData { resource_spans },
        Out::Protobuf(_) => TracesData::default(),
    }
}

/// Generates the traces as an `ExportTraceServiceRequest` (what a receiver gets).
pub fn export_request(cfg: &SynthConfig) -> ExportTraceServiceRequest {
    ExportTraceServiceRequest {
        resource_spans: traces_data(cfg).resource_spans,
    }
}

/// Generates the traces as OTLP protobuf bytes (a `TracesData`, which is also an
/// `ExportTraceServiceRequest`). Batches are encoded as they fill, so the messages of the
/// whole set are never held: the same bytes as `traces_data(cfg).encode_to_vec()`.
pub fn protobuf(cfg: &SynthConfig) -> Vec<u8> {
    // About 200 bytes a span: reserving avoids copying the buffer as it grows.
    let cap = cfg.total_spans().saturating_mul(200);
    match run(cfg, Out::Protobuf(Vec::with_capacity(cap))) {
        Out::Protobuf(buf) => buf,
        Out::Messages(_) => Vec::new(),
    }
}

/// Encodes `TracesData` as OTLP/JSON (hex ids, int64 as strings, enum numbers).
pub fn otlp_json(td: &TracesData) -> Vec<u8> {
    // Serializing plain data into a Vec cannot fail.
    serde_json::to_vec(td).unwrap_or_default()
}

/// Generates the traces straight into a [`Trace`].
pub fn trace(cfg: &SynthConfig) -> Trace {
    let td = traces_data(cfg);
    let mut b = TraceBuilder::new();
    let spans = td
        .resource_spans
        .iter()
        .flat_map(|r| &r.scope_spans)
        .flat_map(|s| &s.spans);
    let attrs = spans.clone().map(|s| s.attributes.len()).sum();
    b.reserve(spans.count(), attrs);
    // Generated ids always have the right length.
    let _ = b.add_traces_data(&td);
    drop(td);
    b.finish().unwrap_or_else(|_| Trace::empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_exact() {
        let cfg = SynthConfig::many(3, 40, 1);
        assert_eq!(protobuf(&cfg), protobuf(&cfg));
        assert_eq!(protobuf(&cfg), traces_data(&cfg).encode_to_vec());
        let t = trace(&cfg);
        assert_eq!(t.len(), 120);
        assert_eq!(t.trace_ids().len(), 3);
        assert_eq!(t.roots().len(), 3);
        assert!(t.orphans().len() == 0);
        let max_depth = t.walk().map(|(_, d)| d).max().unwrap_or(0);
        assert!(max_depth <= 12, "depth {max_depth}");
    }
}
