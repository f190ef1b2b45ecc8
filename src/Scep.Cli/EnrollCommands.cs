using System;
using System.Collections.Generic;
using System.CommandLine;
using System.IO;
using System.Linq;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using Scep.Protocol;
using Scep.Protocol.Client;

namespace Scep.Cli;

/// <summary><c>scep enroll</c>, <c>scep renew</c>, <c>scep poll</c>.</summary>
internal static class EnrollCommands
{
    private const string TransactionFile = "transaction.txt";

    public static Command Enroll(CliEnvironment environment)
    {
        var server = new ServerOptions();
        var names = new NameOptions();
        var keyFile = new Option<string?>("--key") { HelpName = "FILE", Description = "Certify this existing private key (PEM or DER, RSA or EC) instead of making a new one" };
        var keyType = new Option<string>("--key-type") { HelpName = "TYPE", Description = "Type of the new key: rsa2048, rsa3072, rsa4096, p256, p384 (EC keys use a separate RSA key to sign the request and decrypt the reply)", DefaultValueFactory = _ => "rsa2048" };
        var output = new Option<string>("--out", "-o") { HelpName = "DIR", Description = "Directory for key.pem, csr.pem, cert.pem, chain.pem (and the pending transaction)", DefaultValueFactory = _ => "." };
        var wait = new WaitOptions();
        var command = new Command("enroll", "Enroll: PKCSReq with a new or given key, signed by a self-signed certificate made for the request.") { keyFile, keyType, output };
        server.AddTo(command, pkiOperation: true);
        names.AddTo(command);
        wait.AddTo(command);
        command.SetAction((result, token) => ScepCommandLine.GuardAsync(environment, async () =>
        {
            var directory = result.GetValue(output)!;
            var subject = names.Subject(result, fallback: null);
            var polling = wait.Polling(result);
            var (key, keyPath) = LoadOrCreateKey(environment, result.GetValue(keyFile), result.GetValue(keyType)!, directory);
            var csr = names.Request(result, subject, key, copyFrom: null);
            var csrPath = Path.Combine(directory, "csr.pem");
            Files.WriteText(csrPath, Files.Pem("CERTIFICATE REQUEST", csr.RawData.Span));

            using var http = server.CreateHttpClient(result, environment);
            var client = new ScepClient(http, server.GetUrl(result), server.ClientOptions(result, environment, polling));
            var info = await server.ConnectAsync(client, result, environment, token).ConfigureAwait(false);
            var (signer, signerKeyPath) = CreateSigner(environment, key, keyPath, subject, directory);
            var enrollment = await client.EnrollWithSignerAsync(info, csr, signer, token).ConfigureAwait(false);
            var state = new SavedTransaction(directory, csrPath, signerKeyPath);
            return await FinishAsync(environment, client, info, enrollment, state, polling, (q, r) => server.DumpExchange(result, environment, q, r), token).ConfigureAwait(false);
        }, token));
        return command;
    }

