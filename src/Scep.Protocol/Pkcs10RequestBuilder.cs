using System;
using System.Collections.Generic;
using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Scep.Protocol;

/// <summary>Builds a <see cref="Pkcs10Request"/> with the attributes SCEP clients send.</summary>
public sealed class Pkcs10RequestBuilder
{
    /// <summary>Starts a request for <paramref name="subject"/>.</summary>
    /// <param name="subject">The subject; may carry unstructuredName and unstructuredAddress RDNs (Cisco).</param>
    public Pkcs10RequestBuilder(X500DistinguishedName subject)
    {
        ArgumentNullException.ThrowIfNull(subject);
        Subject = subject;
    }

    /// <summary>The subject name.</summary>
    public X500DistinguishedName Subject { get; }

    /// <summary>The challengePassword attribute (RFC 8894 §2.4); null to leave it out.</summary>
    public string? ChallengePassword { get; set; }

    /// <summary>
    /// The DirectoryString type for <see cref="ChallengePassword"/>: PrintableString, UTF8String, IA5String,
    /// BMPString or T61String. Null picks PrintableString when the characters allow it, else UTF8String.
    /// </summary>
    public UniversalTagNumber? ChallengePasswordEncoding { get; set; }

    /// <summary>Extensions to request.</summary>
    public IList<X509Extension> Extensions { get; } = new List<X509Extension>();

    /// <summary>Put the extensions in Microsoft's attribute (1.3.6.1.4.1.311.2.1.14) instead of extensionRequest.</summary>
    public bool UseMicrosoftExtensionAttribute { get; set; }

    /// <summary>An unstructuredName attribute (not an RDN), as some Cisco devices send it.</summary>
    public string? UnstructuredName { get; set; }

    /// <summary>An unstructuredAddress attribute (not an RDN), as some Cisco devices send it.</summary>
    public string? UnstructuredAddress { get; set; }

    /// <summary>Signs the request with <paramref name="key"/>, whose public key it certifies.</summary>
    /// <param name="key">An RSA or ECDsa key.</param>
    /// <param name="hashAlgorithm">The signature hash.</param>
    /// <returns>The request.</returns>
    public Pkcs10Request Build(AsymmetricAlgorithm key, HashAlgorithmName hashAlgorithm)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Pkcs10Request.Build(this, key, hashAlgorithm);
    }
}
