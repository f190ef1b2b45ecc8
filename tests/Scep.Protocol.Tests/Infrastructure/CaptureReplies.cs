using System;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Scep.Protocol.Tests.Infrastructure;

/// <summary>Reply delegates for <see cref="CaptureScepServer"/>: a test CA that issues, or refuses, with the codecs.</summary>
public static class CaptureReplies
{
    /// <summary>
    /// Verifies and decrypts the request (legacy algorithms allowed: real clients still send DES), issues a
    /// certificate for its PKCS#10 with <paramref name="ca"/>, and answers SUCCESS with the request's own
    /// cipher and digest. <paramref name="issued"/> sees every certificate handed out.
    /// </summary>
    public static Func<CapturedPkiOperation, PkiMessage> Issue(TestCredential ca, Action<X509Certificate2>? issued = null) => captured =>
    {
        var request = captured.Message!;
        request.VerifySignature(ScepAlgorithmPolicy.Legacy);
        var content = request.Decrypt(ca.Certificate, ca.Rsa, ScepAlgorithmPolicy.Legacy);
        var csr = content.CertificationRequest ?? throw new InvalidOperationException($"{request.MessageType} carries no PKCS#10 request.");
        var certificate = IssueFor(csr, ca);
        issued?.Invoke(certificate);
        return CertRep.CreateSuccess(request, DegenerateCertificateSet.Create([certificate]), Parameters(ca));
    };

    /// <summary>Answers every request with a signed FAILURE.</summary>
    public static Func<CapturedPkiOperation, PkiMessage> Fail(TestCredential ca, FailInfo failInfo, string? text = null) => captured =>
        CertRep.CreateFailure(captured.Message!, failInfo, text, Parameters(ca));

    public static CertRepParameters Parameters(TestCredential ca) => new()
    {
        SignerCertificate = ca.Certificate,
        SignerKey = ca.Key,
        SigningTime = Scenario.Now,
    };

    /// <summary>An end-entity certificate for the request's subject and key, issued by <paramref name="ca"/> with .NET's CertificateRequest.</summary>
    public static X509Certificate2 IssueFor(Pkcs10Request csr, TestCredential ca)
    {
        ArgumentNullException.ThrowIfNull(csr);
        var request = CertificateRequest.LoadSigningRequest(csr.Encode(), HashAlgorithmName.SHA256, CertificateRequestLoadOptions.SkipSignatureValidation);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca.Certificate, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        var generator = X509SignatureGenerator.CreateForRSA(ca.Rsa, RSASignaturePadding.Pkcs1);
        using var issued = request.Create(ca.Certificate.SubjectName, generator, TestPki.NotBefore, TestPki.NotBefore.AddYears(10), TestPki.NextSerial());
        return X509CertificateLoader.LoadCertificate(issued.RawData);
    }
}
