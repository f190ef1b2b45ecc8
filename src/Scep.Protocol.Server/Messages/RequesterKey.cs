using System;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Scep.Protocol.Server;

/// <summary>The requester, known by the key that signed its messages (RFC 8894 §3.3.3: polls and re-sends must come from it).</summary>
internal static class RequesterKey
{
    /// <summary>The signer's key, read from the DER the signature was verified with.</summary>
    public static PublicKey Of(PkiMessage request) => PublicKey.CreateFromSubjectPublicKeyInfo(request.SignerPublicKeyInfo.Span, out _);

    /// <summary>The requester's key as recorded on its transaction: SHA-256 (hex) of the key's SubjectPublicKeyInfo, re-encoded (as the record always was).</summary>
    public static string Id(PublicKey key) => Convert.ToHexString(SHA256.HashData(key.ExportSubjectPublicKeyInfo()));
}
