using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Scep.SampleHost;

/// <summary>
/// The admin commands (<c>dotnet run --project samples/Scep.SampleHost -- &lt;command&gt;</c>). They read the same
/// configuration as the server (appsettings.json, appsettings.{environment}.json, environment variables) and work
/// on its data folder and database directly, so they run while the server runs. Exit codes: 0 done, 1 refused
/// or failed, 2 usage error.
/// </summary>
public static class AdminCommands
{
    private const string Usage = """
        Usage: Scep.SampleHost <command> [options]      (no command: run the SCEP server)

          add-entity --username U --password P [--dn "CN=U,O=Example"] [--alias A]
                                 register an end entity for CA mode (the password is its one-time
                                 enrollment code, stored hashed); an existing one is reset to NEW
          list-entities          end entities and their status
          list-pending           requests waiting for approval (aliases in SampleHost:ApprovalAliases)
          list-certificates      issued certificates
          approve ID             issue the certificate of a pending request (delivered at the next poll)
          reject ID [--reason R] refuse a pending request
          revoke SERIAL [--reason R]
                                 revoke a certificate (R: unspecified, keyCompromise, cACompromise,
                                 affiliationChanged, superseded, cessationOfOperation, certificateHold,
                                 privilegeWithdrawn); the next GetCRL lists it
          issue-crl [--out FILE] make a new CRL now (DER to FILE if given)
          show-ca [--pem]        the CA certificate: subject, validity, fingerprints
          rollover-ca            create the next CA certificate (served by GetNextCACert)
        """;

    private static readonly string[] Commands =
        ["add-entity", "list-entities", "list-pending", "list-certificates", "approve", "reject", "revoke", "issue-crl", "show-ca", "rollover-ca", "help"];

    /// <summary>Whether the arguments name an admin command (the server's own arguments start with <c>--</c>).</summary>
    public static bool IsCommand(string[] args) => args.Length > 0 && Commands.Contains(args[0], StringComparer.Ordinal);