    public static Command Renew(CliEnvironment environment)
    {
        var server = new ServerOptions();
        var names = new NameOptions();
        var certificate = new Option<string>("--cert") { HelpName = "FILE", Description = "The certificate to renew (PEM or DER)", Required = true };
        var key = new Option<string>("--key") { HelpName = "FILE", Description = "Its RSA private key: it signs the request and decrypts the reply", Required = true };
        var newKey = new Option<string?>("--new-key") { HelpName = "FILE", Description = "Certify this existing key instead of making a new one" };
        var newKeyType = new Option<string>("--new-key-type") { HelpName = "TYPE", Description = "Type of the new key: rsa2048, rsa3072, rsa4096, p256, p384", DefaultValueFactory = _ => "rsa2048" };
        var reuseKey = new Option<bool>("--reuse-key") { Description = "Certify the old key again (RFC 8894 §2.5: a MAY; many servers refuse)" };
        var pkcsReq = new Option<bool>("--pkcsreq") { Description = "Send a PKCSReq signed with the old certificate (draft-era renewal, as macOS does) instead of a RenewalReq" };
        var output = new Option<string>("--out", "-o") { HelpName = "DIR", Description = "Directory for the new key.pem, csr.pem, cert.pem, chain.pem", DefaultValueFactory = _ => "." };
        var wait = new WaitOptions();
        var command = new Command("renew", "Renew: RenewalReq for a new key, signed with the existing certificate and its key.") { certificate, key, newKey, newKeyType, reuseKey, pkcsReq, output };
        server.AddTo(command, pkiOperation: true);
        names.AddTo(command);
        wait.AddTo(command);
        command.SetAction((result, token) => ScepCommandLine.GuardAsync(environment, async () =>
        {
            var directory = result.GetValue(output)!;
            var oldCertificate = Files.ReadCertificate(result.GetValue(certificate)!);
            var oldKeyPath = result.GetValue(key)!;
            var current = ScepSigner.Create(oldCertificate, Files.ReadRsaKey(oldKeyPath, "renewal"));
            var polling = wait.Polling(result);
            var subject = names.Subject(result, fallback: oldCertificate.SubjectName);
            AsymmetricAlgorithm requestKey;
            if (result.GetValue(reuseKey))
            {
                requestKey = current.Key;
            }
            else
            {
                (requestKey, _) = LoadOrCreateKey(environment, result.GetValue(newKey), result.GetValue(newKeyType)!, directory);
            }

            var csr = names.Request(result, subject, requestKey, copyFrom: oldCertificate);
            var csrPath = Path.Combine(directory, "csr.pem");
            Files.WriteText(csrPath, Files.Pem("CERTIFICATE REQUEST", csr.RawData.Span));

            using var http = server.CreateHttpClient(result, environment);
            var client = new ScepClient(http, server.GetUrl(result), server.ClientOptions(result, environment, polling));
            var info = await server.ConnectAsync(client, result, environment, token).ConfigureAwait(false);
            if (!info.Capabilities.Supports(CaCapability.Renewal))
            {
                environment.Out.WriteLine("note         the server does not advertise Renewal; sending anyway");
            }

            var signerCertificatePath = Path.Combine(directory, "signer.pem");
            Files.WriteText(signerCertificatePath, Files.CertificatesPem([oldCertificate]));
            var enrollment = result.GetValue(pkcsReq)
                ? await client.EnrollWithSignerAsync(info, csr, current, token).ConfigureAwait(false)
                : await client.RenewAsync(info, csr, current, token).ConfigureAwait(false);
            var state = new SavedTransaction(directory, csrPath, Path.GetFullPath(oldKeyPath));
            return await FinishAsync(environment, client, info, enrollment, state, polling, (q, r) => server.DumpExchange(result, environment, q, r), token).ConfigureAwait(false);
        }, token));
        return command;
    }

    public static Command Poll(CliEnvironment environment)
    {
        var server = new ServerOptions();
        var directory = new Option<string>("--dir", "-d") { HelpName = "DIR", Description = "The directory 'scep enroll' or 'scep renew' left the pending transaction in", DefaultValueFactory = _ => "." };
        var wait = new WaitOptions();
        var command = new Command("poll", "Poll: CertPoll (GetCertInitial) for a pending request, once or until issued.") { directory };
        server.AddTo(command, pkiOperation: true);
        wait.AddTo(command);
        command.SetAction((result, token) => ScepCommandLine.GuardAsync(environment, async () =>
        {
            var state = SavedTransaction.Load(result.GetValue(directory)!);
            var polling = wait.Polling(result);
            using var http = server.CreateHttpClient(result, environment);
            var client = new ScepClient(http, server.GetUrl(result), server.ClientOptions(result, environment, polling));
            var info = await server.ConnectAsync(client, result, environment, token).ConfigureAwait(false);
            environment.Out.WriteLine($"transaction  {state.Transaction!.TransactionId} ({Format.Name(state.Transaction.MessageType)} for {state.Transaction.Subject.Name})");
            var first = await client.PollOnceAsync(info, state.Transaction, token).ConfigureAwait(false);
            return await FinishAsync(environment, client, info, first, state, polling, (q, r) => server.DumpExchange(result, environment, q, r), token).ConfigureAwait(false);
        }, token));
        return command;
    }

