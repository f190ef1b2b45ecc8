namespace Scep.Protocol.Pkcs11;

/// <summary>Why a PKCS#11 key could not be used: what <see cref="Pkcs11KeyException.Failure"/> says.</summary>
public enum Pkcs11Failure
{
    /// <summary>The PKCS#11 module (a shared library) is missing or could not be loaded and initialised.</summary>
    ModuleNotLoaded,

    /// <summary>No token present matches the URI's token attributes.</summary>
    TokenNotFound,

    /// <summary>No PIN was given (URI pin-source or pin-value, a file, or an environment variable).</summary>
    PinMissing,

    /// <summary>The token refused the PIN (CKR_PIN_INCORRECT, CKR_PIN_INVALID, CKR_PIN_LEN_RANGE).</summary>
    WrongPin,

    /// <summary>The PIN is locked or expired (CKR_PIN_LOCKED, CKR_PIN_EXPIRED): the token's officer must reset it.</summary>
    PinLocked,

    /// <summary>No object of the kind asked for matches the URI's object and id.</summary>
    KeyNotFound,

    /// <summary>More than one object matches: the URI must say which (object label and id).</summary>
    AmbiguousKey,

    /// <summary>The token went away (removed, device error, closed sessions); the next operation tries it again.</summary>
    TokenRemoved,

    /// <summary>The token refused or failed the operation itself (a mechanism it does not support, bad input).</summary>
    OperationFailed,
}