    /// <summary>Runs one command with the configuration of the working directory and the environment.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(args);
        var environment = Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT") ?? Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT") ?? "Production";
        var configuration = new ConfigurationBuilder()
            .SetBasePath(Directory.GetCurrentDirectory())
            .AddJsonFile("appsettings.json", optional: true)
            .AddJsonFile($"appsettings.{environment}.json", optional: true)
            .AddEnvironmentVariables()
            .Build();
        var services = new ServiceCollection().AddSampleHostCore(configuration).BuildServiceProvider();
        await using (services.ConfigureAwait(false))
        {
            return await RunAsync(args, services, output, error, CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>Runs one command against <paramref name="services"/> (a host's, in tests).</summary>
    public static async Task<int> RunAsync(string[] args, IServiceProvider services, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        if (!IsCommand(args) || args[0] == "help")
        {
            await output.WriteLineAsync(Usage).ConfigureAwait(false);
            return args.Length > 0 && args[0] == "help" ? 0 : 2;
        }

        Arguments parsed;
        try
        {
            parsed = Arguments.Parse(args);
        }
        catch (FormatException e)
        {
            await error.WriteLineAsync($"{e.Message}\n\n{Usage}").ConfigureAwait(false);
            return 2;
        }

        if (services.GetRequiredService<IOptions<SampleHostOptions>>().Value.Store == SampleHostStore.InMemory && parsed.Command is not ("show-ca" or "rollover-ca"))
        {
            await error.WriteLineAsync($"{parsed.Command}: SampleHost:Store is InMemory, so end entities, certificates and pending requests live in the server's memory, out of reach of admin commands. Use SampleHost:Store=Database, or an RA alias.").ConfigureAwait(false);
            return 1;
        }

        try
        {
            await services.InitializeSampleHostAsync(cancellationToken).ConfigureAwait(false);
            var admin = services.GetRequiredService<Administration>();
            await ExecuteAsync(parsed, admin, output, cancellationToken).ConfigureAwait(false);
            return 0;
        }
        catch (FormatException e)
        {
            await error.WriteLineAsync($"{e.Message}\n\n{Usage}").ConfigureAwait(false);
            return 2;
        }
        catch (Exception e) when (e is AdministrationException or CryptographicException or InvalidOperationException or IOException or System.Data.Common.DbException)
        {
            await error.WriteLineAsync($"{parsed.Command}: {e.Message}").ConfigureAwait(false);
            return 1;
        }
    }

    private static async Task ExecuteAsync(Arguments a, Administration admin, TextWriter output, CancellationToken cancellationToken)
    {
        switch (a.Command)
        {
            case "add-entity":
                var username = a.Required("username");
                var dn = a.Optional("dn");
                var alias = a.Optional("alias");
                var created = await admin.AddEntityAsync(username, a.Required("password"), dn, alias, cancellationToken).ConfigureAwait(false);
                await output.WriteLineAsync($"{(created ? "Added" : "Reset")} end entity '{username}' (status NEW{(dn is null ? string.Empty : ", DN " + dn)}{(alias is null ? ", any alias" : ", alias " + alias)}). Enroll with CN={username} and the password as challengePassword.").ConfigureAwait(false);
                break;
            case "list-entities":
                var entities = await admin.ListEntitiesAsync(cancellationToken).ConfigureAwait(false);
                await WriteTableAsync(output, ["USERNAME", "STATUS", "ALIAS", "DN", "CHANGED"], entities.Select(e => new[]
                {
                    e.Username, e.Status.ToString().ToUpperInvariant(), e.Alias ?? "*", e.SubjectDn ?? "(from request)", Time(e.StatusChangedAt),
                })).ConfigureAwait(false);
                await output.WriteLineAsync($"{entities.Count} end entities").ConfigureAwait(false);
                break;
            case "list-pending":
                var pending = await admin.ListPendingAsync(cancellationToken).ConfigureAwait(false);
                await WriteTableAsync(output, ["ID", "ALIAS", "SUBJECT", "TRANSACTION", "REQUESTED"], pending.Select(p => new[]
                {
                    p.Id, p.Alias, p.Subject, p.TransactionId, Time(p.RequestedAt),
                })).ConfigureAwait(false);
                await output.WriteLineAsync($"{pending.Count} pending requests").ConfigureAwait(false);
                break;
            case "list-certificates":
                var certificates = await admin.ListCertificatesAsync(cancellationToken).ConfigureAwait(false);
                await WriteTableAsync(output, ["SERIAL", "SUBJECT", "NOT AFTER", "STATUS"], certificates.Select(c => new[]
                {
                    c.Serial, c.Subject, Time(c.NotAfter), c.RevokedAt is { } at ? $"revoked {Time(at)}" : "good",
                })).ConfigureAwait(false);
                await output.WriteLineAsync($"{certificates.Count} certificates").ConfigureAwait(false);
                break;
            case "approve":
                var issued = await admin.ApproveAsync(a.Positional("ID"), cancellationToken).ConfigureAwait(false);
                await output.WriteLineAsync($"Approved {a.Positional("ID")}: issued serial {issued.SerialNumber} to {issued.Subject}; the client receives it at its next poll.").ConfigureAwait(false);
                break;
            case "reject":
                await admin.RejectAsync(a.Positional("ID"), a.Optional("reason"), cancellationToken).ConfigureAwait(false);
                await output.WriteLineAsync($"Rejected {a.Positional("ID")}.").ConfigureAwait(false);
                break;
            case "revoke":
                var reason = a.Optional("reason") is { } r ? ParseReason(r) : (X509RevocationReason?)null;
                var revoked = await admin.RevokeAsync(a.Positional("SERIAL"), reason, cancellationToken).ConfigureAwait(false);
                await output.WriteLineAsync($"Revoked {revoked.Serial} ({revoked.Subject}){(reason is null ? string.Empty : ", reason " + reason)}; the next CRL lists it.").ConfigureAwait(false);
                break;
            case "issue-crl":
                var crls = await admin.IssueCrlAsync(cancellationToken).ConfigureAwait(false);
                var all = await admin.ListCertificatesAsync(cancellationToken).ConfigureAwait(false);
                foreach (var (ca, crl) in crls)
                {
                    var count = all.Count(c => c.IssuerId == ca.Id && c.RevokedAt is not null);
                    await output.WriteLineAsync($"CRL number {crl.Number} of {ca.Certificate.Subject}: {count} revoked, thisUpdate {Time(crl.ThisUpdate)}, nextUpdate {Time(crl.NextUpdate)}").ConfigureAwait(false);
                }

                if (a.Optional("out") is { } path)
                {
                    await File.WriteAllBytesAsync(path, crls[0].Crl.Der, cancellationToken).ConfigureAwait(false);
                    await output.WriteLineAsync($"Wrote {Path.GetFullPath(path)} (DER; openssl crl -inform DER -in {path} -text)").ConfigureAwait(false);
                }

                break;
            case "show-ca":
                await DescribeAsync(output, "CA", admin.Cas.Current.Certificate, a.Flag("pem")).ConfigureAwait(false);
                if (admin.Cas.Next is { } next)
                {
                    await DescribeAsync(output, "Next CA (GetNextCACert)", next.Certificate, a.Flag("pem")).ConfigureAwait(false);
                }

                break;
            case "rollover-ca":
                var rolled = admin.RolloverCa();
                await DescribeAsync(output, "Created the next CA; GetNextCACert serves it from now on", rolled.Certificate, pem: false).ConfigureAwait(false);
                break;
        }
    }

    private static X509RevocationReason ParseReason(string value)
    {
        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var code))
        {
            return Enum.IsDefined((X509RevocationReason)code) ? (X509RevocationReason)code : throw new FormatException($"Unknown revocation reason code {code}.");
        }

        return Enum.TryParse<X509RevocationReason>(value, ignoreCase: true, out var reason)
            ? reason
            : throw new FormatException($"Unknown revocation reason '{value}'.");
    }

    private static async Task DescribeAsync(TextWriter output, string title, X509Certificate2 certificate, bool pem)
    {
        var usage = certificate.Extensions.OfType<X509KeyUsageExtension>().FirstOrDefault()?.KeyUsages;
        await output.WriteLineAsync($"""
            {title}:
              Subject:     {certificate.Subject}
              Serial:      {certificate.SerialNumber}
              Valid:       {Time(new DateTimeOffset(certificate.NotBefore.ToUniversalTime()))} to {Time(new DateTimeOffset(certificate.NotAfter.ToUniversalTime()))}
              Key:         RSA {certificate.GetRSAPublicKey()?.KeySize}
              Key usage:   {usage}
              SHA-256:     {Fingerprint(certificate, HashAlgorithmName.SHA256)}
              SHA-1:       {Fingerprint(certificate, HashAlgorithmName.SHA1)}
            """).ConfigureAwait(false);
        if (pem)
        {
            await output.WriteLineAsync(certificate.ExportCertificatePem()).ConfigureAwait(false);
        }
    }

    private static string Fingerprint(X509Certificate2 certificate, HashAlgorithmName hash) =>
        string.Join(':', certificate.GetCertHashString(hash).Chunk(2).Select(pair => new string(pair)));

    private static string Time(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static async Task WriteTableAsync(TextWriter output, string[] header, IEnumerable<string[]> rows)
    {
        var all = new List<string[]> { header };
        all.AddRange(rows);
        var widths = Enumerable.Range(0, header.Length).Select(i => all.Max(r => r[i].Length)).ToArray();
        foreach (var row in all)
        {
            await output.WriteLineAsync(string.Join("  ", row.Select((cell, i) => i == row.Length - 1 ? cell : cell.PadRight(widths[i])))).ConfigureAwait(false);
        }
    }

    /// <summary>A command, its positional arguments and its <c>--name value</c> options.</summary>
    private sealed class Arguments
    {
        private static readonly Dictionary<string, (string[] Positional, string[] Options, string[] Flags)> Grammar = new(StringComparer.Ordinal)
        {
            ["add-entity"] = ([], ["username", "password", "dn", "alias"], []),
            ["list-entities"] = ([], [], []),
            ["list-pending"] = ([], [], []),
            ["list-certificates"] = ([], [], []),
            ["approve"] = (["ID"], [], []),
            ["reject"] = (["ID"], ["reason"], []),
            ["revoke"] = (["SERIAL"], ["reason"], []),
            ["issue-crl"] = ([], ["out"], []),
            ["show-ca"] = ([], [], ["pem"]),
            ["rollover-ca"] = ([], [], []),
        };

        private readonly Dictionary<string, string> _options = new(StringComparer.Ordinal);
        private readonly Dictionary<string, string> _positional = new(StringComparer.Ordinal);
        private readonly HashSet<string> _flags = new(StringComparer.Ordinal);

        private Arguments(string command)
        {
            Command = command;
        }

        public string Command { get; }

        public static Arguments Parse(string[] args)
        {
            var parsed = new Arguments(args[0]);
            var (positional, options, flags) = Grammar[args[0]];
            var next = 0;
            for (var i = 1; i < args.Length; i++)
            {
                var arg = args[i];
                if (arg.StartsWith("--", StringComparison.Ordinal))
                {
                    var name = arg[2..];
                    if (flags.Contains(name))
                    {
                        parsed._flags.Add(name);
                    }
                    else if (options.Contains(name))
                    {
                        parsed._options[name] = i + 1 < args.Length ? args[++i] : throw new FormatException($"{args[0]}: --{name} needs a value.");
                    }
                    else
                    {
                        throw new FormatException($"{args[0]}: unknown option {arg}.");
                    }
                }
                else if (next < positional.Length)
                {
                    parsed._positional[positional[next++]] = arg;
                }
                else
                {
                    throw new FormatException($"{args[0]}: unexpected argument '{arg}'.");
                }
            }

            if (next < positional.Length)
            {
                throw new FormatException($"{args[0]}: {positional[next]} is missing.");
            }

            return parsed;
        }

        public string Required(string name) =>
            _options.TryGetValue(name, out var value) && value.Length > 0 ? value : throw new FormatException($"{Command}: --{name} is required.");

        public string? Optional(string name) => _options.GetValueOrDefault(name);

        public string Positional(string name) => _positional[name];

        public bool Flag(string name) => _flags.Contains(name);
    }
}
