//! `trigger grpc`: one unary call with a dynamic message, its schema from `.proto` files or
//! server reflection, trace context in the metadata.

mod codec;
mod connect;
mod schema;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use prost_reflect::{DynamicMessage, MethodDescriptor, SerializeOptions};
use serde_json::{Map, Value};
use tokio::time::{Instant, timeout_at};
use tonic::Code;
use tonic::codegen::http::uri::PathAndQuery;
use tonic::metadata::{KeyAndValueRef, MetadataMap, MetadataValue};

use crate::error::{self, TriggerError, TriggerErrorKind};
use crate::span::{Clock, ms_value};
use crate::{Fired, GrpcSpec, TraceContext, TriggerSpan};
use codec::DynamicCodec;
use connect::Address;
use schema::MethodName;

/// Makes the call and returns its status, response message and metadata.
pub(crate) async fn fire(spec: &GrpcSpec, ctx: &TraceContext) -> Result<Fired, TriggerError> {
    let name = MethodName::parse(&spec.method)?;
    let address = Address::parse(&spec.address, &spec.tls)?;
    let target = format!(
        "grpc {} {}/{}",
        address.authority(),
        name.service,
        name.method
    );
    if spec.protos.is_empty() && !spec.reflection {
        return Err(TriggerError::invalid(format!(
            "no schema for the message: add `proto` files or `reflection`: {target}"
        )));
    }
    // The files need no network: check them, and the message, before connecting.
    let local = if spec.protos.is_empty() {
        None
    } else {
        // Compiling reads files and can take a while for large trees: off the runtime.
        let owned = spec.clone();
        let pool = tokio::task::spawn_blocking(move || schema::compile_protos(&owned))
            .await
            .map_err(|e| {
                TriggerError::new(
                    TriggerErrorKind::Proto,
                    format!("compiling the proto files failed: {e}"),
                )
            })??;
        let method = schema::find_method(&pool, &name, "the proto files")?;
        let message = request_message(&method, spec)?;
        Some((method, message))
    };

    let mut metadata = MetadataMap::new();
    add_metadata(&mut metadata, spec, ctx)?;

    let clock = Clock::start();
    let deadline = Instant::now() + spec.timeout;
    let outcome = timeout_at(
        deadline,
        call(spec, metadata, &name, &address, local, &target),
    )
    .await;
    let (span, duration_ms) = clock.stop(format!("{}/{}", name.service, name.method), true);
    let mut span = span_attributes(span, &name, &address);
    let answer = match outcome {
        Ok(Ok(answer)) => answer,
        Ok(Err(e)) => return Err(e.with_span(span)),
        Err(_) => {
            return Err(TriggerError::new(
                TriggerErrorKind::Timeout,
                error::timeout_message(spec.timeout, &target),
            )
            .with_span(span));
        }
    };

    let code = answer.code as i32;
    span.attr("rpc.grpc.status_code", code);
    if answer.code != Code::Ok {
        span.attr("error.type", code_name(answer.code));
        span.error = Some(if answer.message.is_empty() {
            code_name(answer.code).to_string()
        } else {
            format!("{}: {}", code_name(answer.code), answer.message)
        });
    }
    let mut response = Map::new();
    response.insert("status".into(), Value::from(code));
    if let Some(json) = answer.json {
        response.insert("json".into(), json);
    }
    response.insert("metadata".into(), Value::Object(answer.metadata));
    response.insert("message".into(), Value::String(answer.message));
    response.insert("duration_ms".into(), ms_value(duration_ms));
    Ok(Fired { response, span })
}

/// What the server answered: a status, always; a message only with OK.
struct Answer {
    code: Code,
    message: String,
    metadata: Map<String, Value>,
    json: Option<Value>,
}

