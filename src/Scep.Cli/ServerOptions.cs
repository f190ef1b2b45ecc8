using System;
using System.CommandLine;
using System.Linq;
using System.Net.Http;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;
using Scep.Protocol;
using Scep.Protocol.Client;

namespace Scep.Cli;

/// <summary>The URL argument and the options every command that talks to a server shares.</summary>
internal sealed class ServerOptions
{
    public Argument<string> Url { get; } = new("URL") { Description = "The SCEP URL, such as http://ca.example/scep or http://ca.example/cgi-bin/pkiclient.exe" };

    public Option<string?> CaFingerprint { get; } = new("--ca-fingerprint") { HelpName = "SHA256", Description = "SHA-256 (or SHA-1) fingerprint of a GetCACert certificate, obtained out of band; a server without it is refused (exit 5)" };

    public Option<string?> CaIdent { get; } = new("--ca-ident") { HelpName = "NAME", Description = "CA identifier sent as the 'message' of GetCACaps, GetCACert and GetNextCACert (servers with several CAs)" };

    public Option<bool> Legacy { get; } = new("--legacy") { Description = "Also use and accept single DES and MD5, which RFC 8894 forbids (micromdm's scepserver encrypts every reply with DES)" };

    public Option<string?> Method { get; } = new("--method") { HelpName = "get|post", Description = "PKIOperation over 'get' or 'post'; by default POST when the server advertises POSTPKIOperation or SCEPStandard" };

    public Option<string?> Encryption { get; } = new("--encryption") { HelpName = "ALGORITHM", Description = "Content encryption of requests: aes128, aes192, aes256, 3des, des; by default from the capabilities" };

    public Option<string?> Digest { get; } = new("--digest") { HelpName = "DIGEST", Description = "Digest of requests: sha1, sha256, sha384, sha512, md5; by default from the capabilities" };

    public Option<string> Timeout { get; } = new("--timeout") { HelpName = "DURATION", Description = "Time-out of each HTTP exchange (90s, 2m, ...)", DefaultValueFactory = _ => "30s" };

    public Option<bool> Verbose { get; } = new("--verbose", "-v") { Description = "Print each HTTP exchange to standard error" };

    public Option<string?> Dump { get; } = new("--dump") { HelpName = "DIR", Description = "Save each request and reply pkiMessage (DER) in this directory, for 'scep decode'" };

    private int _dumped;

    public void AddTo(Command command, bool pkiOperation)
    {
        command.Arguments.Add(Url);
        command.Options.Add(CaIdent);
        command.Options.Add(Timeout);
        command.Options.Add(Verbose);
        if (pkiOperation)
        {
            command.Options.Add(CaFingerprint);
            command.Options.Add(Legacy);
            command.Options.Add(Method);
            command.Options.Add(Encryption);
            command.Options.Add(Digest);
            command.Options.Add(Dump);
        }
    }

    /// <summary>--dump: writes NN-Type-request.der and NN-Type-reply.der.</summary>
    public void DumpExchange(ParseResult result, CliEnvironment environment, PkiMessage request, PkiMessage reply)
    {
        if (result.GetValue(Dump) is not { } directory)
        {
            return;
        }

        _dumped++;
        var prefix = System.IO.Path.Combine(directory, $"{_dumped:00}-{request.MessageType}");
        Files.WriteBytes(prefix + "-request.der", request.Encode());
        Files.WriteBytes(prefix + "-reply.der", reply.Encode());
        environment.Out.WriteLine($"saved        {prefix}-request.der {prefix}-reply.der");
    }

    public Uri GetUrl(ParseResult result)
    {
        var text = result.GetValue(Url)!;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new CliUsageException($"'{text}' is not an http or https URL.");
        }

