using System;

namespace Scep.Protocol.Server.Testing;

/// <summary>
/// A check of <see cref="ICertificateStore"/> was asked to run while <see cref="ScepStores.Certificates"/> is null: not a
/// failure of the stores, so map it to your framework's "ignored" or "skipped" (NUnit <c>Assert.Ignore</c>, xUnit
/// <c>Assert.Skip</c>, MSTest <c>Assert.Inconclusive</c>), or run <see cref="ScepStoreContract.ChecksWithoutCertificateStore"/> instead.
/// </summary>
public sealed class StoreContractNotApplicableException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="checkName">The check that did not run.</param>
    public StoreContractNotApplicableException(string checkName)
        : base($"{checkName}: not applicable, the stores have no ICertificateStore (ScepStores.Certificates is null).")
    {
        CheckName = checkName;
    }

    /// <summary>The check that did not run.</summary>
    public string CheckName { get; }
}
