//! The single door every native entry point goes through.
//!
//! [`enter`] runs the body of a native method with `catch_unwind` (through
//! `EnvUnowned::with_env`) and resolves the outcome with [`ThrowMapped`], which throws exactly
//! one Java exception per error and returns the type's default value (`0`, `null`, nothing).
//!
//! The table, one Java exception class per error:
//!
//! - `java.security.InvalidParameterException` for the core's `ErrorKind::InvalidConfig` and
//!   for [`BridgeError::Setting`];
//! - `dev.jent.JentException(message, code, kind)` for the core's `Startup`,
//!   `HealthIntermittent`, `HealthPermanent`, `Disabled` and `Platform`, and with code 200 and
//!   kind `Disabled` for [`BridgeError::Disabled`] (the latch);
//! - `java.lang.IllegalArgumentException` for [`BridgeError::Argument`];
//! - `java.lang.IllegalStateException` for [`BridgeError::UnknownCollector`] and
//!   [`BridgeError::TooManyCollectors`];
//! - `java.security.ProviderException` for [`BridgeError::Poisoned`], a core error kind newer
//!   than this bridge, a panic, and a JNI failure.
//!
//! `InvalidParameterException` extends `IllegalArgumentException`: a bad setting is a caller
//! error, not a failure of the entropy source. The `kind` numbers are the `KIND_*` constants and
//! are mirrored by `dev.jent.JentException.Kind`.

use std::any::Any;
use std::fmt;

use jni::errors::ErrorPolicy;
use jni::objects::{JObject, JThrowable, JValue};
use jni::strings::JNIString;
use jni::{Env, EnvUnowned, jni_sig, jni_str};

use crate::registry::Failure;

/// `JentException.Kind.STARTUP`.
pub const KIND_STARTUP: i32 = 1;
/// `JentException.Kind.HEALTH_INTERMITTENT`.
pub const KIND_HEALTH_INTERMITTENT: i32 = 2;
/// `JentException.Kind.HEALTH_PERMANENT`.
pub const KIND_HEALTH_PERMANENT: i32 = 3;
/// `JentException.Kind.DISABLED`.
pub const KIND_DISABLED: i32 = 4;
/// `JentException.Kind.PLATFORM`.
pub const KIND_PLATFORM: i32 = 5;

/// The core's stable code for a disabled source.
pub const CODE_DISABLED: i32 = 200;

/// Everything that can go wrong inside a native method.
#[derive(Debug)]
#[non_exhaustive]
pub enum BridgeError {
    /// The core refused: a configuration, startup, health or platform failure.
    Core(jent_core::Error),
    /// A setting the bridge itself refuses before the core sees it.
    Setting(String),
    /// The source was disabled for good by an earlier failure, which this names.
    Disabled(Failure),
    /// Java passed an argument the contract rules out (a negative length, a null array).
    Argument(String),
    /// An id that `open` did not return, or that `close` already released.
    UnknownCollector(i32),
    /// Every collector slot is in use.
    TooManyCollectors(usize),
    /// The collector's last use panicked; its state can no longer be trusted.
    Poisoned(i32),
    /// A JNI call failed; if it left a Java exception pending, that exception is reported.
    Jni(jni::errors::Error),
}

impl fmt::Display for BridgeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Core(error) => write!(f, "{error} (jent error {})", error.code()),
            Self::Setting(message) | Self::Argument(message) => f.write_str(message),
            Self::Disabled(first) => write!(
                f,
                "the JENT entropy source is disabled for the life of this process after a \
                 permanent failure: {} (jent error {})",
                first.message, first.code
            ),
            Self::UnknownCollector(id) => write!(f, "no open JENT collector has id {id}"),
            Self::TooManyCollectors(max) => write!(f, "all {max} JENT collector slots are in use"),
            Self::Poisoned(id) => write!(
                f,
                "JENT collector {id} panicked during an earlier request and is no longer used"
            ),
            Self::Jni(error) => write!(f, "JNI failure in the JENT bridge: {error}"),
        }
    }
}

impl std::error::Error for BridgeError {}

impl From<jent_core::Error> for BridgeError {
    fn from(error: jent_core::Error) -> Self {
        Self::Core(error)
    }
}

impl From<jni::errors::Error> for BridgeError {
    fn from(error: jni::errors::Error) -> Self {
        Self::Jni(error)
    }
}

/// Where a [`BridgeError`] goes on the Java side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Throw {
    /// `dev.jent.JentException` with the core code and a `KIND_*` number.
    Jent {
        /// The core's stable code.
        code: i32,
        /// One of the `KIND_*` constants.
        kind: i32,
    },
    /// `java.security.InvalidParameterException`.
    InvalidParameter,
    /// `java.lang.IllegalArgumentException`.
    IllegalArgument,
    /// `java.lang.IllegalStateException`.
    IllegalState,
    /// `java.security.ProviderException`.
    Provider,
}

