using System.Threading;
using System.Threading.Tasks;

namespace Scep.Protocol.Server;

/// <summary>
/// Hears what happened to enrollments, after the store has committed it: a certificate issued, a request refused,
/// left pending, polled, a certificate revoked. For audit logs, MDM notifications (Intune's success and failure
/// notifications), webhooks. An observer cannot change the answer: one that throws is logged, one that takes longer
/// than <see cref="ScepServerOptions.ObserverTimeout"/> is logged and no longer waited for, and the client gets its
/// reply either way. Register with <c>AddEnrollmentObserver</c>; several may be registered.
/// </summary>
public interface IEnrollmentObserver
{
    /// <summary>Called once per event; observers run concurrently with each other.</summary>
    /// <param name="enrollmentEvent">What happened.</param>
    /// <param name="cancellationToken">Cancelled at the timeout.</param>
    /// <returns>A task that completes when the observer is done.</returns>
    ValueTask OnEventAsync(EnrollmentEvent enrollmentEvent, CancellationToken cancellationToken);
}
