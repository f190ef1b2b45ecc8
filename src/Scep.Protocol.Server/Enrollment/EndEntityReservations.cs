using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace Scep.Protocol.Server;

/// <summary>
/// End entities during an enrollment (EJBCA's statuses): an entity is reserved NEW → IN PROCESS by compare-and-swap
/// before the authority is asked, which makes a one-time code one-time under concurrent requests; it becomes
/// GENERATED when a certificate is issued and goes back to what it was when the request fails. A reservation whose
/// process died goes stale and may be taken over, unless its request awaits approval or a certificate was issued for it.
/// </summary>
internal sealed class EndEntityReservations(IEndEntityStore? store, TransactionLedger ledger, IEnrollmentAuthority authority, TimeProvider time)
{
    public bool HasStore => store is not null;

    public async ValueTask<EndEntity?> FindAsync(string? username, CancellationToken cancellationToken) =>
        store is null || string.IsNullOrEmpty(username) ? null : await store.FindAsync(username, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// CA mode: whether an IN PROCESS entity may start a new enrollment, i.e. its reservation was abandoned: stale, not
    /// awaiting approval, and no certificate was issued for it (if one was, the entity is settled GENERATED and its code
    /// stays spent).
    /// </summary>
    public async ValueTask<bool> IsAbandonedAsync(Exchange x, EndEntity entity, CancellationToken cancellationToken)
    {
        if (entity.Status != EndEntityStatus.InProcess || !ledger.IsStale(entity.StatusChangedAt)
            || await ledger.FindAwaitingApprovalAsync(entity.Username, cancellationToken).ConfigureAwait(false) is not null)
        {
            return false;
        }

        var issued = await authority.FindIssuedAsync(
            new IssuedEnrollmentQuery { CaName = x.Alias.Options.CaName, Alias = entity.Alias ?? x.Alias.Name, Username = entity.Username, Since = entity.StatusChangedAt },
            cancellationToken).ConfigureAwait(false);
        if (issued is null)
        {
            return true;
        }

        await SetStatusAsync(entity, EndEntityStatus.Generated, x.Now, cancellationToken).ConfigureAwait(false);
        return false;
    }

    /// <summary>
    /// Reserves the entity for this request (IN PROCESS, wrong-code count cleared); RA mode creates it from the request when
    /// it does not exist, with the alias's defaults and the validators' data. Null when another request holds it.
    /// </summary>
    public async ValueTask<EndEntity?> ReserveAsync(Exchange x, EndEntity? entity, EnrollmentRequest request, IReadOnlyDictionary<string, string> profileData, CancellationToken cancellationToken)
    {
        if (store is null)
        {
            return entity;
        }

        var isRa = x.Alias.Options.Mode == ScepOperationMode.Ra;
        if (entity is null)
        {
            var created = new EndEntity
            {
                Username = request.Username!,
                Status = EndEntityStatus.InProcess,
                SubjectDn = request.Csr.Subject.Name,
                Alias = x.Alias.Name,
                ProfileData = Merge(x.Alias.Options.RaEntityDefaults, profileData),
                StatusChangedAt = x.Now,
            };
            if (await store.TryAddAsync(created, cancellationToken).ConfigureAwait(false))
            {
                return created;
            }

            entity = await store.FindAsync(request.Username!, cancellationToken).ConfigureAwait(false);
            if (entity is null)
            {
                return null;
            }
        }

        if (isRa && entity.Status == EndEntityStatus.InProcess && !ledger.IsStale(entity.StatusChangedAt))
        {
            return null;
        }

        var reserved = entity with
        {
            Status = EndEntityStatus.InProcess,
            StatusChangedAt = x.Now,
            FailedCodeAttempts = 0,
            SubjectDn = isRa ? request.Csr.Subject.Name : entity.SubjectDn,
            ProfileData = profileData.Count == 0 ? entity.ProfileData : Merge(entity.ProfileData, profileData),
            Version = entity.Version + 1,
        };
        return await store.TryUpdateAsync(reserved, entity.Version, cancellationToken).ConfigureAwait(false) ? reserved : null;
    }

    /// <summary>
    /// What a refused or failed request gives back to its end entity: the status it had before (a renewed entity stays
    /// GENERATED, its code spent); NEW for a new entity or one whose earlier reservation went stale.
    /// </summary>
    public static EndEntityStatus StatusToRestore(ScepTransaction record) =>
        record.PreviousEntityStatus is { } previous && previous != EndEntityStatus.InProcess ? previous : EndEntityStatus.New;

    /// <summary>Moves a reserved entity to <paramref name="status"/>, unless a newer request reserved it meanwhile.</summary>
    public async ValueTask SetStatusAsync(EndEntity? reserved, EndEntityStatus status, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (reserved is null || store is null)
        {
            return;
        }

        // Usually nothing touched the entity since this request reserved (or read) it: one compare-and-swap from that
        // version. A store round trip less per enrollment; when it fails, re-read and decide on what is there.
        if (reserved.Status == EndEntityStatus.InProcess
            && await store.TryUpdateAsync(reserved with { Status = status, StatusChangedAt = now, Version = reserved.Version + 1 }, reserved.Version, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        var current = await store.FindAsync(reserved.Username, cancellationToken).ConfigureAwait(false);
        if (current is null || current.Status != EndEntityStatus.InProcess)
        {
            return;
        }

        await store.TryUpdateAsync(current with { Status = status, StatusChangedAt = now, Version = current.Version + 1 }, current.Version, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A server that stopped between recording the transaction as Issued and releasing the end entity left the entity
    /// IN PROCESS: settles it GENERATED. An entity reserved after the transaction was issued belongs to a newer request.
    /// </summary>
    public async ValueTask SettleIssuedAsync(ScepTransaction record, CancellationToken cancellationToken)
    {
        if (await FindAsync(record.Username, cancellationToken).ConfigureAwait(false) is not { Status: EndEntityStatus.InProcess } entity
            || entity.StatusChangedAt > record.UpdatedAt)
        {
            return;
        }

        await SetStatusAsync(entity, EndEntityStatus.Generated, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
    }

    private static Dictionary<string, string> Merge(IEnumerable<KeyValuePair<string, string>> first, IReadOnlyDictionary<string, string> second)
    {
        var merged = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in first)
        {
            merged[key] = value;
        }

        foreach (var (key, value) in second)
        {
            merged[key] = value;
        }

        return merged;
    }
}
