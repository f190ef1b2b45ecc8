using System;
using System.Security.Cryptography;

namespace Scep.Protocol.Pkcs11;

/// <summary>
/// A PKCS#11 key could not be found or used. A <see cref="CryptographicException"/>, so code that handles a key
/// object's failures (the SCEP server answers 503, "try again later") handles these too. The message names the module,
/// token and object concerned, never a PIN.
/// </summary>
public sealed class Pkcs11KeyException : CryptographicException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="failure">What went wrong.</param>
    /// <param name="message">The message: what was asked for, what was found.</param>
    /// <param name="returnValue">The PKCS#11 return value (CKR_...), when a call failed.</param>
    /// <param name="inner">The underlying exception.</param>
    public Pkcs11KeyException(Pkcs11Failure failure, string message, string? returnValue = null, Exception? inner = null)
        : base(message, inner)
    {
        Failure = failure;
        ReturnValue = returnValue;
    }

    /// <summary>What went wrong.</summary>
    public Pkcs11Failure Failure { get; }

    /// <summary>The PKCS#11 return value of the failed call (e.g. <c>CKR_PIN_INCORRECT</c>), or null.</summary>
    public string? ReturnValue { get; }
}