impl BridgeError {
    /// The one Java exception this error becomes (the table in the module docs).
    pub fn throw_kind(&self) -> Throw {
        use jent_core::ErrorKind;

        match self {
            Self::Core(error) => {
                let kind = match error.kind() {
                    ErrorKind::InvalidConfig => return Throw::InvalidParameter,
                    ErrorKind::Startup => KIND_STARTUP,
                    ErrorKind::HealthIntermittent => KIND_HEALTH_INTERMITTENT,
                    ErrorKind::HealthPermanent => KIND_HEALTH_PERMANENT,
                    ErrorKind::Disabled => KIND_DISABLED,
                    ErrorKind::Platform => KIND_PLATFORM,
                    // A kind newer than this bridge: still a failure, never silently ignored.
                    _ => return Throw::Provider,
                };
                Throw::Jent {
                    code: error.code(),
                    kind,
                }
            }
            Self::Setting(_) => Throw::InvalidParameter,
            Self::Disabled(_) => Throw::Jent {
                code: CODE_DISABLED,
                kind: KIND_DISABLED,
            },
            Self::Argument(_) => Throw::IllegalArgument,
            Self::UnknownCollector(_) | Self::TooManyCollectors(_) => Throw::IllegalState,
            Self::Poisoned(_) | Self::Jni(_) => Throw::Provider,
        }
    }
}

/// Runs the body of a native method behind the door: panics are caught, errors thrown.
pub fn enter<'local, T, F>(env: &mut EnvUnowned<'local>, body: F) -> T
where
    T: Default,
    F: FnOnce(&mut Env<'local>) -> Result<T, BridgeError>,
{
    env.with_env(body).resolve::<ThrowMapped>()
}

/// The error policy behind [`enter`]: one Java exception per error, then the default value.
#[derive(Debug)]
pub struct ThrowMapped;

impl<T: Default> ErrorPolicy<T, BridgeError> for ThrowMapped {
    type Captures<'unowned_env_local: 'native_method, 'native_method> = ();

    fn on_error<'unowned_env_local: 'native_method, 'native_method>(
        env: &mut Env<'unowned_env_local>,
        _captures: &mut (),
        error: BridgeError,
    ) -> jni::errors::Result<T> {
        // A JNI call that failed with a Java exception pending: that exception says it best.
        if env.exception_check() {
            return Ok(T::default());
        }
        throw(env, error.throw_kind(), &error.to_string())?;
        Ok(T::default())
    }

    fn on_panic<'unowned_env_local: 'native_method, 'native_method>(
        env: &mut Env<'unowned_env_local>,
        _captures: &mut (),
        payload: Box<dyn Any + Send + 'static>,
    ) -> jni::errors::Result<T> {
        let detail = payload
            .downcast_ref::<&'static str>()
            .map(|text| (*text).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "no message".to_owned());
        // Dropping a payload can itself panic; a leak is the lesser evil at this boundary.
        std::mem::forget(payload);

        if !env.exception_check() {
            let message = format!("internal error in the JENT native bridge (panic: {detail})");
            throw(env, Throw::Provider, &message)?;
        }
        Ok(T::default())
    }
}

/// Throws `target` with `message`; a thrown exception is success here.
fn throw(env: &mut Env<'_>, target: Throw, message: &str) -> jni::errors::Result<()> {
    let outcome = match target {
        Throw::Jent { code, kind } => throw_jent(env, message, code, kind),
        Throw::InvalidParameter => throw_new(
            env,
            jni_str!("java/security/InvalidParameterException"),
            message,
        ),
        Throw::IllegalArgument => {
            throw_new(env, jni_str!("java/lang/IllegalArgumentException"), message)
        }
        Throw::IllegalState => throw_new(env, jni_str!("java/lang/IllegalStateException"), message),
        Throw::Provider => throw_new(env, jni_str!("java/security/ProviderException"), message),
    };
    match outcome {
        Err(jni::errors::Error::JavaException) => Ok(()),
        other => other,
    }
}

fn throw_new(
    env: &mut Env<'_>,
    class: &jni::strings::JNIStr,
    message: &str,
) -> jni::errors::Result<()> {
    env.throw_new(class, JNIString::from(message))
}

fn throw_jent(env: &mut Env<'_>, message: &str, code: i32, kind: i32) -> jni::errors::Result<()> {
    let text: JObject<'_> = env.new_string(message)?.into();
    let exception = env.new_object(
        jni_str!("dev/jent/JentException"),
        jni_sig!("(Ljava/lang/String;II)V"),
        &[JValue::Object(&text), JValue::Int(code), JValue::Int(kind)],
    )?;
    let exception = env.cast_local::<JThrowable>(exception)?;
    env.throw(exception)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_bridge_error_has_one_target() {
        let cases = [
            (BridgeError::Setting("x".into()), Throw::InvalidParameter),
            (BridgeError::Argument("x".into()), Throw::IllegalArgument),
            (BridgeError::UnknownCollector(3), Throw::IllegalState),
            (BridgeError::TooManyCollectors(1024), Throw::IllegalState),
            (BridgeError::Poisoned(3), Throw::Provider),
            (
                BridgeError::Disabled(Failure {
                    code: -6,
                    message: "RCT".into(),
                }),
                Throw::Jent {
                    code: CODE_DISABLED,
                    kind: KIND_DISABLED,
                },
            ),
        ];
        for (error, target) in cases {
            assert_eq!(error.throw_kind(), target, "{error}");
        }
    }

    #[test]
    fn a_disabled_source_names_the_first_failure() {
        let error = BridgeError::Disabled(Failure {
            code: -6,
            message: "RCT failed".into(),
        });
        let text = error.to_string();
        assert!(text.contains("RCT failed") && text.contains("-6"), "{text}");
    }
}
