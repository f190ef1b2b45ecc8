using System.Collections.Generic;
using System.CommandLine;
using System.IO;
using System.Linq;
using Scep.Protocol;
using Scep.Protocol.Client;

namespace Scep.Cli;

/// <summary><c>scep caps</c>, <c>scep getca</c>, <c>scep getnextca</c>.</summary>
internal static class InfoCommands
{
    private static readonly Dictionary<CaCapability, string> Meanings = new()
    {
        [CaCapability.Aes] = "AES-128-CBC content encryption",
        [CaCapability.Des3] = "triple-DES content encryption",
        [CaCapability.GetNextCACert] = "CA rollover (GetNextCACert)",
        [CaCapability.PostPkiOperation] = "PKIOperation by HTTP POST",
        [CaCapability.Renewal] = "renewal (RenewalReq)",
        [CaCapability.Sha1] = "SHA-1 digest",
        [CaCapability.Sha256] = "SHA-256 digest",
        [CaCapability.Sha512] = "SHA-512 digest",
        [CaCapability.ScepStandard] = "RFC 8894 compliance (implies AES, POSTPKIOperation, SHA-256)",
        [CaCapability.Update] = "draft-era UpdateReq",
    };

    public static Command Caps(CliEnvironment environment)
    {
        var server = new ServerOptions();
        var command = new Command("caps", "GetCACaps: list the server's capabilities and what this client would use with them.");
        server.AddTo(command, pkiOperation: false);
        command.SetAction((result, token) => ScepCommandLine.GuardAsync(environment, async () =>
        {
            using var http = server.CreateHttpClient(result, environment);
            var client = new ScepClient(http, server.GetUrl(result), server.ClientOptions(result, environment));
            var capabilities = await client.GetCapabilitiesAsync(token).ConfigureAwait(false);
            var output = environment.Out;
            if (capabilities.IsEmpty)
            {
                output.WriteLine("capabilities (none: the server sent an empty reply or an HTTP error; RFC 8894 §3.5.2)");
            }
            else
            {
                output.WriteLine("capabilities");
                foreach (var capability in capabilities.Advertised.OrderBy(c => c))
                {
                    output.WriteLine($"  {CaCapabilities.KeywordOf(capability),-18} {Meanings[capability]}");
                }

                foreach (var other in capabilities.OtherKeywords)
                {
                    output.WriteLine($"  {other,-18} (not a keyword this client knows)");
                }
            }

            output.WriteLine("this client would use");
            output.WriteLine($"  PKIOperation       {(capabilities.UsePost ? "POST" : "GET")}");
            output.WriteLine($"  encryption         {Format.Name(capabilities.SelectContentEncryption())}");
            output.WriteLine($"  digest             {Format.Name(capabilities.SelectDigest())}");
            return ExitCodes.Success;
        }, token));
        return command;
    }

    public static Command GetCa(CliEnvironment environment)
    {
        var server = new ServerOptions();
        var output = new Option<string?>("--out", "-o") { HelpName = "DIR", Description = "Write DIR/ca.pem (the issuing CA) and DIR/ca-chain.pem (every certificate sent)" };
        var command = new Command("getca", "GetCACert: show the CA (and RA) certificates with their roles and fingerprints.") { output };
        server.AddTo(command, pkiOperation: false);
        command.Options.Add(server.CaFingerprint);
        command.SetAction((result, token) => ScepCommandLine.GuardAsync(environment, async () =>
        {
            using var http = server.CreateHttpClient(result, environment);
            var client = new ScepClient(http, server.GetUrl(result), server.ClientOptions(result, environment));
            var certificates = await client.GetCaCertificatesAsync(token).ConfigureAwait(false);
            Print(environment, certificates, "GetCACert");
            ServerOptions.CheckPin(certificates, result.GetValue(server.CaFingerprint));
            Write(environment, certificates, result.GetValue(output), "ca");
            return ExitCodes.Success;
        }, token));
        return command;
    }

    public static Command GetNextCa(CliEnvironment environment)
    {
        var server = new ServerOptions();
        var output = new Option<string?>("--out", "-o") { HelpName = "DIR", Description = "Write DIR/next-ca.pem and DIR/next-ca-chain.pem" };
        var command = new Command("getnextca", "GetNextCACert: fetch the CA certificate that will follow the current one, verified with the current one.") { output };
        server.AddTo(command, pkiOperation: true);
        command.SetAction((result, token) => ScepCommandLine.GuardAsync(environment, async () =>
        {
            using var http = server.CreateHttpClient(result, environment);
            var client = new ScepClient(http, server.GetUrl(result), server.ClientOptions(result, environment));
            var current = await server.ConnectAsync(client, result, environment, token).ConfigureAwait(false);
            if (!current.Capabilities.Supports(CaCapability.GetNextCACert))
            {
                environment.Out.WriteLine("note         GetNextCACert is not advertised; asking anyway");
            }

            var next = await client.GetNextCaCertificatesAsync(current, token).ConfigureAwait(false);
            environment.Out.WriteLine("signature    verified with a current CA certificate");
            Print(environment, next, "next CA");
            Write(environment, next, result.GetValue(output), "next-ca");
            return ExitCodes.Success;
        }, token));
        return command;
    }

    private static void Print(CliEnvironment environment, CaCertificates certificates, string what)
    {
        var output = environment.Out;
        output.WriteLine($"{what,-12} {certificates.Certificates.Count} certificate{(certificates.Certificates.Count == 1 ? string.Empty : "s")} ({certificates.ContentType})");
        for (var i = 0; i < certificates.Certificates.Count; i++)
        {
            var certificate = certificates.Certificates[i];
            var roles = new List<string>();
            if (ReferenceEquals(certificate, certificates.IssuerCertificate))
            {
                roles.Add("issuing CA");
            }

            if (ReferenceEquals(certificate, certificates.EncryptionCertificate))
            {
                roles.Add("requests are encrypted to it");
            }

            if (ReferenceEquals(certificate, certificates.SigningCertificate))
            {
                roles.Add("replies are verified with it");
            }

            output.WriteLine($"certificate {i + 1}: {(roles.Count == 0 ? "chain" : string.Join(", ", roles))}");
            foreach (var line in Format.Certificate(certificate, "  "))
            {
                output.WriteLine(line);
            }
        }
    }

    private static void Write(CliEnvironment environment, CaCertificates certificates, string? directory, string prefix)
    {
        if (directory is null)
        {
            return;
        }

        var single = Path.Combine(directory, prefix + ".pem");
        var chain = Path.Combine(directory, prefix + "-chain.pem");
        Files.WriteText(single, Files.CertificatesPem([certificates.IssuerCertificate]));
        Files.WriteText(chain, Files.CertificatesPem(certificates.Certificates));
        environment.Out.WriteLine($"wrote        {single} {chain}");
    }
}
