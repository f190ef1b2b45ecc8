using System;
using Net.Pkcs11Interop.Common;

namespace Scep.Protocol.Pkcs11;

/// <summary>How a PKCS#11 return value (PKCS#11 v2.40 §5.1 and §11.1) reads to a host.</summary>
internal static class Pkcs11Errors
{
    /// <summary>
    /// Return values after which the token, its sessions or the login are gone: the pool drops its sessions, and the next
    /// call looks for the token again (re-initialising the module when the token is not found), logs in and re-finds the key.
    /// </summary>
    public static bool IsGone(CKR rv) => rv is CKR.CKR_DEVICE_REMOVED or CKR.CKR_TOKEN_NOT_PRESENT or CKR.CKR_TOKEN_NOT_RECOGNIZED
        or CKR.CKR_SESSION_HANDLE_INVALID or CKR.CKR_SESSION_CLOSED or CKR.CKR_SLOT_ID_INVALID or CKR.CKR_DEVICE_ERROR
        or CKR.CKR_CRYPTOKI_NOT_INITIALIZED or CKR.CKR_USER_NOT_LOGGED_IN or CKR.CKR_OBJECT_HANDLE_INVALID
        or CKR.CKR_KEY_HANDLE_INVALID or CKR.CKR_GENERAL_ERROR;

    public static Pkcs11KeyException From(Pkcs11Exception e, string what) => e.RV switch
    {
        CKR.CKR_PIN_INCORRECT or CKR.CKR_PIN_INVALID or CKR.CKR_PIN_LEN_RANGE =>
            new Pkcs11KeyException(Pkcs11Failure.WrongPin, $"{what}: the token refused the PIN ({e.RV}).", e.RV.ToString(), e),
        CKR.CKR_PIN_LOCKED or CKR.CKR_PIN_EXPIRED =>
            new Pkcs11KeyException(Pkcs11Failure.PinLocked, $"{what}: the PIN is locked or expired ({e.RV}); the token's security officer must reset it.", e.RV.ToString(), e),
        _ when IsGone(e.RV) =>
            new Pkcs11KeyException(Pkcs11Failure.TokenRemoved, $"{what}: the token is not available ({e.RV}); the next operation tries again.", e.RV.ToString(), e),
        _ => new Pkcs11KeyException(Pkcs11Failure.OperationFailed, $"{what}: {e.Method} failed with {e.RV}.", e.RV.ToString(), e),
    };

    public static Pkcs11KeyException Wrap(Exception e, string what) => e switch
    {
        Pkcs11KeyException known => known,
        Pkcs11Exception pkcs11 => From(pkcs11, what),
        _ => new Pkcs11KeyException(Pkcs11Failure.OperationFailed, $"{what}: {e.Message}", inner: e),
    };
}
