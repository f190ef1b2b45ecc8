using System;
using System.Linq;
using System.Security.Cryptography.X509Certificates;
using Scep.Protocol.Tests.Infrastructure;

namespace Scep.Protocol.AspNetCore.Tests.Infrastructure;

/// <summary>A client made of the codecs for one PKCSReq: its self-signed signer, its CSR and the request, signed at <see cref="Scenario.Now"/>.</summary>
public sealed class Enrollee
{
    private Enrollee(TestCredential signer, Pkcs10Request csr, PkiMessage request)
    {
        Signer = signer;
        Csr = csr;
        Request = request;
    }

    public TestCredential Signer { get; }

    public Pkcs10Request Csr { get; }

    public PkiMessage Request { get; }

    /// <summary>A PKCSReq for <paramref name="subject"/> encrypted to <paramref name="recipient"/> (the test CA by default).</summary>
    public static Enrollee Create(string subject, string? challenge = ScepKestrelHost.RaChallenge, int keySlot = 1, X509Certificate2? recipient = null, string? transactionId = null)
    {
        var key = TestPki.CachedRsa(keySlot);
        var signer = TestPki.CreateSelfSigned(subject, key);
        var csr = Scenario.Csr(subject, key, challenge);
        var request = PkiMessage.CreatePkcsReq(csr, Scenario.RequestParameters(signer, recipient ?? HostPki.Ca.Certificate, transactionId: transactionId));
        return new Enrollee(signer, csr, request);
    }

    /// <summary>Checks that <paramref name="answer"/> is an HTTP 200 CertRep to <see cref="Request"/> signed by <paramref name="replySigner"/>, and decodes it.</summary>
    public PkiMessage ReplyFrom(HttpAnswer answer, X509Certificate2? replySigner = null)
    {
        answer.Status.Should().Be(200, answer.ToString());
        answer.ContentType.Should().Be(ScepContentTypes.PkiMessage);
        var reply = PkiMessage.Decode(answer.Body);
        reply.VerifySignature(ScepAlgorithmPolicy.Legacy, [replySigner ?? HostPki.Ca.Certificate]);
        reply.EnsureIsReplyTo(Request);
        return reply;
    }

    /// <summary>The certificate a SUCCESS reply carries for this client's key.</summary>
    public X509Certificate2 IssuedFrom(HttpAnswer answer, X509Certificate2? replySigner = null)
    {
        var reply = ReplyFrom(answer, replySigner);
        reply.Status.Should().Be(PkiStatus.Success, reply.FailInfoText);
        var content = reply.Decrypt(Signer.Certificate, Signer.Rsa, ScepAlgorithmPolicy.Legacy);
        return content.CertificateSet!.FindByPublicKey(Csr.PublicKey) ?? throw new AssertionException("no certificate for the requested key in the reply");
    }

    /// <summary>How many certificates the authority has issued for this client's key.</summary>
    public int IssuedCount(ScepKestrelHost host) =>
        host.Authority.IssuedCertificates.Count(c => c.PublicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(Csr.SubjectPublicKeyInfo.Span));
}
