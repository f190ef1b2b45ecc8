using System;
using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using Scep.Protocol;
using Scep.Protocol.Client;

namespace Scep.Cli;

/// <summary><c>scep getcert</c> and <c>scep getcrl</c>.</summary>
internal static class QueryCommands
{
    public static Command GetCert(CliEnvironment environment)
    {
        var server = new ServerOptions();
        var serial = new Option<string>("--serial") { HelpName = "HEX", Description = "Serial number of the certificate, in hexadecimal", Required = true };
        var issuer = new Option<string?>("--issuer") { HelpName = "DN", Description = "Its issuer's name; the issuing CA from GetCACert by default" };
        var signer = new SignerOptions();
        var output = new Option<string?>("--out", "-o") { HelpName = "FILE", Description = "Write the certificate here (.der for DER, else PEM)" };
        var command = new Command("getcert", "GetCert: fetch a certificate by issuer and serial number.") { serial, issuer, output };
        server.AddTo(command, pkiOperation: true);
        signer.AddTo(command);
        command.SetAction((result, token) => ScepCommandLine.GuardAsync(environment, async () =>
        {
            var serialText = result.GetValue(serial)!.Replace(":", string.Empty, StringComparison.Ordinal);
            byte[] serialBytes;
            try
            {
                serialBytes = Convert.FromHexString(serialText.Length % 2 == 1 ? "0" + serialText : serialText);
            }
            catch (FormatException e)
            {
                throw new CliUsageException($"--serial: '{serialText}' is not hexadecimal.", e);
            }

            var requestSigner = signer.Load(result);
            using var http = server.CreateHttpClient(result, environment);
            var client = new ScepClient(http, server.GetUrl(result), server.ClientOptions(result, environment));
            var info = await server.ConnectAsync(client, result, environment, token).ConfigureAwait(false);
            var issuerName = result.GetValue(issuer) is { } name ? new X500DistinguishedName(name) : info.CaCertificates.IssuerCertificate.SubjectName;
            var reply = await client.GetCertificateAsync(info, IssuerAndSerialNumber.Create(issuerName, serialBytes), requestSigner, token).ConfigureAwait(false);
            ScepCommandLine.PrintRequest(environment, client, info, reply.Request);
            ScepCommandLine.PrintReply(environment, reply.Reply);
            server.DumpExchange(result, environment, reply.Request, reply.Reply);
            if (reply.Status != PkiStatus.Success)
            {
                return reply.Status == PkiStatus.Pending ? ExitCodes.Pending : ExitCodes.Refused;
            }

            environment.Out.WriteLine("certificate");
            foreach (var line in Format.Certificate(reply.Certificate!, "  "))
            {
                environment.Out.WriteLine(line);
            }

            Write(environment, result.GetValue(output), "CERTIFICATE", reply.Certificate!.RawData);
            return ExitCodes.Success;
        }, token));
        return command;
    }

