using System;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Scep.Protocol.Server.InMemory;
using Scep.Protocol.Server.Testing.Checks;

namespace Scep.Protocol.Server.Testing.Pipeline;

/// <summary>
/// A real <see cref="ScepRequestHandler"/> (<c>services.AddScepServer(...)</c>) over the stores under test: one CA-mode
/// alias <c>scep</c>, the CA of <see cref="ContractPki"/> issuing through <see cref="IssuingAuthority"/> into the
/// certificate store under test (or an in-memory one when there is none), and a clock that stands still.
/// </summary>
internal sealed class ContractServer : IDisposable
{
    public const string Alias = "scep";

    /// <summary>The stale timeout the server runs with; the crash checks write records older than it.</summary>
    public static readonly TimeSpan StaleReservationTimeout = TimeSpan.FromMinutes(5);

    private readonly ServiceProvider _provider;
    private readonly CheckContext _context;

    public ContractServer(CheckContext context)
    {
        _context = context;
        Clock = new ContractClock(Samples.Time);
        Certificates = context.Stores.Certificates ?? new InMemoryCertificateStore();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(Clock);
        services.AddSingleton(Certificates);   // before AddIssuingAuthority, which adds an in-memory store only when none is registered
        services.AddScepServer(options =>
            {
                options.Aliases[Alias] = new ScepAliasOptions { Mode = ScepOperationMode.Ca };
                options.StaleReservationTimeout = StaleReservationTimeout;
            })
            .AddEndEntityStore(context.Entities)
            .AddTransactionStore(context.Transactions)
            .AddCredentials("default", ScepCaCredentials.ForCa(ContractPki.CaCertificate, ContractPki.CaKey))
            .AddIssuingAuthority();
        _provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
        Handler = _provider.GetRequiredService<ScepRequestHandler>();
    }

    public ContractClock Clock { get; }

    public DateTimeOffset Now => Clock.GetUtcNow();

    /// <summary>The certificate store the authority records into.</summary>
    public ICertificateStore Certificates { get; }

    public ScepRequestHandler Handler { get; }

    /// <summary>The identifier the authority records this CA's certificates with.</summary>
    public static string IssuerId => ScepCaCredentials.IdOf(ContractPki.CaCertificate);

    /// <summary>POSTs a PKIOperation and returns the CertRep, checked: HTTP 200, signed by the CA, answering this request.</summary>
    public async Task<PkiMessage> SendAsync(PkiMessage request)
    {
        var response = await Handler.HandleAsync(
            new ScepHttpRequest { Method = "POST", Alias = Alias, QueryString = "operation=PKIOperation", Body = request.RawData }, _context.Cancellation).ConfigureAwait(false);
        _context.Expect(
            response.StatusCode == 200 && response.ContentType == ScepContentTypes.PkiMessage,
            "the server to answer a PKCSReq with HTTP 200 and a CertRep",
            $"HTTP {response.StatusCode} {response.ContentType}: {Encoding.UTF8.GetString(response.Body.Span.Length > 300 ? response.Body.Span[..300] : response.Body.Span)}");
        var reply = PkiMessage.Decode(response.Body);
        reply.VerifySignature(null, [ContractPki.CaCertificate]);
        reply.EnsureIsReplyTo(request);
        return reply;
    }

    /// <summary>Every certificate the authority recorded.</summary>
    public async Task<IssuedCertificateRecord[]> IssuedAsync() =>
        (await Certificates.ListAsync(new CertificateQuery { Take = 1000 }, _context.Cancellation).ConfigureAwait(false)).ToArray();

    /// <summary>Records a certificate as an issuance before a crash left it: in the certificate store, for the transaction and user.</summary>
    public async Task<IssuedCertificateRecord> RecordIssuedBeforeCrashAsync(ContractClient client, string username, DateTimeOffset issuedAt)
    {
        var notBefore = issuedAt.AddMinutes(-5);
        var certificate = ContractPki.Issue(client.Csr.Subject.Name, client.Key, notBefore, notBefore.AddDays(365));
        var record = new IssuedCertificateRecord(
            certificate.SerialNumber, IssuerId, certificate.Subject, username, Alias, client.TransactionId, notBefore, notBefore.AddDays(365), issuedAt, certificate.RawData);
        _context.Expect(await Certificates.TryAddAsync(record, _context.Cancellation).ConfigureAwait(false), $"TryAddAsync of a new certificate {record.SerialNumber} to return true", "false");
        return record;
    }

    public void Dispose() => _provider.Dispose();
}