    private static async Task<int> FinishAsync(CliEnvironment environment, ScepClient client, ScepServerInfo server, EnrollmentResult result, SavedTransaction state, PollingOptions? polling, Action<PkiMessage, PkiMessage> dump, CancellationToken cancellationToken)
    {
        var output = environment.Out;
        ScepCommandLine.PrintRequest(environment, client, server, result.Request);
        ScepCommandLine.PrintReply(environment, result.Reply);
        dump(result.Request, result.Reply);
        if (result.Status == EnrollmentStatus.Pending && polling is not null)
        {
            var progress = new PollProgressLine(environment);
            result = await client.PollAsync(server, result.Transaction, polling, progress, cancellationToken).ConfigureAwait(false);
            progress.Finish();
            ScepCommandLine.PrintRequest(environment, client, server, result.Request);
            ScepCommandLine.PrintReply(environment, result.Reply);
            dump(result.Request, result.Reply);
        }

        switch (result.Status)
        {
            case EnrollmentStatus.Issued:
                var certificatePath = Path.Combine(state.Directory, "cert.pem");
                var chainPath = Path.Combine(state.Directory, "chain.pem");
                Files.WriteText(certificatePath, Files.CertificatesPem([result.Certificate!]));
                Files.WriteText(chainPath, Files.CertificatesPem([result.Certificate!, .. result.AdditionalCertificates]));
                output.WriteLine("issued");
                foreach (var line in Format.Certificate(result.Certificate!, "  "))
                {
                    output.WriteLine(line);
                }

                output.WriteLine($"wrote        {certificatePath} {chainPath}");
                state.Delete();
                return ExitCodes.Success;
            case EnrollmentStatus.Failed:
                state.Delete();
                return ExitCodes.Refused;
            default:
                state.Save(result.Transaction);
                output.WriteLine($"pending      saved in {Path.Combine(state.Directory, TransactionFile)}; run: scep poll {client.Endpoint} --dir {state.Directory} [--wait 1h]");
                return ExitCodes.Pending;
        }
    }

    private static (AsymmetricAlgorithm Key, string Path) LoadOrCreateKey(CliEnvironment environment, string? keyFile, string keyType, string directory)
    {
        if (keyFile is not null)
        {
            return (Files.ReadPrivateKey(keyFile), Path.GetFullPath(keyFile));
        }

        var path = Path.Combine(directory, "key.pem");
        if (File.Exists(path))
        {
            throw new CliUsageException($"{path} exists; pass --key {path} to certify it, or choose another --out directory.");
        }

        AsymmetricAlgorithm key = keyType.ToLowerInvariant() switch
        {
            "rsa2048" or "rsa" => RSA.Create(2048),
            "rsa3072" => RSA.Create(3072),
            "rsa4096" => RSA.Create(4096),
            "p256" or "ec" => ECDsa.Create(ECCurve.NamedCurves.nistP256),
            "p384" => ECDsa.Create(ECCurve.NamedCurves.nistP384),
            var other => throw new CliUsageException($"--key-type: '{other}' is not rsa2048, rsa3072, rsa4096, p256 or p384."),
        };
        Files.WriteText(path, Files.PrivateKeyPem(key), secret: true);
        environment.Out.WriteLine($"key          new {Format.KeyDescription(PublicKeyOf(key))} key in {path}");
        return (key, Path.GetFullPath(path));
    }

    private static PublicKey PublicKeyOf(AsymmetricAlgorithm key) => PublicKey.CreateFromSubjectPublicKeyInfo(key.ExportSubjectPublicKeyInfo(), out _);

