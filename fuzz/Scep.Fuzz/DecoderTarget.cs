using System;
using System.Linq;
using System.Text;
using Scep.Protocol;

namespace Scep.Fuzz;

/// <summary>
/// One fuzz input: the first byte picks a decoder, the rest is its input. Each decoder is driven as a server or
/// client would drive it (decode, then read every property, verify, decrypt with the golden CA key). The only
/// exception the codecs document is <see cref="ScepException"/>; anything else escapes and is a crash.
/// </summary>
internal sealed class DecoderTarget(FuzzPki pki)
{
    /// <summary>The decoders, by the input's first byte modulo their number.</summary>
    public enum Kind : byte
    {
        PkiMessage = 0,
        Envelope = 1,
        Pkcs10 = 2,
        CaCertificates = 3,
        CertificateSet = 4,
        IssuerAndSerial = 5,
        IssuerAndSubject = 6,
        NextCa = 7,
        Capabilities = 8,
        QueryMessage = 9,
    }

    private const int KindCount = 10;

    /// <summary>Whether a <see cref="ScepException"/> escapes too (to check that the seeds are valid inputs); false when fuzzing.</summary>
    public bool RethrowRejections { get; init; }

    public void Run(byte[] input)
    {
        if (input.Length == 0)
        {
            return;
        }

        var data = input.AsMemory(1);
        try
        {
            switch ((Kind)(input[0] % KindCount))
            {
                case Kind.PkiMessage:
                    PkiMessageFlow(data);
                    break;
                case Kind.Envelope:
                    var envelope = PkiEnvelope.Decode(data);
                    _ = envelope.Recipients.Select(r => (r.Type, r.KeyEncryptionAlgorithmOid, r.IssuerAndSerialNumber?.ToString(), r.Matches(pki.Ca))).ToList();
                    _ = envelope.FindRecipientCertificate([pki.Ca]);
                    _ = envelope.Decrypt(pki.Ca, pki.Key, ScepAlgorithmPolicy.Legacy);
                    break;
                case Kind.Pkcs10:
                    Pkcs10Flow(Pkcs10Request.Decode(data));
                    break;
                case Kind.CaCertificates:
                    var ca = CaCertificates.Decode(data);
                    _ = (ca.IssuerCertificate.Subject, ca.EncryptionCertificate.Subject, ca.SigningCertificate.Subject, ca.HasRegistrationAuthority, ca.ContentType);
                    break;
                case Kind.CertificateSet:
                    var set = DegenerateCertificateSet.Decode(data);
                    _ = (set.Certificates.Count, set.Crls.Count, set.FindByPublicKey(pki.Ca.PublicKey));
                    break;
                case Kind.IssuerAndSerial:
                    var id = IssuerAndSerialNumber.Decode(data);
                    _ = (id.ToString(), id.SerialNumberHex, id.Matches(pki.Ca), id.Encode());
                    break;
                case Kind.IssuerAndSubject:
                    var ias = IssuerAndSubject.Decode(data);
                    _ = (ias.ToString(), ias.Encode());
                    break;
                case Kind.NextCa:
                    var next = NextCaCertificates.Decode(data);
                    _ = (next.Next.IssuerCertificate.Subject, next.Encode());
                    _ = next.VerifySignature([pki.Ca], ScepAlgorithmPolicy.Legacy);
                    break;
                case Kind.Capabilities:
                    _ = CaCapabilities.Parse(Encoding.Latin1.GetString(data.Span)).ToString();
                    break;
                case Kind.QueryMessage:
                    var decoded = ScepBase64.DecodeQueryValue(Encoding.Latin1.GetString(data.Span), 64 * 1024);
                    if (PkiMessage.TryDecode(decoded, out var message, out _))
                    {
                        _ = message.ToString();
                    }

                    break;
            }
        }
        catch (ScepException) when (!RethrowRejections)
        {
            // The documented rejection.
        }
    }

    private void PkiMessageFlow(ReadOnlyMemory<byte> data)
    {
        var message = PkiMessage.Decode(data);
        _ = (message.ToString(), message.TransactionId, message.SigningTime, message.DigestAlgorithm, message.SignatureAlgorithmOid,
            message.SignerCertificate?.Subject, message.Certificates.Count, message.OtherSignedAttributes.Count, message.FailInfoText);
        try
        {
            _ = message.VerifySignature(ScepAlgorithmPolicy.Legacy, [pki.Ca]);
        }
        catch (ScepException) when (!RethrowRejections)
        {
        }

        message.EnsureSigningTimeWithin(DateTimeOffset.UnixEpoch, TimeSpan.FromDays(365 * 200));
        if (message.Content.IsEmpty)
        {
            return;
        }

        var content = message.Decrypt(pki.Ca, pki.Key, ScepAlgorithmPolicy.Legacy);
        if (content.CertificationRequest is { } csr)
        {
            Pkcs10Flow(csr);
            if (message.SignerCertificate is { } signer)
            {
                _ = RenewalDetection.Classify(message, csr, [pki.Ca]);
                _ = RenewalDetection.Classify(signer, csr.SubjectPublicKeyInfo.Span, [pki.Ca]);
            }
        }

        _ = content.IssuerAndSubject?.ToString();
        _ = content.IssuerAndSerialNumber?.ToString();
        _ = content.CertificateSet?.FindByPublicKey(pki.Ca.PublicKey);
    }

    private static void Pkcs10Flow(Pkcs10Request csr)
    {
        _ = (csr.Subject.Name, csr.CommonName, csr.ChallengePassword, csr.UnstructuredName, csr.UnstructuredAddress, csr.SignatureAlgorithmOid,
            csr.RequestedExtensions.Count, csr.PublicKey.Oid.Value);
        csr.VerifyProofOfPossession();
    }
}
