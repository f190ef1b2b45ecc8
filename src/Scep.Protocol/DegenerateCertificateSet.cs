using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography.X509Certificates;
using Scep.Protocol.Internal;

namespace Scep.Protocol;

/// <summary>
/// A degenerate certificates-only CMS SignedData (RFC 8894 §3.4): the content of a SUCCESS CertRep,
/// of a multi-certificate GetCACert reply, and of GetNextCACert. Certificates keep their order.
/// </summary>
public sealed class DegenerateCertificateSet
{
    private readonly ReadOnlyMemory<byte> _encoded;

    private DegenerateCertificateSet(ReadOnlyMemory<byte> encoded, IReadOnlyList<X509Certificate2> certificates, IReadOnlyList<ReadOnlyMemory<byte>> crls)
    {
        _encoded = encoded;
        Certificates = certificates;
        Crls = crls;
    }

    /// <summary>
    /// The certificates, in the order of the encoding. In a decoded set, or one made by <see cref="CreateFromEncoded"/>,
    /// each is loaded when it is first read; a certificate the platform refuses throws <see cref="ScepException"/>
    /// (<see cref="ScepError.Malformed"/>) then.
    /// </summary>
    public IReadOnlyList<X509Certificate2> Certificates { get; }

    /// <summary>The DER-encoded CRLs (GetCRL replies carry one).</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> Crls { get; }

    /// <summary>The encoding (a ContentInfo of type signedData).</summary>
    public ReadOnlyMemory<byte> RawData => _encoded;

    /// <summary>Creates a set; the first certificate is the issued one in a CertRep.</summary>
    /// <param name="certificates">Certificates in the order to encode them.</param>
    /// <param name="crls">DER-encoded CRLs, if any.</param>
    /// <returns>The set.</returns>
    public static DegenerateCertificateSet Create(IEnumerable<X509Certificate2> certificates, IEnumerable<ReadOnlyMemory<byte>>? crls = null)
    {
        ArgumentNullException.ThrowIfNull(certificates);
        var certificateList = certificates.ToList();
        var crlList = crls?.Select(c => (ReadOnlyMemory<byte>)c.ToArray()).ToList() ?? [];
        var encoded = SignedDataWriter.WriteDegenerate(certificateList.Select(c => c.RawDataMemory), crlList);
        return new DegenerateCertificateSet(encoded, certificateList.AsReadOnly(), crlList.AsReadOnly());
    }

    /// <summary>
    /// Creates a set from DER certificates without loading them into the platform: a server delivering a certificate
    /// its authority issued as DER (<c>EnrollmentDecision.Issued</c> from bytes) spends no certificate load on the reply.
    /// </summary>
    /// <param name="certificates">DER-encoded certificates in the order to encode them; the first is the issued one in a CertRep.</param>
    /// <param name="crls">DER-encoded CRLs, if any.</param>
    /// <returns>The set.</returns>
    public static DegenerateCertificateSet CreateFromEncoded(IEnumerable<ReadOnlyMemory<byte>> certificates, IEnumerable<ReadOnlyMemory<byte>>? crls = null)
    {
        ArgumentNullException.ThrowIfNull(certificates);
        var encodedList = certificates.Select(c => (ReadOnlyMemory<byte>)c.ToArray()).ToList();
        var crlList = crls?.Select(c => (ReadOnlyMemory<byte>)c.ToArray()).ToList() ?? [];
        var encoded = SignedDataWriter.WriteDegenerate(encodedList, crlList);
        return new DegenerateCertificateSet(encoded, new LazyCertificateList(encodedList), crlList.AsReadOnly());
    }

    /// <summary>Decodes a degenerate SignedData (BER or DER).</summary>
    /// <param name="encoded">The encoding.</param>
    /// <returns>The set.</returns>
    /// <exception cref="ScepException">Not a SignedData (<see cref="ScepError.MalformedContent"/>).</exception>
    public static DegenerateCertificateSet Decode(ReadOnlyMemory<byte> encoded)
    {
        var copy = encoded.ToArray();
        SignedDataAsn signedData;
        try
        {
            signedData = SignedDataAsn.DecodeContentInfo(copy, out var consumed);
            if (consumed != copy.Length)
            {
                throw new ScepException(ScepError.MalformedContent, "Data follows the certificates-only SignedData.");
            }
        }
        catch (ScepException e) when (e.Reason != ScepError.MalformedContent && e.Reason != ScepError.LimitExceeded)
        {
            throw new ScepException(ScepError.MalformedContent, "The content is not a certificates-only SignedData: " + e.Message, e);
        }

        // Each certificate's structure is read now; each is loaded into the platform when it is first read, so a
        // client that looks only at the issued certificate loads only that one (a load costs about a quarter of an
        // RSA-2048 private-key operation on OpenSSL 3.0).
        var certificates = signedData.Certificates.Select(der => CertificateDer.TryParse(der)?.Raw
            ?? throw new ScepException(ScepError.Malformed, "A certificate in the message cannot be read.")).ToList();
        return new DegenerateCertificateSet(copy, new LazyCertificateList(certificates), signedData.Crls.ToList().AsReadOnly());
    }

    /// <summary>The certificate whose public key is <paramref name="publicKey"/>, or null (RFC 8894 §3.3.2: pick the issued certificate by key, not by position).</summary>
    /// <param name="publicKey">The key the client asked to certify.</param>
    /// <returns>The certificate.</returns>
    public X509Certificate2? FindByPublicKey(System.Security.Cryptography.X509Certificates.PublicKey publicKey)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        var wanted = publicKey.ExportSubjectPublicKeyInfo();
        return Certificates.FirstOrDefault(c => c.PublicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(wanted));
    }

    /// <summary>A copy of the encoding.</summary>
    /// <returns>A new array.</returns>
    public byte[] Encode() => _encoded.ToArray();
}

/// <summary>DER certificates loaded one by one, each on its first read.</summary>
internal sealed class LazyCertificateList(IReadOnlyList<ReadOnlyMemory<byte>> encoded) : IReadOnlyList<X509Certificate2>
{
    private readonly Lazy<X509Certificate2>[] _loaded = encoded.Select(der => new Lazy<X509Certificate2>(() => CertificateFacts.Load(der))).ToArray();

    public int Count => _loaded.Length;

    public X509Certificate2 this[int index] => _loaded[index].Value;

    public IEnumerator<X509Certificate2> GetEnumerator()
    {
        foreach (var certificate in _loaded)
        {
            yield return certificate.Value;
        }
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