    /// <summary>
    /// RSA keys sign their own request (RFC 8894 §2.3). An EC key cannot decrypt the reply, and this client does
    /// not do RFC 8894 §3.1's PasswordRecipientInfo, so a separate RSA key signs the request and receives the reply.
    /// </summary>
    private static (ScepSigner Signer, string KeyPath) CreateSigner(CliEnvironment environment, AsymmetricAlgorithm key, string keyPath, X500DistinguishedName subject, string directory)
    {
        var now = environment.Time.GetUtcNow();
        if (key is RSA rsa)
        {
            var signer = ScepSigner.CreateSelfSigned(rsa, subject, now);
            Files.WriteText(Path.Combine(directory, "signer.pem"), Files.CertificatesPem([signer.Certificate]));
            return (signer, keyPath);
        }

        var transport = RSA.Create(2048);
        var transportPath = Path.Combine(directory, "signer-key.pem");
        Files.WriteText(transportPath, Files.PrivateKeyPem(transport), secret: true);
        var transportSigner = ScepSigner.CreateSelfSigned(transport, subject, now);
        Files.WriteText(Path.Combine(directory, "signer.pem"), Files.CertificatesPem([transportSigner.Certificate]));
        environment.Error.WriteLine("note: the request's key is EC, which cannot decrypt SCEP replies; a separate RSA key (signer-key.pem) signs the");
        environment.Error.WriteLine("      request and receives the reply. Servers that require the signer's key to be the requested key refuse this.");
        return (transportSigner, Path.GetFullPath(transportPath));
    }

    /// <summary>--cn / --subject, --challenge, --dns, --ip.</summary>
    private sealed class NameOptions
    {
        private readonly Option<string?> _commonName = new("--cn") { HelpName = "NAME", Description = "Common name: the subject becomes CN=<value>" };
        private readonly Option<string?> _subject = new("--subject") { HelpName = "DN", Description = "The full subject, such as \"CN=host1,O=Example\" (instead of --cn)" };
        private readonly Option<string?> _challenge = new("--challenge") { HelpName = "PASSWORD", Description = "The challengePassword the CA gave you (sent only inside the encrypted envelope)" };
        private readonly Option<string[]> _dns = new("--dns") { HelpName = "NAME", Description = "A DNS name for subjectAltName (repeat for several)" };
        private readonly Option<string[]> _ip = new("--ip") { HelpName = "ADDRESS", Description = "An IP address for subjectAltName (repeat for several)" };

        public void AddTo(Command command)
        {
            command.Options.Add(_commonName);
            command.Options.Add(_subject);
            command.Options.Add(_challenge);
            command.Options.Add(_dns);
            command.Options.Add(_ip);
        }

        public X500DistinguishedName Subject(ParseResult result, X500DistinguishedName? fallback)
        {
            var commonName = result.GetValue(_commonName);
            var subject = result.GetValue(_subject);
            if (commonName is not null && subject is not null)
            {
                throw new CliUsageException("give --cn or --subject, not both.");
            }

            try
            {
                if (subject is not null)
                {
                    return new X500DistinguishedName(subject);
                }

                if (commonName is not null)
                {
                    var builder = new X500DistinguishedNameBuilder();
                    builder.AddCommonName(commonName);
                    return builder.Build();
                }
            }
            catch (CryptographicException e)
            {
                throw new CliUsageException($"'{subject ?? commonName}' is not a distinguished name: {e.Message}", e);
            }

            return fallback ?? throw new CliUsageException("give the subject with --cn NAME or --subject DN.");
        }

        public Pkcs10Request Request(ParseResult result, X500DistinguishedName subject, AsymmetricAlgorithm key, X509Certificate2? copyFrom)
        {
            var builder = new Pkcs10RequestBuilder(subject) { ChallengePassword = result.GetValue(_challenge) };
            var dns = result.GetValue(_dns) ?? [];
            var ip = result.GetValue(_ip) ?? [];
            if (dns.Length > 0 || ip.Length > 0)
            {
                var san = new SubjectAlternativeNameBuilder();
                foreach (var name in dns)
                {
                    san.AddDnsName(name);
                }

                foreach (var address in ip)
                {
                    san.AddIpAddress(IPAddress.TryParse(address, out var parsed) ? parsed : throw new CliUsageException($"--ip: '{address}' is not an IP address."));
                }

                builder.Extensions.Add(san.Build());
            }
            else if (copyFrom?.Extensions.OfType<X509SubjectAlternativeNameExtension>().FirstOrDefault() is { } existing)
            {
                builder.Extensions.Add(existing);
            }

            return builder.Build(key, HashAlgorithmName.SHA256);
        }
    }

