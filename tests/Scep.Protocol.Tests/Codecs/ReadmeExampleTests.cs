using System;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Scep.Protocol.Tests.Infrastructure;

namespace Scep.Protocol.Tests.Codecs;

/// <summary>The example in README.md, kept compiling and working.</summary>
public class ReadmeExampleTests
{
    [Test]
    public void ReadmeExample_DecodesARequestAndBuildsAReplyTheClientAccepts()
    {
        var caCert = TestPki.Ca.Certificate;
        var caKey = TestPki.Ca.Rsa;
        var (sent, client, _) = Scenario.PkcsReq(TestPki.Ca);
        byte[] body = sent.Encode();

        // --- README example starts ---
        PkiMessage request = PkiMessage.Decode(body);                // 400 if this throws
        PkiMessage reply;
        try
        {
            request.VerifySignature();                                // signature, digest, attributes
            Pkcs10Request csr = request.Decrypt(caCert, caKey).CertificationRequest!;
            csr.VerifyProofOfPossession();                            // the CSR's own signature
            X509Certificate2 issued = IssueWithYourCa(csr);
            reply = CertRep.CreateSuccess(request, DegenerateCertificateSet.Create([issued, caCert]), Reply());
        }
        catch (ScepException e)                                       // every failure has its failInfo
        {
            reply = CertRep.CreateFailure(request, e.FailInfo, e.Message, Reply());
        }

        byte[] responseBody = reply.Encode();                         // application/x-pki-message

        CertRepParameters Reply() => new() { SignerCertificate = caCert, SignerKey = caKey, SigningTime = DateTimeOffset.UtcNow };
        // --- README example ends ---

        var received = PkiMessage.Decode(responseBody);
        received.EnsureIsReplyTo(sent);
        received.VerifySignature(candidateSigners: [caCert]);
        received.Status.Should().Be(PkiStatus.Success);
        received.Decrypt(client.Certificate, client.Rsa).CertificateSet!.Certificates[0].Subject.Should().Be("CN=device-1, O=Example");
    }

    private static X509Certificate2 IssueWithYourCa(Pkcs10Request csr)
    {
        var request = new CertificateRequest(csr.Subject, csr.PublicKey, HashAlgorithmName.SHA256);
        return request.Create(TestPki.Ca.Certificate.SubjectName, X509SignatureGenerator.CreateForRSA(TestPki.Ca.Rsa, RSASignaturePadding.Pkcs1),
            TestPki.NotBefore, TestPki.NotBefore.AddDays(365), TestPki.NextSerial());
    }
}
