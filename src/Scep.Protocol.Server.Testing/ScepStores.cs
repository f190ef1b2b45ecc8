using System;
using System.Threading.Tasks;

namespace Scep.Protocol.Server.Testing;

/// <summary>
/// The stores one check of <see cref="ScepStoreContract"/> runs against: fresh and empty, made for that check alone by
/// <see cref="ScepStoreContract.CreateStoresAsync"/>.
/// </summary>
public sealed class ScepStores
{
    /// <summary>The end entity store under test.</summary>
    public required IEndEntityStore EndEntities { get; init; }

    /// <summary>The transaction store under test.</summary>
    public required IScepTransactionStore Transactions { get; init; }

    /// <summary>
    /// The certificate store under test, or null when there is none: the checks named <c>Certificates_</c>, <c>Crls_</c>
    /// and <c>Approvals_</c> then throw <see cref="StoreContractNotApplicableException"/> (or are left out, with
    /// <see cref="ScepStoreContract.ChecksWithoutCertificateStore"/>), and the <c>Pipeline_</c> checks issue through
    /// <see cref="IssuingAuthority"/> over an in-memory certificate store.
    /// </summary>
    public ICertificateStore? Certificates { get; init; }

    /// <summary>
    /// Releases what the stores live in (a database made for the check, a connection), called once after the check,
    /// whether it passed or not; null when there is nothing to release. The contract never disposes the stores
    /// themselves.
    /// </summary>
    public Func<ValueTask>? Release { get; init; }
}
