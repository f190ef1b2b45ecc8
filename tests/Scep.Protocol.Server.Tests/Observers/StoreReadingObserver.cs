using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace Scep.Protocol.Server.Tests.Observers;

/// <summary>
/// Reads the transaction and the end entity of each event from the stores while it is being told, so a test can see
/// what had been committed when the observer was called. Created by the container (its stores are the pipeline's).
/// </summary>
public sealed class StoreReadingObserver(IScepTransactionStore transactions, IEndEntityStore entities) : IEnrollmentObserver
{
    private readonly List<Sighting> _seen = [];

    public IReadOnlyList<Sighting> Seen
    {
        get
        {
            lock (_seen)
            {
                return [.. _seen];
            }
        }
    }

    public async ValueTask OnEventAsync(EnrollmentEvent enrollmentEvent, CancellationToken cancellationToken)
    {
        var transaction = enrollmentEvent.TransactionId is { } id ? await transactions.FindAsync(enrollmentEvent.Alias, id, cancellationToken) : null;
        var entity = enrollmentEvent.Username is { } username ? await entities.FindAsync(username, cancellationToken) : null;
        lock (_seen)
        {
            _seen.Add(new Sighting(enrollmentEvent, transaction, entity));
        }
    }

    /// <summary>An event and the stored state at the moment the observer heard it.</summary>
    public sealed record Sighting(EnrollmentEvent Event, ScepTransaction? Transaction, EndEntity? Entity);
}
