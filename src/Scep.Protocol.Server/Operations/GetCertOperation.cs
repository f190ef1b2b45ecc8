using System.Threading;
using System.Threading.Tasks;

namespace Scep.Protocol.Server;

/// <summary>
/// GetCert (21), RFC 8894 §3.3.4: a certificate this CA issued, by issuer and serial number, with the alias's extras for
/// the CA that issued it (after a rollover that may be the previous or the next CA certificate); badCertId otherwise.
/// </summary>
internal sealed class GetCertOperation(IEnrollmentAuthority authority) : IPkiMessageOperation
{
    private static readonly ScepRefusal Unknown = new(FailInfo.BadCertId, "No certificate with this issuer and serial number was issued here.", RefusalCategory.NotFound);

    public bool IsServedBy(AliasRuntime alias) => alias.Options.AllowGetCertAndGetCrl;

    public async ValueTask<OperationResult> HandleAsync(Exchange x, PkiMessageContent content, CancellationToken cancellationToken)
    {
        var id = content.IssuerAndSerialNumber!;
        var issuer = CaCertificateLookup.IssuerOf(x.Credentials, id);
        var certificate = issuer is null
            ? null
            : await authority.FindCertificateAsync(x.Alias.Options.CaName, id, cancellationToken).ConfigureAwait(false);
        if (certificate is null)
        {
            return x.Failure(Unknown);
        }

        var (credentials, caCertificate) = issuer!.Value;
        return x.Success([certificate.RawDataMemory, .. x.Alias.ReplyExtras(caCertificate, credentials.Chain).ConvertAll(c => c.RawDataMemory)]);
    }
}