        return uri;
    }

    public ScepClientOptions ClientOptions(ParseResult result, CliEnvironment environment, PollingOptions? polling = null)
    {
        var legacy = result.GetValue(Legacy);
        var policy = legacy ? ScepAlgorithmPolicy.Legacy : ScepAlgorithmPolicy.Default;
        var encryption = ParseEncryption(result.GetValue(Encryption));
        var digest = ParseDigest(result.GetValue(Digest));
        if ((encryption == ContentEncryptionAlgorithm.DesCbc || digest == HashAlgorithmName.MD5) && !legacy)
        {
            throw new CliUsageException("DES and MD5 need --legacy (RFC 8894 §7.5: downgrade targets).");
        }

        var method = result.GetValue(Method)?.ToLowerInvariant() switch
        {
            null or "auto" => PkiOperationMethod.Auto,
            "get" => PkiOperationMethod.Get,
            "post" => PkiOperationMethod.Post,
            var other => throw new CliUsageException($"--method: '{other}' is not get, post or auto."),
        };
        return new ScepClientOptions
        {
            AlgorithmPolicy = policy,
            PkiOperationMethod = method,
            ContentEncryption = encryption,
            DigestAlgorithm = digest,
            CaIdentifier = result.GetValue(CaIdent),
            TimeProvider = environment.Time,
            Polling = polling ?? PollingOptions.Default,
        };
    }

    public static ContentEncryptionAlgorithm? ParseEncryption(string? text) => text?.ToLowerInvariant() switch
    {
        null => null,
        "aes" or "aes128" or "aes-128" or "aes-128-cbc" => ContentEncryptionAlgorithm.Aes128Cbc,
        "aes192" or "aes-192" or "aes-192-cbc" => ContentEncryptionAlgorithm.Aes192Cbc,
        "aes256" or "aes-256" or "aes-256-cbc" => ContentEncryptionAlgorithm.Aes256Cbc,
        "3des" or "des3" or "des-ede3-cbc" => ContentEncryptionAlgorithm.TripleDesCbc,
        "des" or "des-cbc" => ContentEncryptionAlgorithm.DesCbc,
        var other => throw new CliUsageException($"--encryption: '{other}' is not aes128, aes192, aes256, 3des or des."),
    };

    public static HashAlgorithmName? ParseDigest(string? text) => text?.ToLowerInvariant().Replace("-", string.Empty, StringComparison.Ordinal) switch
    {
        null => null,
        "sha1" => HashAlgorithmName.SHA1,
        "sha256" => HashAlgorithmName.SHA256,
        "sha384" => HashAlgorithmName.SHA384,
        "sha512" => HashAlgorithmName.SHA512,
        "md5" => HashAlgorithmName.MD5,
        var other => throw new CliUsageException($"--digest: '{other}' is not sha1, sha256, sha384, sha512 or md5."),
    };

    public HttpClient CreateHttpClient(ParseResult result, CliEnvironment environment)
    {
        var timeout = Format.ParseDuration(result.GetValue(Timeout)!, "--timeout");
        if (timeout <= TimeSpan.Zero)
        {
            throw new CliUsageException("--timeout must be positive.");
        }

        HttpMessageHandler handler = environment.HandlerFactory?.Invoke() ?? new SocketsHttpHandler { AllowAutoRedirect = false };
        if (result.GetValue(Verbose))
        {
            handler = new LoggingHandler(environment.Error) { InnerHandler = handler };
        }

        return new HttpClient(handler) { Timeout = timeout };
    }

    /// <summary>GetCACaps and GetCACert, with the pinned fingerprint checked, and the two lines that describe the server.</summary>
    public async Task<ScepServerInfo> ConnectAsync(ScepClient client, ParseResult result, CliEnvironment environment, CancellationToken cancellationToken)
    {
        var server = await client.GetServerInfoAsync(cancellationToken).ConfigureAwait(false);
        CheckPin(server.CaCertificates, result.GetValue(CaFingerprint));
        var ca = server.CaCertificates.IssuerCertificate;
        environment.Out.WriteLine($"capabilities {Format.Capabilities(server.Capabilities)}");
        environment.Out.WriteLine($"CA           {ca.Subject} (SHA-256 {Format.Fingerprint(ca, HashAlgorithmName.SHA256)})");
        if (server.CaCertificates.HasRegistrationAuthority)
        {
            environment.Out.WriteLine($"RA           encrypt to {server.CaCertificates.EncryptionCertificate.Subject}; replies signed by {server.CaCertificates.SigningCertificate.Subject}");
        }

        return server;
    }

    public static void CheckPin(CaCertificates certificates, string? fingerprint)
    {
        if (string.IsNullOrWhiteSpace(fingerprint))
        {
            return;
        }

        var wanted = new string(fingerprint.Where(Uri.IsHexDigit).ToArray()).ToUpperInvariant();
        var hash = wanted.Length switch
        {
            64 => HashAlgorithmName.SHA256,
            40 => HashAlgorithmName.SHA1,
            _ => throw new CliUsageException("--ca-fingerprint must be a SHA-256 (64 hex digits) or SHA-1 (40 hex digits) fingerprint."),
        };
        if (!certificates.Certificates.Any(c => Convert.ToHexString(c.GetCertHash(hash)) == wanted))
        {
            throw new CliTrustException($"no GetCACert certificate has the fingerprint {fingerprint}; the server is not the pinned CA.");
        }
    }
}
