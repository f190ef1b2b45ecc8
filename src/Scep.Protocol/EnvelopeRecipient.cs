using System;
using System.Security.Cryptography.X509Certificates;
using Scep.Protocol.Internal;

namespace Scep.Protocol;

/// <summary>One RecipientInfo of a <see cref="PkiEnvelope"/>: who can decrypt it, and how.</summary>
public sealed class EnvelopeRecipient
{
    internal EnvelopeRecipient(
        RecipientInfoType type,
        IssuerAndSerialNumber? issuerAndSerialNumber,
        ReadOnlyMemory<byte> subjectKeyIdentifier,
        string? keyEncryptionAlgorithmOid,
        AlgorithmIdentifier? keyEncryptionAlgorithm,
        ReadOnlyMemory<byte> encryptedKey)
    {
        Type = type;
        IssuerAndSerialNumber = issuerAndSerialNumber;
        SubjectKeyIdentifier = subjectKeyIdentifier;
        KeyEncryptionAlgorithmOid = keyEncryptionAlgorithmOid;
        KeyEncryptionAlgorithm = keyEncryptionAlgorithm;
        EncryptedKey = encryptedKey;
    }

    /// <summary>The RecipientInfo kind.</summary>
    public RecipientInfoType Type { get; }

    /// <summary>The recipient certificate's issuer and serial number, for key transport with that identifier form.</summary>
    public IssuerAndSerialNumber? IssuerAndSerialNumber { get; }

    /// <summary>The recipient certificate's subject key identifier, for key transport with that form; empty otherwise.</summary>
    public ReadOnlyMemory<byte> SubjectKeyIdentifier { get; }

    /// <summary>The key-encryption algorithm OID, for key transport.</summary>
    public string? KeyEncryptionAlgorithmOid { get; }

    internal AlgorithmIdentifier? KeyEncryptionAlgorithm { get; }

    internal ReadOnlyMemory<byte> EncryptedKey { get; }

    /// <summary>Whether this recipient is <paramref name="certificate"/>.</summary>
    /// <param name="certificate">A candidate decryption certificate.</param>
    /// <returns>True for a key-transport recipient that names the certificate.</returns>
    public bool Matches(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        if (Type != RecipientInfoType.KeyTransport)
        {
            return false;
        }

        return IssuerAndSerialNumber is { } id
            ? id.Matches(certificate)
            : CertificateFacts.SubjectKeyIdentifierEquals(certificate, SubjectKeyIdentifier.Span);
    }
}
