using System;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Scep.Protocol.Tests.Interop;

/// <summary>A real client's PKCSReq taken through the three codec steps: decode, verify, decrypt.</summary>
/// <param name="Message">The decoded pkiMessage.</param>
/// <param name="Signer">The certificate whose key verified the signature.</param>
/// <param name="Content">The decrypted messageData.</param>
/// <param name="Csr">The PKCS#10 request inside.</param>
internal sealed record RealClientRequest(PkiMessage Message, X509Certificate2 Signer, PkiMessageContent Content, Pkcs10Request Csr)
{
    /// <summary>
    /// Decodes, verifies and decrypts <paramref name="bytes"/> and checks what every initial enrollment must
    /// satisfy (RFC 8894 §2.3, §3.3.1): messageType 19, a fresh 16-byte senderNonce, a self-signed signer over
    /// the requested key, and a PKCS#10 whose signature verifies (proof of possession).
    /// </summary>
    public static RealClientRequest Open(ReadOnlyMemory<byte> bytes, X509Certificate2 caCertificate, RSA caKey, ScepAlgorithmPolicy policy)
    {
        var message = PkiMessage.Decode(bytes);
        message.MessageType.Should().Be(MessageType.PKCSReq);
        message.TransactionId.Should().NotBeNullOrEmpty();
        message.SenderNonce.Length.Should().Be(16);
        message.RecipientNonce.IsEmpty.Should().BeTrue("a request carries no recipientNonce");
        message.Envelope.Should().NotBeNull();
        message.Envelope!.FindRecipientCertificate([caCertificate]).Should().NotBeNull("the envelope is addressed to the CA certificate from GetCACert");

        var signer = message.VerifySignature(policy);
        signer.RawData.Should().Equal(message.SignerCertificate!.RawData);
        signer.SubjectName.RawData.Should().Equal(signer.IssuerName.RawData, "a PKCSReq is signed with a self-signed certificate");

        var content = message.Decrypt(caCertificate, caKey, policy);
        var csr = content.CertificationRequest;
        csr.Should().NotBeNull();
        FluentActions.Invoking(csr!.VerifyProofOfPossession).Should().NotThrow();
        csr.HasSamePublicKeyAs(signer).Should().BeTrue("the signer certificate is made over the key being certified");
        content.EncryptionAlgorithm.Should().Be(message.Envelope.ContentEncryptionAlgorithm!.Value);
        return new RealClientRequest(message, signer, content, csr);
    }
}
