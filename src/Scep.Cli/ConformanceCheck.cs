using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Scep.Protocol;
using Scep.Protocol.Client;

namespace Scep.Cli;

/// <summary>The verdict of one conformance check.</summary>
internal enum Verdict
{
    Pass,
    Fail,
    Warn,
    NotSupported,
    Skipped,
}

/// <summary>One row of the <c>scep check</c> table.</summary>
internal sealed record CheckRow(string Check, Verdict Verdict, string Detail);

/// <summary>
/// <c>scep check</c>: drives a server through every operation, both transports, each content encryption and
/// digest, and the failure paths, and judges each answer against RFC 8894. Enrollments run one after another
/// (micromdm's scepserver issues duplicate serial numbers under concurrency). Every detail is free of values
/// that change from run to run, so the table of one server is stable.
/// </summary>
/// <remarks>
/// <paramref name="renewable"/> is a certificate of the server's (and its key) old enough to be renewed: servers may
/// refuse to renew before part of a certificate's validity has passed (this project and EJBCA: half), so the
/// certificate the check itself was just issued cannot show that renewal works there.
/// </remarks>
internal sealed class ConformanceCheck(HttpClient http, Uri endpoint, string? challenge, string? caIdentifier, string? fingerprint, TimeProvider time, ScepSigner? renewable = null)
{
    private static readonly ContentEncryptionAlgorithm[] Encryptions =
        [ContentEncryptionAlgorithm.Aes128Cbc, ContentEncryptionAlgorithm.Aes192Cbc, ContentEncryptionAlgorithm.Aes256Cbc, ContentEncryptionAlgorithm.TripleDesCbc, ContentEncryptionAlgorithm.DesCbc];

    private static readonly HashAlgorithmName[] Digests =
        [HashAlgorithmName.SHA1, HashAlgorithmName.SHA256, HashAlgorithmName.SHA384, HashAlgorithmName.SHA512, HashAlgorithmName.MD5];

    private readonly List<CheckRow> _rows = [];

    public IReadOnlyList<CheckRow> Rows => _rows;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var capabilities = await CheckCapabilitiesAsync(cancellationToken).ConfigureAwait(false);
        var certificates = await CheckCaCertificatesAsync(cancellationToken).ConfigureAwait(false);
        if (certificates is null)
        {
            Add("Everything else", Verdict.Skipped, "no usable CA certificate");
            return;
        }

        var server = ScepServerInfo.Create(capabilities, certificates);
        await CheckNextCaAsync(server, cancellationToken).ConfigureAwait(false);

        var post = await EnrollAsync(server, "scep-check-post", Options(PkiOperationMethod.Post), cancellationToken).ConfigureAwait(false);
        JudgeTransport("PKCSReq via POST", post, advertised: capabilities.UsePost);
        var get = await EnrollAsync(server, "scep-check-get", Options(PkiOperationMethod.Get), cancellationToken).ConfigureAwait(false);
        JudgeTransport("PKCSReq via GET", get, advertised: !capabilities.Supports(CaCapability.ScepStandard));

        foreach (var encryption in Encryptions)
        {
            var name = $"Request encryption {Format.Name(encryption)}";
            var attempt = await EnrollAsync(server, "scep-check-" + Format.Name(encryption).ToLowerInvariant(), Options(encryption: encryption), cancellationToken).ConfigureAwait(false);
            JudgeAlgorithm(name, attempt, Advertised(capabilities, encryption), forbidden: encryption == ContentEncryptionAlgorithm.DesCbc);
        }

        foreach (var digest in Digests)
        {
            var name = $"Request digest {Format.Name(digest)}";
            var attempt = await EnrollAsync(server, "scep-check-" + Format.Name(digest).ToLowerInvariant(), Options(digest: digest), cancellationToken).ConfigureAwait(false);
            JudgeAlgorithm(name, attempt, Advertised(capabilities, digest), forbidden: digest == HashAlgorithmName.MD5);
        }