async fn call(
    spec: &GrpcSpec,
    metadata: MetadataMap,
    name: &MethodName,
    address: &Address,
    local: Option<(MethodDescriptor, DynamicMessage)>,
    target: &str,
) -> Result<Answer, TriggerError> {
    let channel = connect::connect(address, &spec.tls, target).await?;
    let (method, message) = match local {
        Some(found) => found,
        None => {
            let pool = schema::reflect(channel.clone(), &address.authority(), name, target).await?;
            let method = schema::find_method(&pool, name, "the server's reflection")?;
            let message = request_message(&method, spec)?;
            (method, message)
        }
    };
    let mut request = tonic::Request::new(message);
    *request.metadata_mut() = metadata;
    request.set_timeout(spec.timeout);
    let path = PathAndQuery::from_maybe_shared(name.path())
        .map_err(|e| TriggerError::invalid(format!("invalid gRPC method path: {e}: {target}")))?;

    let mut grpc = tonic::client::Grpc::new(channel);
    grpc.ready()
        .await
        .map_err(|e| transport_error(&e, spec, target))?;
    match grpc
        .unary(request, path, DynamicCodec::new(method.output()))
        .await
    {
        Ok(response) => {
            let metadata = metadata_object(response.metadata());
            let json = message_json(response.get_ref()).map_err(|e| {
                TriggerError::new(
                    TriggerErrorKind::Proto,
                    format!("cannot show the response as JSON: {e}: {target}"),
                )
            })?;
            Ok(Answer {
                code: Code::Ok,
                message: String::new(),
                metadata,
                json: Some(json),
            })
        }
        // A status with a source is tonic's report of a transport failure, not the server's.
        Err(status) if std::error::Error::source(&status).is_some() => {
            Err(transport_error(&status, spec, target))
        }
        Err(status) => Ok(Answer {
            code: status.code(),
            message: status.message().to_string(),
            metadata: metadata_object(status.metadata()),
            json: None,
        }),
    }
}

/// The spec's message as the method's input type.
fn request_message(
    method: &MethodDescriptor,
    spec: &GrpcSpec,
) -> Result<DynamicMessage, TriggerError> {
    let input = method.input();
    DynamicMessage::deserialize(input.clone(), spec.message.clone()).map_err(|e| {
        TriggerError::new(
            TriggerErrorKind::Proto,
            format!(
                "the message does not fit {} (the input of {}): {e}",
                input.full_name(),
                method.full_name()
            ),
        )
    })
}

/// The proto3 JSON of a message, with the field names of the `.proto` file (as tests write
/// them, `item_count`), fields at their default value included, and 64-bit integers as
/// numbers so they compare with ints.
fn message_json(message: &DynamicMessage) -> Result<Value, serde_json::Error> {
    let options = SerializeOptions::new()
        .use_proto_field_name(true)
        .skip_default_fields(false)
        .stringify_64_bit_integers(false);
    message.serialize_with_options(serde_json::value::Serializer, &options)
}

fn add_metadata(
    metadata: &mut MetadataMap,
    spec: &GrpcSpec,
    ctx: &TraceContext,
) -> Result<(), TriggerError> {
    for (key, value) in &spec.metadata {
        let lower = key.to_ascii_lowercase();
        let bad_value = || {
            TriggerError::invalid(format!(
                "invalid value for gRPC metadata {key:?}: {value:?}"
            ))
        };
        if lower.ends_with("-bin") {
            let key = tonic::metadata::BinaryMetadataKey::from_bytes(lower.as_bytes())
                .map_err(|_| TriggerError::invalid(format!("invalid gRPC metadata key {key:?}")))?;
            let bytes = BASE64.decode(value).map_err(|_| {
                TriggerError::invalid(format!(
                    "gRPC metadata {key:?} ends in -bin, so its value must be base64, not {value:?}"
                ))
            })?;
            metadata.append_bin(key, MetadataValue::from_bytes(&bytes));
        } else {
            let key = tonic::metadata::AsciiMetadataKey::from_bytes(lower.as_bytes())
                .map_err(|_| TriggerError::invalid(format!("invalid gRPC metadata key {key:?}")))?;
            let value = value.parse().map_err(|_| bad_value())?;
            metadata.append(key, value);
        }
    }
    let traceparent = ctx
        .traceparent()
        .parse()
        .map_err(|_| TriggerError::invalid("invalid traceparent"))?;
    metadata.insert("traceparent", traceparent);
    metadata.remove("tracestate");
    if !ctx.tracestate.is_empty() {
        let state = ctx.tracestate.parse().map_err(|_| {
            TriggerError::invalid(format!("invalid tracestate {:?}", ctx.tracestate))
        })?;
        metadata.insert("tracestate", state);
    }
    Ok(())
}

