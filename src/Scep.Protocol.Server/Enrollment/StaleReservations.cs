using System.Threading;
using System.Threading.Tasks;

namespace Scep.Protocol.Server;

/// <summary>
/// Crash settlement of transactions: one left IN PROCESS past <see cref="ScepServerOptions.StaleReservationTimeout"/>
/// belonged to a server that stopped mid-request. Before it is taken over, the authority is asked whether it issued a
/// certificate for it (the crash came after issuance); then the transaction is settled as Issued with that certificate
/// and its end entity as GENERATED, so that neither the request nor its one-time code ever yields a second certificate.
/// </summary>
internal sealed class StaleReservations(TransactionLedger ledger, EndEntityReservations entities, IEnrollmentAuthority authority)
{
    /// <summary>
    /// The transaction as it stands once settled (Issued; or whatever another request recorded first), or null when the
    /// authority issued nothing for it: then the reservation may be taken over.
    /// </summary>
    public async ValueTask<ScepTransaction?> SettleAsync(Exchange x, ScepTransaction record, CancellationToken cancellationToken)
    {
        var issued = await authority.FindIssuedAsync(
            new IssuedEnrollmentQuery { CaName = x.Alias.Options.CaName, Alias = record.Alias, TransactionId = record.TransactionId, Username = record.Username, Since = record.CreatedAt },
            cancellationToken).ConfigureAwait(false);
        if (issued is null)
        {
            return null;
        }

        var settled = await ledger.RecordIssuedAsync(record, issued.RawDataMemory, cancellationToken).ConfigureAwait(false);
        if (settled is null)
        {
            // Settled (or otherwise changed) by another request meanwhile: what it recorded is the answer.
            return await ledger.FindAsync(record.Alias, record.TransactionId, cancellationToken).ConfigureAwait(false) ?? record;
        }

        if (await entities.FindAsync(record.Username, cancellationToken).ConfigureAwait(false) is { } entity)
        {
            await entities.SetStatusAsync(entity, EndEntityStatus.Generated, x.Now, cancellationToken).ConfigureAwait(false);
        }

        return settled;
    }
}