        var issued = post.Result?.Status == EnrollmentStatus.Issued ? post : get;
        CheckReply(issued);
        await CheckWrongChallengeAsync(server, cancellationToken).ConfigureAwait(false);
        await CheckTamperedAsync(server, cancellationToken).ConfigureAwait(false);
        await CheckMalformedAsync(server, cancellationToken).ConfigureAwait(false);
        await CheckUnknownMessageTypeAsync(server, cancellationToken).ConfigureAwait(false);
        await CheckRenewalAsync(server, issued, cancellationToken).ConfigureAwait(false);
        await CheckCertPollAsync(server, cancellationToken).ConfigureAwait(false);
        await CheckGetCertAsync(server, issued, cancellationToken).ConfigureAwait(false);
        await CheckGetCrlAsync(server, issued, cancellationToken).ConfigureAwait(false);
    }

    public void Print(TextWriter output)
    {
        output.WriteLine($"SCEP conformance check of {endpoint}");
        output.WriteLine();
        const int CheckWidth = 42;
        const int VerdictWidth = 14;
        output.WriteLine($"{"Check",-CheckWidth} {"Result",-VerdictWidth} Detail");
        output.WriteLine($"{new string('-', CheckWidth)} {new string('-', VerdictWidth)} {new string('-', 40)}");
        foreach (var row in _rows)
        {
            output.WriteLine($"{row.Check,-CheckWidth} {Name(row.Verdict),-VerdictWidth} {row.Detail}".TrimEnd());
        }

        output.WriteLine();
        var counts = Enum.GetValues<Verdict>().Select(v => $"{_rows.Count(r => r.Verdict == v).ToString(CultureInfo.InvariantCulture)} {Name(v).ToLowerInvariant()}");
        output.WriteLine(string.Join(", ", counts));
    }

    public static string Name(Verdict verdict) => verdict switch
    {
        Verdict.Pass => "pass",
        Verdict.Fail => "FAIL",
        Verdict.Warn => "warn",
        Verdict.NotSupported => "not supported",
        _ => "skipped",
    };

    private void Add(string check, Verdict verdict, string detail) => _rows.Add(new CheckRow(check, verdict, detail));

    private ScepClientOptions Options(PkiOperationMethod method = PkiOperationMethod.Auto, ContentEncryptionAlgorithm? encryption = null, HashAlgorithmName? digest = null) => new()
    {
        AlgorithmPolicy = ScepAlgorithmPolicy.Legacy,
        PkiOperationMethod = method,
        ContentEncryption = encryption,
        DigestAlgorithm = digest,
        CaIdentifier = caIdentifier,
        TimeProvider = time,
    };

    private async Task<CaCapabilities> CheckCapabilitiesAsync(CancellationToken cancellationToken)
    {
        var (status, contentType, body) = await GetRawAsync(ScepOperation.GetCACaps, cancellationToken).ConfigureAwait(false);
        if (status is null)
        {
            Add("GetCACaps", Verdict.Fail, "no answer");
            return CaCapabilities.Empty;
        }

        if (status != HttpStatusCode.OK)
        {
            Add("GetCACaps", Verdict.Warn, $"HTTP {(int)status}: clients must then assume no capabilities (RFC 8894 §3.5.2)");
            return CaCapabilities.Empty;
        }

        var capabilities = CaCapabilities.Parse(Encoding.UTF8.GetString(body));
        if (capabilities.IsEmpty)
        {
            Add("GetCACaps", Verdict.Warn, "empty: clients fall back to 3DES and SHA-1");
            return capabilities;
        }

        Add("GetCACaps", Verdict.Pass, capabilities.ToString());
        if (!string.Equals(contentType, ScepContentTypes.Capabilities, StringComparison.OrdinalIgnoreCase))
        {
            Add("GetCACaps Content-Type", Verdict.Warn, $"'{contentType}' instead of text/plain");
        }

        if (capabilities.OtherKeywords.Count > 0)
        {
            Add("GetCACaps keywords", Verdict.Warn, "unknown: " + string.Join(' ', capabilities.OtherKeywords));
        }

        return capabilities;
    }

    private async Task<CaCertificates?> CheckCaCertificatesAsync(CancellationToken cancellationToken)
    {
        var (status, contentType, body) = await GetRawAsync(ScepOperation.GetCACert, cancellationToken).ConfigureAwait(false);
        if (status != HttpStatusCode.OK)
        {
            Add("GetCACert", Verdict.Fail, status is null ? "no answer" : $"HTTP {(int)status}");
            return null;
        }

        CaCertificates certificates;
        try
        {
            certificates = CaCertificates.Decode(body);
        }
        catch (ScepException e)
        {
            Add("GetCACert", Verdict.Fail, e.Message);
            return null;
        }

        try
        {
            ServerOptions.CheckPin(certificates, fingerprint);
        }
        catch (CliTrustException e)
        {
            Add("GetCACert", Verdict.Fail, e.Message);
            return null;
        }

        var count = certificates.Certificates.Count;
        var shape = certificates.HasRegistrationAuthority ? "CA and RA" : count == 1 ? "CA only" : "CA chain";
        Add("GetCACert", Verdict.Pass, $"{count} certificate{(count == 1 ? string.Empty : "s")} ({shape}), issuer {certificates.IssuerCertificate.Subject}");
        var expectedType = count == 1 ? ScepContentTypes.CaCertificate : ScepContentTypes.CaRaCertificates;
        Add("GetCACert Content-Type", string.Equals(contentType, expectedType, StringComparison.OrdinalIgnoreCase) ? Verdict.Pass : Verdict.Warn, contentType ?? "(none)");

        var encryption = certificates.EncryptionCertificate;
        if (encryption.GetRSAPublicKey() is null)
        {
            Add("Encryption certificate key", Verdict.Fail, $"{Format.KeyDescription(encryption.PublicKey)}: SCEP key transport needs RSA");
            return null;
        }

        Add("Encryption certificate keyUsage", UsageVerdict(encryption, X509KeyUsageFlags.KeyEncipherment), $"{encryption.Subject}: {Format.KeyUsage(encryption)}");
        var signing = certificates.SigningCertificate;
        Add("Signing certificate keyUsage", UsageVerdict(signing, X509KeyUsageFlags.DigitalSignature), $"{signing.Subject}: {Format.KeyUsage(signing)}");
        return certificates;
    }

    private static Verdict UsageVerdict(X509Certificate2 certificate, X509KeyUsageFlags needed)
    {
        var usage = certificate.Extensions.OfType<X509KeyUsageExtension>().FirstOrDefault()?.KeyUsages;
        return usage is null || (usage.Value & needed) != 0 ? Verdict.Pass : Verdict.Warn;
    }

    private async Task CheckNextCaAsync(ScepServerInfo server, CancellationToken cancellationToken)
    {
        var advertised = server.Capabilities.Supports(CaCapability.GetNextCACert);
        var client = new ScepClient(http, endpoint, Options());
        try
        {
            var next = await client.GetNextCaCertificatesAsync(server, cancellationToken).ConfigureAwait(false);
            Add("GetNextCACert", advertised ? Verdict.Pass : Verdict.Warn, $"next CA {next.IssuerCertificate.Subject}{(advertised ? string.Empty : " (not advertised)")}");
        }
        catch (ScepTransportException e)
        {
            Add("GetNextCACert", advertised ? Verdict.Fail : Verdict.NotSupported, $"{Describe(e)}{(advertised ? " although advertised" : ", not advertised")}");
        }
        catch (ScepException e)
        {
            Add("GetNextCACert", Verdict.Fail, e.Message);
        }
    }

    private sealed record Attempt(string Subject, RSA Key, EnrollmentResult? Result, Exception? Error);

    private Task<Attempt> EnrollAsync(ScepServerInfo server, string commonName, ScepClientOptions options, CancellationToken cancellationToken) =>
        EnrollAsync(server, commonName, options, challenge, cancellationToken);

    private async Task<Attempt> EnrollAsync(ScepServerInfo server, string commonName, ScepClientOptions options, string? challengePassword, CancellationToken cancellationToken)
    {
        var key = RSA.Create(2048);
        var subject = "CN=" + commonName;
        var csr = new Pkcs10RequestBuilder(new X500DistinguishedName(subject)) { ChallengePassword = challengePassword }.Build(key, HashAlgorithmName.SHA256);
        try
        {
            var client = new ScepClient(http, endpoint, options);
            var result = await client.EnrollAsync(server, csr, key, cancellationToken).ConfigureAwait(false);
            return new Attempt(subject, key, result, null);
        }
        catch (Exception e) when (e is ScepTransportException or ScepException)
        {
            return new Attempt(subject, key, null, e);
        }
    }

    private void JudgeTransport(string check, Attempt attempt, bool advertised)
    {
        switch (attempt)
        {
            case { Result.Status: EnrollmentStatus.Issued }:
                Add(check, Verdict.Pass, "issued " + attempt.Result.Certificate!.Subject);
                break;
            case { Result.Status: EnrollmentStatus.Pending }:
                Add(check, Verdict.Warn, "PENDING (manual approval?): the certificate checks below cannot run");
                break;
            case { Result.Status: EnrollmentStatus.Failed }:
                Add(check, Verdict.Fail, Describe(attempt.Result) + (challenge is null ? "; give --challenge?" : string.Empty));
                break;
            case { Error: ScepTransportException transport }:
                Add(check, advertised ? Verdict.Fail : Verdict.NotSupported, Describe(transport));
                break;
            default:
                Add(check, Verdict.Fail, "invalid reply: " + attempt.Error!.Message);
                break;
        }
    }

    private void JudgeAlgorithm(string check, Attempt attempt, bool advertised, bool forbidden)
    {
        var algorithms = attempt.Result is { } result ? ReplyAlgorithms(result.Reply) : string.Empty;
        switch (attempt)
        {
            case { Result.Status: EnrollmentStatus.Issued }:
                Add(check, forbidden ? Verdict.Warn : Verdict.Pass, forbidden ? $"accepted, though RFC 8894 forbids it; reply {algorithms}" : $"issued; reply {algorithms}");
                break;
            case { Result.Status: EnrollmentStatus.Pending }:
                Add(check, Verdict.Warn, "PENDING");
                break;
            case { Result.Status: EnrollmentStatus.Failed }:
                var refusal = Describe(attempt.Result);
                Add(check, forbidden ? Verdict.Pass : advertised ? Verdict.Fail : Verdict.NotSupported, forbidden ? "refused: " + refusal : refusal + (advertised ? " although advertised" : string.Empty));
                break;
            case { Error: ScepTransportException transport }:
                var detail = $"{Describe(transport)} instead of FAILURE badAlg";
                Add(check, forbidden ? Verdict.Pass : advertised ? Verdict.Fail : Verdict.NotSupported, forbidden ? "refused: " + detail : detail + (advertised ? " although advertised" : string.Empty));
                break;
            default:
                Add(check, Verdict.Fail, "invalid reply: " + attempt.Error!.Message);
                break;
        }
    }

    private static bool Advertised(CaCapabilities capabilities, ContentEncryptionAlgorithm encryption) => encryption switch
    {
        ContentEncryptionAlgorithm.Aes128Cbc => capabilities.Supports(CaCapability.Aes),
        ContentEncryptionAlgorithm.TripleDesCbc => capabilities.Supports(CaCapability.Des3),
        _ => false,
    };

    private static bool Advertised(CaCapabilities capabilities, HashAlgorithmName digest) =>
        (digest == HashAlgorithmName.SHA1 && capabilities.Supports(CaCapability.Sha1))
        || (digest == HashAlgorithmName.SHA256 && capabilities.Supports(CaCapability.Sha256))
        || (digest == HashAlgorithmName.SHA512 && capabilities.Supports(CaCapability.Sha512));

    private void CheckReply(Attempt attempt)
    {
        if (attempt.Result is not { Status: EnrollmentStatus.Issued } result)
        {
            Add("CertRep checks", Verdict.Skipped, "no certificate was issued");
            return;
        }

        var request = result.Request;
        var reply = result.Reply;
        Add("CertRep signed by a GetCACert certificate", Verdict.Pass, $"{reply.SignerCertificate?.Subject ?? "signer certificate left out"}");
        Add("CertRep transactionID and recipientNonce", Verdict.Pass, "echo the request's");
        if (reply.SenderNonce.IsEmpty)
        {
            Add("CertRep senderNonce", Verdict.Warn, "absent (MikroTik and others need it)");
        }
        else if (reply.SenderNonce.Span.SequenceEqual(request.SenderNonce.Span))
        {
            Add("CertRep senderNonce", Verdict.Warn, "repeats the request's senderNonce instead of a fresh one (RFC 8894 §3.2.1.5)");
        }
        else
        {
            Add("CertRep senderNonce", Verdict.Pass, $"fresh, {reply.SenderNonce.Length.ToString(CultureInfo.InvariantCulture)} bytes");
        }

        var requested = request.Envelope!.ContentEncryptionAlgorithm!.Value;
        var replied = reply.Envelope!.ContentEncryptionAlgorithm!.Value;
        if (replied == requested)
        {
            Add("CertRep content encryption", Verdict.Pass, $"{Format.Name(replied)}, as in the request");
        }
        else
        {
            Add("CertRep content encryption", replied == ContentEncryptionAlgorithm.DesCbc ? Verdict.Fail : Verdict.Warn,
                $"{Format.Name(replied)} in reply to {Format.Name(requested)}{(replied == ContentEncryptionAlgorithm.DesCbc ? "; RFC 8894 forbids DES, clients without a legacy switch cannot decrypt it" : string.Empty)}");
        }

        if (reply.DigestAlgorithm == request.DigestAlgorithm)
        {
            Add("CertRep digest", Verdict.Pass, $"{Format.Name(reply.DigestAlgorithm)}, as in the request");
        }
        else
        {
            Add("CertRep digest", reply.DigestAlgorithm == HashAlgorithmName.MD5 ? Verdict.Fail : Verdict.Warn,
                $"{Format.Name(reply.DigestAlgorithm)} in reply to {Format.Name(request.DigestAlgorithm)}");
        }

        Add("CertRep signingTime", reply.SigningTime is null ? Verdict.Warn : Verdict.Pass, reply.SigningTime is null ? "absent (optional)" : "present");
        var certificate = result.Certificate!;
        var subjectMatches = string.Equals(certificate.Subject, attempt.Subject, StringComparison.Ordinal);
        Add("Issued certificate subject", subjectMatches ? Verdict.Pass : Verdict.Warn, subjectMatches ? certificate.Subject : $"{certificate.Subject} for a request of {attempt.Subject}");
        var now = time.GetUtcNow();
        var valid = certificate.NotBefore.ToUniversalTime() <= now.UtcDateTime && now.UtcDateTime <= certificate.NotAfter.ToUniversalTime();
        Add("Issued certificate validity", valid ? Verdict.Pass : Verdict.Warn, valid ? $"valid now, for {Math.Round((certificate.NotAfter - certificate.NotBefore).TotalDays).ToString(CultureInfo.InvariantCulture)} days" : "not valid now");
        Add("Issued certificate chain", Verdict.Pass, "signed by the GetCACert CA, found by its public key");
    }

    private async Task CheckWrongChallengeAsync(ScepServerInfo server, CancellationToken cancellationToken)
    {
        const string Check = "Wrong challengePassword";
        if (challenge is null)
        {
            Add(Check, Verdict.Skipped, "give --challenge to check it");
            return;
        }

        var saved = await EnrollAsync(server, "scep-check-wrong-challenge", Options(), challenge + "-wrong", cancellationToken).ConfigureAwait(false);
        switch (saved)
        {
            case { Result.Status: EnrollmentStatus.Failed }:
                Add(Check, Verdict.Pass, "signed " + Describe(saved.Result));
                break;
            case { Result.Status: EnrollmentStatus.Issued }:
                Add(Check, Verdict.Fail, "a certificate was issued");
                break;
            case { Result.Status: EnrollmentStatus.Pending }:
                Add(Check, Verdict.Warn, "PENDING");
                break;
            case { Error: ScepTransportException transport }:
                Add(Check, Verdict.Fail, $"{Describe(transport)} instead of a signed FAILURE (devices show an unknown error)");
                break;
            default:
                Add(Check, Verdict.Fail, "invalid reply: " + saved.Error!.Message);
                break;
        }
    }

    /// <summary>A PKCSReq whose last signature byte is flipped: RFC 8894 wants a signed FAILURE badMessageCheck.</summary>
    private async Task CheckTamperedAsync(ScepServerInfo server, CancellationToken cancellationToken)
    {
        const string Check = "Request with a bad signature";
        var (request, _) = BuildPkcsReq(server, "CN=scep-check-tampered");
        var encoded = request.Encode();
        encoded[^1] ^= 0x01;
        var (status, _, body) = await SendRawAsync(server, encoded, cancellationToken).ConfigureAwait(false);
        if (status != HttpStatusCode.OK)
        {
            Add(Check, status is null ? Verdict.Fail : Verdict.Warn, status is null ? "no answer" : $"HTTP {(int)status} instead of a signed FAILURE badMessageCheck");
            return;
        }

        var reply = VerifyRaw(server, request, body, out var problem);
        if (reply is null)
        {
            Add(Check, Verdict.Fail, "invalid reply: " + problem);
            return;
        }

        Add(Check, reply.Status switch
        {
            PkiStatus.Failure when reply.FailInfo == FailInfo.BadMessageCheck => Verdict.Pass,
            PkiStatus.Failure => Verdict.Warn,
            _ => Verdict.Fail,
        }, $"signed {Format.Name(reply.Status!.Value)}{(reply.FailInfo is { } f ? " " + Format.Short(f) : string.Empty)}");
    }

    private async Task CheckMalformedAsync(ScepServerInfo server, CancellationToken cancellationToken)
    {
        var (status, _, _) = await SendRawAsync(server, Encoding.ASCII.GetBytes("this is not a pkiMessage"), cancellationToken).ConfigureAwait(false);
        Add("Malformed PKIOperation", status switch
        {
            HttpStatusCode.BadRequest => Verdict.Pass,
            null or HttpStatusCode.OK => Verdict.Fail,
            _ => Verdict.Warn,
        }, status is null ? "no answer" : $"HTTP {(int)status}{(status == HttpStatusCode.BadRequest ? string.Empty : " (400 expected)")}");

        var (unknown, _, _) = await GetRawAsync("NoSuchOperation", cancellationToken).ConfigureAwait(false);
        Add("Unknown operation", unknown switch
        {
            null or HttpStatusCode.OK => Verdict.Fail,
            var s when (int)s >= 400 && (int)s < 500 => Verdict.Pass,
            _ => Verdict.Warn,
        }, unknown is null ? "no answer" : $"HTTP {(int)unknown}{((int)unknown is >= 400 and < 500 ? string.Empty : " (4xx expected)")}");
    }

    private async Task CheckUnknownMessageTypeAsync(ScepServerInfo server, CancellationToken cancellationToken)
    {
        const string Check = "Unknown messageType 23";
        var (signer, _) = NewSigner("CN=scep-check-type-23");
        var request = PkiMessage.CreateRequest((MessageType)23, IssuerAndSerialNumber.FromCertificate(server.CaCertificates.IssuerCertificate).Encode(), Parameters(server, signer, ScepTransactionId.CreateRandom()));
        var (status, _, body) = await SendRawAsync(server, request.Encode(), cancellationToken).ConfigureAwait(false);
        if (status != HttpStatusCode.OK)
        {
            Add(Check, status is null ? Verdict.Fail : Verdict.Warn, status is null ? "no answer" : $"HTTP {(int)status} instead of a signed FAILURE badRequest");
            return;
        }

        var reply = VerifyRaw(server, request, body, out var problem);
        Add(Check, reply switch
        {
            null => Verdict.Fail,
            { Status: PkiStatus.Failure, FailInfo: FailInfo.BadRequest } => Verdict.Pass,
            { Status: PkiStatus.Failure } => Verdict.Warn,
            _ => Verdict.Fail,
        }, reply is null ? "invalid reply: " + problem : $"signed {Format.Name(reply.Status!.Value)}{(reply.FailInfo is { } f ? " " + Format.Short(f) : string.Empty)}");
    }

    private async Task CheckRenewalAsync(ScepServerInfo server, Attempt issued, CancellationToken cancellationToken)
    {
        const string Check = "RenewalReq";
        if (issued.Result is not { Status: EnrollmentStatus.Issued } result)
        {
            Add(Check, Verdict.Skipped, "no certificate to renew");
        }
        else
        {
            await CheckRenewalAsync(Check, server, ScepSigner.Create(result.Certificate!, issued.Key), cancellationToken).ConfigureAwait(false);
        }

        if (renewable is not null)
        {
            await CheckRenewalAsync("RenewalReq (--renew-cert)", server, renewable, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task CheckRenewalAsync(string check, ScepServerInfo server, ScepSigner current, CancellationToken cancellationToken)
    {
        // RFC 8894 §3.3.1: a renewal's challengePassword is optional and SHOULD be left out; try without it first.
        var advertised = server.Capabilities.Supports(CaCapability.Renewal);
        try
        {
            var renewal = await RenewAsync(server, current, challengePassword: null, cancellationToken).ConfigureAwait(false);
            if (renewal.Status == EnrollmentStatus.Failed && challenge is not null)
            {
                var withChallenge = await RenewAsync(server, current, challenge, cancellationToken).ConfigureAwait(false);
                if (withChallenge.Status == EnrollmentStatus.Issued)
                {
                    Add(check, Verdict.Warn, $"{Describe(renewal)} without a challengePassword, issued with one (RFC 8894: SHOULD be omitted)");
                    return;
                }
            }

            // When to renew is the server's policy (RFC 8894 §2.5 leaves it open; EJBCA and this project wait for half
            // the validity by default): a signed refusal before then is not a protocol fault. Its text often names
            // the date, which would make the table change from run to run, so it is left out.
            if (advertised && renewal is { Status: EnrollmentStatus.Failed, FailInfo: FailInfo.BadRequest } && InFirstHalfOfValidity(current.Certificate))
            {
                Add(check, Verdict.Warn, renewable is null
                    ? "refused by policy: signed FAILURE badRequest in the first half of the validity; --renew-cert checks an older certificate"
                    : "refused by policy: signed FAILURE badRequest in the first half of the validity");
                return;
            }

            Add(check, renewal.Status switch
            {
                EnrollmentStatus.Issued => advertised ? Verdict.Pass : Verdict.Warn,
                EnrollmentStatus.Pending => Verdict.Warn,
                _ => advertised ? Verdict.Fail : Verdict.NotSupported,
            }, renewal.Status == EnrollmentStatus.Issued ? $"issued for the new key{(advertised ? string.Empty : " (Renewal not advertised)")}" : Describe(renewal));
        }
        catch (ScepTransportException e)
        {
            Add(check, advertised ? Verdict.Fail : Verdict.NotSupported, Describe(e));
        }
        catch (ScepException e)
        {
            Add(check, Verdict.Fail, "invalid reply: " + e.Message);
        }
    }

    private bool InFirstHalfOfValidity(X509Certificate2 certificate)
    {
        var notBefore = new DateTimeOffset(certificate.NotBefore.ToUniversalTime());
        var notAfter = new DateTimeOffset(certificate.NotAfter.ToUniversalTime());
        return time.GetUtcNow() < notBefore + ((notAfter - notBefore) / 2);
    }

    private Task<EnrollmentResult> RenewAsync(ScepServerInfo server, ScepSigner current, string? challengePassword, CancellationToken cancellationToken)
    {
        var newKey = RSA.Create(2048);
        var csr = new Pkcs10RequestBuilder(current.Certificate.SubjectName) { ChallengePassword = challengePassword }.Build(newKey, HashAlgorithmName.SHA256);
        return new ScepClient(http, endpoint, Options()).RenewAsync(server, csr, current, cancellationToken);
    }

    private async Task CheckCertPollAsync(ScepServerInfo server, CancellationToken cancellationToken)
    {
        const string Check = "CertPoll for an unknown transaction";
        var (signer, key) = NewSigner("CN=scep-check-poll");
        var transaction = EnrollmentTransaction.Create(ScepTransactionId.CreateRandom(), MessageType.PKCSReq, signer.Certificate.SubjectName,
            PublicKey.CreateFromSubjectPublicKeyInfo(key.ExportSubjectPublicKeyInfo(), out _), signer);
        try
        {
            var client = new ScepClient(http, endpoint, Options());
            var poll = await client.PollOnceAsync(server, transaction, cancellationToken).ConfigureAwait(false);
            Add(Check, poll.Status == EnrollmentStatus.Failed ? Verdict.Pass : Verdict.Fail, poll.Status == EnrollmentStatus.Failed ? "signed " + Describe(poll) : $"{poll.Status} for a transaction that does not exist");
        }
        catch (ScepTransportException e)
        {
            Add(Check, Verdict.NotSupported, Describe(e));
        }
        catch (ScepException e)
        {
            Add(Check, Verdict.Fail, "invalid reply: " + e.Message);
        }
    }

    private async Task CheckGetCertAsync(ScepServerInfo server, Attempt issued, CancellationToken cancellationToken)
    {
        var client = new ScepClient(http, endpoint, Options());
        if (issued.Result is { Status: EnrollmentStatus.Issued } result)
        {
            var certificate = result.Certificate!;
            var supported = await QueryAsync("GetCert (issued certificate)", async () =>
            {
                var reply = await client.GetCertificateAsync(server, IssuerAndSerialNumber.FromCertificate(certificate), ScepSigner.Create(certificate, issued.Key), cancellationToken).ConfigureAwait(false);
                return reply.Status == PkiStatus.Success
                    ? (reply.Certificate!.RawDataMemory.Span.SequenceEqual(certificate.RawDataMemory.Span) ? Verdict.Pass : Verdict.Fail,
                        reply.Certificate.RawDataMemory.Span.SequenceEqual(certificate.RawDataMemory.Span) ? "returned the certificate" : "returned a different certificate")
                    : (Verdict.NotSupported, "signed " + Describe(reply.Reply));
            }).ConfigureAwait(false);
            if (!supported)
            {
                Add("GetCert (unknown serial)", Verdict.Skipped, "GetCert is not supported");
                return;
            }
        }
        else
        {
            Add("GetCert (issued certificate)", Verdict.Skipped, "no certificate was issued");
        }

        await QueryAsync("GetCert (unknown serial)", async () =>
        {
            var unknown = IssuerAndSerialNumber.Create(server.CaCertificates.IssuerCertificate.SubjectName, [0x7F, 0x5C, 0xE9, 0x00, 0x00, 0x01]);
            var reply = await client.GetCertificateAsync(server, unknown, null, cancellationToken).ConfigureAwait(false);
            return reply switch
            {
                { Status: PkiStatus.Failure, FailInfo: FailInfo.BadCertId } => (Verdict.Pass, "signed " + Describe(reply.Reply)),
                { Status: PkiStatus.Failure } => (Verdict.Warn, $"signed {Describe(reply.Reply)} (badCertId expected)"),
                _ => (Verdict.Fail, $"{Format.Name(reply.Status)} for a certificate that does not exist"),
            };
        }).ConfigureAwait(false);
    }

    /// <summary>GetCRL for the certificate the check was issued (RFC 8894 §3.3.5: the CRL of its issuer), else for the issuing CA's own CRL.</summary>
    private async Task CheckGetCrlAsync(ScepServerInfo server, Attempt issued, CancellationToken cancellationToken)
    {
        var client = new ScepClient(http, endpoint, Options());
        var asked = issued.Result is { Status: EnrollmentStatus.Issued, Certificate: { } certificate }
            ? IssuerAndSerialNumber.FromCertificate(certificate)
            : QueryCommands.IssuingCaCrl(server.CaCertificates.IssuerCertificate);
        await QueryAsync("GetCRL", async () =>
        {
            var reply = await client.GetCrlAsync(server, asked, null, cancellationToken).ConfigureAwait(false);
            return reply.Status == PkiStatus.Success
                ? (Verdict.Pass, $"CRL signed by {reply.CrlIssuer!.Subject}")
                : (Verdict.NotSupported, "signed " + Describe(reply.Reply));
        }).ConfigureAwait(false);
    }

    /// <summary>Runs an optional operation: an HTTP error means "not supported"; returns whether the server answered with a CertRep.</summary>
    private async Task<bool> QueryAsync(string check, Func<Task<(Verdict Verdict, string Detail)>> query)
    {
        try
        {
            var (verdict, detail) = await query().ConfigureAwait(false);
            Add(check, verdict, detail);
            return verdict != Verdict.NotSupported;
        }
        catch (ScepTransportException e)
        {
            Add(check, Verdict.NotSupported, Describe(e));
            return false;
        }
        catch (ScepException e)
        {
            Add(check, Verdict.Fail, "invalid reply: " + e.Message);
            return true;
        }
    }

    private (ScepSigner Signer, RSA Key) NewSigner(string subject)
    {
        var key = RSA.Create(2048);
        return (ScepSigner.CreateSelfSigned(key, new X500DistinguishedName(subject), time.GetUtcNow()), key);
    }

    private (PkiMessage Request, ScepSigner Signer) BuildPkcsReq(ScepServerInfo server, string subject)
    {
        var (signer, key) = NewSigner(subject);
        var csr = new Pkcs10RequestBuilder(new X500DistinguishedName(subject)) { ChallengePassword = challenge }.Build(key, HashAlgorithmName.SHA256);
        return (PkiMessage.CreatePkcsReq(csr, Parameters(server, signer, ScepTransactionId.CreateRandom())), signer);
    }

    private PkiRequestParameters Parameters(ScepServerInfo server, ScepSigner signer, string transactionId)
    {
        var client = new ScepClient(http, endpoint, Options());
        return new PkiRequestParameters
        {
            TransactionId = transactionId,
            SignerCertificate = signer.Certificate,
            SignerKey = signer.Key,
            RecipientCertificate = server.CaCertificates.EncryptionCertificate,
            ContentEncryption = client.SelectContentEncryption(server),
            DigestAlgorithm = client.SelectDigest(server),
            SigningTime = time.GetUtcNow(),
        };
    }

    /// <summary>The checks every reply gets (signed by a GetCACert certificate, addressed to the request), on a raw body.</summary>
    private static PkiMessage? VerifyRaw(ScepServerInfo server, PkiMessage request, byte[] body, out string problem)
    {
        try
        {
            var reply = PkiMessage.Decode(body);
            var signer = reply.VerifySignature(ScepAlgorithmPolicy.Legacy, server.CaCertificates.Certificates);
            if (!server.CaCertificates.Certificates.Any(c => c.RawDataMemory.Span.SequenceEqual(signer.RawDataMemory.Span)))
            {
                problem = "signed by a certificate that is not from GetCACert";
                return null;
            }

            reply.EnsureIsReplyTo(request);
            problem = string.Empty;
            return reply;
        }
        catch (ScepException e)
        {
            problem = e.Message;
            return null;
        }
    }

    private async Task<(HttpStatusCode? Status, string? ContentType, byte[] Body)> GetRawAsync(string operation, CancellationToken cancellationToken)
    {
        var uri = Query("operation=" + operation + (caIdentifier is null ? string.Empty : "&message=" + Uri.EscapeDataString(caIdentifier)));
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        return await SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    private async Task<(HttpStatusCode? Status, string? ContentType, byte[] Body)> SendRawAsync(ScepServerInfo server, byte[] message, CancellationToken cancellationToken)
    {
        if (server.Capabilities.UsePost)
        {
            using var content = new ByteArrayContent(message);
            content.Headers.ContentType = new MediaTypeHeaderValue(ScepContentTypes.PkiMessage);
            using var post = new HttpRequestMessage(HttpMethod.Post, Query("operation=PKIOperation")) { Content = content };
            return await SendAsync(post, cancellationToken).ConfigureAwait(false);
        }

        using var get = new HttpRequestMessage(HttpMethod.Get, Query("operation=PKIOperation&message=" + ScepBase64.EncodeForQuery(message)));
        return await SendAsync(get, cancellationToken).ConfigureAwait(false);
    }

    private Uri Query(string query)
    {
        var existing = endpoint.Query;
        return new Uri(endpoint.GetLeftPart(UriPartial.Path) + (existing.Length > 1 ? existing + "&" : "?") + query, UriKind.Absolute);
    }

    private async Task<(HttpStatusCode? Status, string? ContentType, byte[] Body)> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            return (response.StatusCode, response.Content.Headers.ContentType?.MediaType, body);
        }
        catch (HttpRequestException)
        {
            return (null, null, []);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (null, null, []);
        }
    }

    private static string ReplyAlgorithms(PkiMessage reply) =>
        reply.Envelope?.ContentEncryptionAlgorithm is { } encryption
            ? $"{Format.Name(encryption)}/{Format.Name(reply.DigestAlgorithm)}"
            : Format.Name(reply.DigestAlgorithm);

    private static string Describe(EnrollmentResult result) => Describe(result.Reply);

    private static string Describe(PkiMessage reply) =>
        reply.Status == PkiStatus.Failure
            ? $"FAILURE {Format.Short(reply.FailInfo!.Value)}{(reply.FailInfoText is { } text ? $" \"{Shorten(text)}\"" : string.Empty)}"
            : Format.Name(reply.Status!.Value);

    private static string Describe(ScepTransportException exception) =>
        exception.StatusCode is { } status ? $"HTTP {(int)status}" : "no answer (" + Shorten(exception.Message) + ")";

    private static string Shorten(string text)
    {
        var line = text.ReplaceLineEndings(" ").Trim();
        return line.Length > 60 ? line[..60] + "…" : line;
    }
}
