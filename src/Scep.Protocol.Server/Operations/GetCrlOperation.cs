using System;
using System.Threading;
using System.Threading.Tasks;

namespace Scep.Protocol.Server;

/// <summary>
/// GetCRL (22), RFC 8894 §3.3.4: the CRL of the CA named by the request's issuer (current, next or previous certificate),
/// from the host's <see cref="ICrlSource"/>; badCertId for a foreign issuer.
/// </summary>
internal sealed class GetCrlOperation(ICrlSource? crls) : IPkiMessageOperation
{
    private static readonly ScepRefusal ForeignIssuer = new(FailInfo.BadCertId, "The issuer is not a CA of this server.", RefusalCategory.NotFound);
    private static readonly ScepRefusal NoSource = new(FailInfo.BadRequest, "GetCRL is not available on this server.", RefusalCategory.NotAvailable);
    private static readonly ScepRefusal NoCrl = new(FailInfo.BadRequest, "No CRL is available for this CA.", RefusalCategory.NotAvailable);

    public bool IsServedBy(AliasRuntime alias) => alias.Options.AllowGetCertAndGetCrl;

    public async ValueTask<OperationResult> HandleAsync(Exchange x, PkiMessageContent content, CancellationToken cancellationToken)
    {
        var issuer = CaCertificateLookup.IssuerOf(x.Credentials, content.IssuerAndSerialNumber!);
        if (issuer is null)
        {
            return x.Failure(ForeignIssuer);
        }

        if (crls is null)
        {
            return x.Failure(NoSource);
        }

        var crl = await crls.GetCrlAsync(x.Alias.Options.CaName, issuer.Value.CaCertificate, cancellationToken).ConfigureAwait(false);
        return crl is null ? x.Failure(NoCrl) : x.Success(Array.Empty<ReadOnlyMemory<byte>>(), [crl]);
    }
}