    public static Command GetCrl(CliEnvironment environment)
    {
        var server = new ServerOptions();
        var certificate = new Option<string?>("--cert") { HelpName = "FILE", Description = "The certificate whose revocation status is asked for; by default the issuing CA's own CRL is asked for" };
        var key = new Option<string?>("--key") { HelpName = "FILE", Description = "Its RSA key: sign the request with --cert (some servers answer only their own certificates' holders)" };
        var output = new Option<string?>("--out", "-o") { HelpName = "FILE", Description = "Write the CRL here (.der for DER, else PEM)" };
        var command = new Command("getcrl", "GetCRL: fetch the CRL that covers a certificate; its signature is checked with the CA certificate.") { certificate, key, output };
        server.AddTo(command, pkiOperation: true);
        command.SetAction((result, token) => ScepCommandLine.GuardAsync(environment, async () =>
        {
            var subject = result.GetValue(certificate) is { } path ? Files.ReadCertificate(path) : null;
            ScepSigner? requestSigner = null;
            if (result.GetValue(key) is { } keyPath)
            {
                requestSigner = ScepSigner.Create(subject ?? throw new CliUsageException("--key needs --cert."), Files.ReadRsaKey(keyPath, "signing"));
            }

            using var http = server.CreateHttpClient(result, environment);
            var client = new ScepClient(http, server.GetUrl(result), server.ClientOptions(result, environment));
            var info = await server.ConnectAsync(client, result, environment, token).ConfigureAwait(false);
            var asked = subject is not null ? IssuerAndSerialNumber.FromCertificate(subject) : IssuingCaCrl(info.CaCertificates.IssuerCertificate);
            var reply = await client.GetCrlAsync(info, asked, requestSigner, token).ConfigureAwait(false);
            ScepCommandLine.PrintRequest(environment, client, info, reply.Request);
            ScepCommandLine.PrintReply(environment, reply.Reply);
            server.DumpExchange(result, environment, reply.Request, reply.Reply);
            if (reply.Status != PkiStatus.Success)
            {
                return reply.Status == PkiStatus.Pending ? ExitCodes.Pending : ExitCodes.Refused;
            }

            environment.Out.WriteLine($"CRL          {reply.Crl.Length} bytes, signature verified with {reply.CrlIssuer!.Subject}");
            if (CrlSummary.TryRead(reply.Crl) is { } summary)
            {
                environment.Out.WriteLine($"  issuer     {summary.Issuer}");
                environment.Out.WriteLine($"  thisUpdate {Format.Time(summary.ThisUpdate)}");
                environment.Out.WriteLine($"  nextUpdate {(summary.NextUpdate is { } next ? Format.Time(next) : "(none)")}");
                environment.Out.WriteLine($"  revoked    {summary.Entries.ToString(CultureInfo.InvariantCulture)}");
            }

            Write(environment, result.GetValue(output), "X509 CRL", reply.Crl.ToArray());
            return ExitCodes.Success;
        }, token));
        return command;
    }

    /// <summary>
    /// What GetCRL names to get the issuing CA's own CRL. RFC 8894 §3.3.5: the server returns the CRL of the named
    /// certificate's issuer, so the CA's own IssuerAndSerialNumber would ask for its parent's CRL (which a CA below
    /// an intermediate does not hold); name the CA as issuer instead (servers look the CRL up by the issuer; the
    /// serial number is the CA's, for want of another). For a self-signed CA both are the same.
    /// </summary>
    public static IssuerAndSerialNumber IssuingCaCrl(X509Certificate2 ca) => IssuerAndSerialNumber.Create(ca.SubjectName, ca.SerialNumberBytes.Span);

    private static void Write(CliEnvironment environment, string? path, string label, byte[] der)
    {
        if (path is null)
        {
            return;
        }

        if (path.EndsWith(".der", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".crl", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".cer", StringComparison.OrdinalIgnoreCase))
        {
            Files.WriteBytes(path, der);
        }
        else
        {
            Files.WriteText(path, Files.Pem(label, der));
        }

        environment.Out.WriteLine($"wrote        {path}");
    }

    /// <summary>--cert and --key: the certificate that signs a GetCert; a throw-away self-signed one without them.</summary>
    private sealed class SignerOptions
    {
        private readonly Option<string?> _certificate = new("--cert") { HelpName = "FILE", Description = "Sign the request with this certificate (servers may answer only their holders); a throw-away self-signed one by default" };
        private readonly Option<string?> _key = new("--key") { HelpName = "FILE", Description = "The RSA key of --cert" };

        public void AddTo(Command command)
        {
            command.Options.Add(_certificate);
            command.Options.Add(_key);
        }

        public ScepSigner? Load(ParseResult result)
        {
            var certificate = result.GetValue(_certificate);
            var key = result.GetValue(_key);
            if (certificate is null && key is null)
            {
                return null;
            }

            if (certificate is null || key is null)
            {
                throw new CliUsageException("--cert and --key go together.");
            }

            return ScepSigner.Create(Files.ReadCertificate(certificate), Files.ReadRsaKey(key, "signing"));
        }
    }
}
