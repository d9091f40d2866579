//! What one trigger costs tbt, against servers on 127.0.0.1 that answer at once:
//! `cargo bench -p tbt-trigger --bench fire`.

#[path = "../tests/support/mod.rs"]
mod support;

use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::json;
use support::{Reflection, context, greeter_proto, grpc_server, http_server, protos_dir};
use tbt_trigger::{ExecSpec, GrpcSpec, HttpBody, HttpSpec, TriggerSpec, fire};

fn triggers(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    let ctx = context();
    let http_addr = runtime.block_on(http_server());
    let grpc_addr = runtime.block_on(grpc_server(Reflection::V1, None));

    let mut http = HttpSpec::new("POST", format!("http://{http_addr}/orders"));
    http.body = Some(HttpBody::Json(json!({ "sku": "BOOK-42", "qty": 2 })));
    let http = TriggerSpec::Http(http);

    let mut grpc = GrpcSpec::new(grpc_addr.to_string(), "tbt.test.v1.Greeter/SayHello");
    grpc.protos = vec![greeter_proto()];
    grpc.import_paths = vec![protos_dir()];
    grpc.message = json!({ "name": "bench" });
    let mut reflected = grpc.clone();
    reflected.protos.clear();
    reflected.import_paths.clear();
    reflected.reflection = true;
    let (grpc, reflected) = (TriggerSpec::Grpc(grpc), TriggerSpec::Grpc(reflected));

    let exec = TriggerSpec::Exec(ExecSpec::new(vec!["true".to_string()], "/"));

    let mut group = c.benchmark_group("fire");
    for (name, spec) in [
        ("http POST json", &http),
        ("grpc with proto files", &grpc),
        ("grpc with reflection", &reflected),
        ("exec true", &exec),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| {
                runtime
                    .block_on(fire(spec, &ctx))
                    .expect("the trigger fires")
            })
        });
    }
    group.finish();
}

criterion_group!(benches, triggers);
criterion_main!(benches);
