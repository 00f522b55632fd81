//! The `extern "system"` functions behind the natives of `dev.jent.Native`.
//!
//! Each one only unpacks its arguments and calls into [`crate::registry`] through
//! [`crate::door::enter`]; nothing else in the crate is exported. The only `unsafe` here is
//! the `#[unsafe(no_mangle)]` attribute the JVM needs to find the symbols: each name is unique
//! and matches the Java declaration it implements.

#![allow(unsafe_code)]

use jni::objects::{JByteArray, JClass};
use jni::sys::{jint, jlong};
use jni::{Env, EnvUnowned};

use crate::door::{BridgeError, enter};
use crate::registry;
use crate::settings::RawSettings;

/// `static native int abiVersion()`
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_jent_Native_abiVersion<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
) -> jint {
    enter(&mut env, |_| Ok(crate::ABI_VERSION))
}

/// `static native byte[] buildInfo()`: UTF-8 JSON.
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_jent_Native_buildInfo<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
) -> JByteArray<'local> {
    enter(&mut env, |env| {
        Ok(env.byte_array_from_slice(crate::build_info_json().as_bytes())?)
    })
}

/// `static native int open(int osr, int mode, long memorySize, int hashLoopCount, int timer,
/// byte[] timerDeltas)`: returns the new collector's id.
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_jent_Native_open<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    osr: jint,
    mode: jint,
    memory_size: jlong,
    hash_loop_count: jint,
    timer: jint,
    timer_deltas: JByteArray<'local>,
) -> jint {
    enter(&mut env, |env| {
        let raw = RawSettings {
            osr,
            mode,
            memory_size,
            hash_loop_count,
            timer,
            timer_deltas: read_optional_bytes(env, &timer_deltas)?,
        };
        registry::open(&raw)
    })
}

/// `static native byte[] generate(int id, int length)`: a new array, returned only on success.
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_jent_Native_generate<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    id: jint,
    length: jint,
) -> JByteArray<'local> {
    enter(&mut env, |env| {
        let length = usize::try_from(length)
            .map_err(|_| BridgeError::Argument(format!("negative length {length}")))?;
        let bytes = registry::generate(id, length)?;
        Ok(env.byte_array_from_slice(&bytes)?)
    })
}

/// `static native byte[] status(int id)`: the core's status JSON in UTF-8.
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_jent_Native_status<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    id: jint,
) -> JByteArray<'local> {
    enter(&mut env, |env| {
        Ok(env.byte_array_from_slice(registry::status(id)?.as_bytes())?)
    })
}

/// `static native void close(int id)`
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_jent_Native_close<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    id: jint,
) {
    enter(&mut env, |_| registry::close(id))
}

/// Copies a `byte[]` that may be null (meaning empty) into Rust.
fn read_optional_bytes(env: &Env<'_>, array: &JByteArray<'_>) -> Result<Vec<u8>, BridgeError> {
    if array.is_null() {
        return Ok(Vec::new());
    }
    let length = array.len(env)?;
    let mut signed = vec![0i8; length];
    array.get_region(env, 0, &mut signed)?;
    Ok(signed
        .into_iter()
        .map(|byte| byte.to_le_bytes()[0])
        .collect())
}