/// Metadata as an object: lower-case keys, repeated values joined with `", "`, binary values
/// in base64.
fn metadata_object(metadata: &MetadataMap) -> Map<String, Value> {
    let mut out: Map<String, Value> = Map::new();
    for entry in metadata.iter() {
        let (key, value) = match entry {
            KeyAndValueRef::Ascii(key, value) => (
                key.as_str().to_string(),
                String::from_utf8_lossy(value.as_encoded_bytes()).into_owned(),
            ),
            KeyAndValueRef::Binary(key, value) => (
                key.as_str().to_string(),
                value
                    .to_bytes()
                    .map(|b| BASE64.encode(b))
                    .unwrap_or_else(|_| {
                        String::from_utf8_lossy(value.as_encoded_bytes()).into_owned()
                    }),
            ),
        };
        match out.get_mut(&key) {
            Some(Value::String(existing)) => {
                existing.push_str(", ");
                existing.push_str(&value);
            }
            _ => {
                out.insert(key, Value::String(value));
            }
        }
    }
    out
}

fn transport_error(
    err: &(dyn std::error::Error + 'static),
    spec: &GrpcSpec,
    target: &str,
) -> TriggerError {
    let (kind, detail) = error::classify(err);
    if kind == TriggerErrorKind::Timeout {
        // tonic enforces the grpc-timeout we send on the client side too.
        return TriggerError::new(kind, error::timeout_message(spec.timeout, target));
    }
    TriggerError::new(kind, error::message(kind, target, detail.as_deref()))
}

fn span_attributes(mut span: TriggerSpan, name: &MethodName, address: &Address) -> TriggerSpan {
    span.attr("rpc.system", "grpc");
    span.attr("rpc.service", name.service.as_str());
    span.attr("rpc.method", name.method.as_str());
    span.attr("server.address", address.host.as_str());
    span.attr("server.port", address.port);
    span
}

/// `CODE` or `CODE: message`.
pub(crate) fn status_text(status: &tonic::Status) -> String {
    if status.message().is_empty() {
        code_name(status.code()).to_string()
    } else {
        format!("{}: {}", code_name(status.code()), status.message())
    }
}

/// The canonical name of a status code, as gRPC documents it.
pub(crate) fn code_name(code: Code) -> &'static str {
    match code {
        Code::Ok => "OK",
        Code::Cancelled => "CANCELLED",
        Code::Unknown => "UNKNOWN",
        Code::InvalidArgument => "INVALID_ARGUMENT",
        Code::DeadlineExceeded => "DEADLINE_EXCEEDED",
        Code::NotFound => "NOT_FOUND",
        Code::AlreadyExists => "ALREADY_EXISTS",
        Code::PermissionDenied => "PERMISSION_DENIED",
        Code::ResourceExhausted => "RESOURCE_EXHAUSTED",
        Code::FailedPrecondition => "FAILED_PRECONDITION",
        Code::Aborted => "ABORTED",
        Code::OutOfRange => "OUT_OF_RANGE",
        Code::Unimplemented => "UNIMPLEMENTED",
        Code::Internal => "INTERNAL",
        Code::Unavailable => "UNAVAILABLE",
        Code::DataLoss => "DATA_LOSS",
        Code::Unauthenticated => "UNAUTHENTICATED",
    }
}