    /// <summary>--wait and --poll-interval.</summary>
    private sealed class WaitOptions
    {
        private readonly Option<string?> _wait = new("--wait") { HelpName = "DURATION", Description = "While the request is pending, keep polling for this long (30s, 10m, 2h); without it, save the transaction and exit 3" };
        private readonly Option<string> _interval = new("--poll-interval") { HelpName = "DURATION", Description = "First wait between polls; it doubles up to 10 minutes", DefaultValueFactory = _ => "10s" };

        public void AddTo(Command command)
        {
            command.Options.Add(_wait);
            command.Options.Add(_interval);
        }

        public PollingOptions? Polling(ParseResult result)
        {
            if (result.GetValue(_wait) is not { } wait)
            {
                return null;
            }

            var timeout = Format.ParseDuration(wait, "--wait");
            var interval = Format.ParseDuration(result.GetValue(_interval)!, "--poll-interval");
            if (timeout <= TimeSpan.Zero)
            {
                throw new CliUsageException("--wait must be positive.");
            }

            return new PollingOptions
            {
                InitialInterval = interval,
                MaxInterval = interval > TimeSpan.FromMinutes(10) ? interval : TimeSpan.FromMinutes(10),
                Timeout = timeout,
                MaxAttempts = 10_000,
            };
        }
    }

    /// <summary>The files of a pending transaction, so that 'scep poll' can pick it up in another process.</summary>
    private sealed class SavedTransaction(string directory, string csrPath, string signerKeyPath)
    {
        public string Directory { get; } = directory;

        public EnrollmentTransaction? Transaction { get; private init; }

        public static SavedTransaction Load(string directory)
        {
            var path = Path.Combine(directory, TransactionFile);
            if (!File.Exists(path))
            {
                throw new CliUsageException($"{path} does not exist: no pending transaction in {directory}.");
            }

            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var line in File.ReadAllLines(path))
            {
                var equals = line.IndexOf('=', StringComparison.Ordinal);
                if (!line.StartsWith('#') && equals > 0)
                {
                    values[line[..equals].Trim()] = line[(equals + 1)..].Trim();
                }
            }

            string Get(string name) => values.TryGetValue(name, out var value) ? value : throw new CliUsageException($"{path} has no '{name}' line.");
            var csrText = File.ReadAllText(Get("csr"));
            var csr = Pkcs10Request.Decode(Files.PemBlocks(csrText, "CERTIFICATE REQUEST").FirstOrDefault() ?? throw new CliUsageException($"{Get("csr")} holds no CERTIFICATE REQUEST."));
            var signer = ScepSigner.Create(Files.ReadCertificate(Get("signer")), Files.ReadRsaKey(Get("signerKey"), "polling"));
            var type = Enum.TryParse<MessageType>(Get("messageType"), out var parsed) ? parsed : throw new CliUsageException($"{path}: unknown messageType.");
            var transaction = EnrollmentTransaction.Create(Get("transactionId"), type, new X500DistinguishedName(Get("subject")), csr.PublicKey, signer);
            return new SavedTransaction(directory, Get("csr"), Get("signerKey")) { Transaction = transaction };
        }

        public void Save(EnrollmentTransaction transaction)
        {
            var signerPath = Path.GetFullPath(Path.Combine(Directory, "signer.pem"));
            Files.WriteText(signerPath, Files.CertificatesPem([transaction.Signer.Certificate]));
            Files.WriteText(Path.Combine(Directory, TransactionFile), string.Join('\n',
                "# A pending SCEP transaction, for 'scep poll'.",
                $"transactionId={transaction.TransactionId}",
                $"messageType={transaction.MessageType}",
                $"subject={transaction.Subject.Name}",
                $"csr={Path.GetFullPath(csrPath)}",
                $"signer={signerPath}",
                $"signerKey={Path.GetFullPath(signerKeyPath)}") + "\n");
        }

        public void Delete() => File.Delete(Path.Combine(Directory, TransactionFile));
    }
}
