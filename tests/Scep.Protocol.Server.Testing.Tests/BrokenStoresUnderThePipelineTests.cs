using System;
using System.Threading;
using System.Threading.Tasks;
using Scep.Protocol.Server.Testing.Tests.Infrastructure;

namespace Scep.Protocol.Server.Testing.Tests;

/// <summary>
/// The pipeline checks run a real server over the stores: a crash-settlement query that finds nothing lets a crashed
/// enrollment's code or request yield a second certificate, and the check says so.
/// </summary>
public class BrokenStoresUnderThePipelineTests
{
    private sealed class NoApprovalsStore : DelegatingTransactionStore
    {
        public override ValueTask<ScepTransaction?> FindAwaitingApprovalAsync(string username, CancellationToken cancellationToken) => ValueTask.FromResult<ScepTransaction?>(null);
    }

    private sealed class NoTransactionLookupStore : DelegatingCertificateStore
    {
        public override ValueTask<IssuedCertificateRecord?> FindByTransactionAsync(string alias, string transactionId, CancellationToken cancellationToken) =>
            ValueTask.FromResult<IssuedCertificateRecord?>(null);
    }

    private sealed class NoUserLookupStore : DelegatingCertificateStore
    {
        public override ValueTask<IssuedCertificateRecord?> FindLatestForUserAsync(string username, DateTimeOffset since, CancellationToken cancellationToken) =>
            ValueTask.FromResult<IssuedCertificateRecord?>(null);
    }

    [Test]
    public async Task ApprovalQueryThatFindsNothing_LetsTheHeldCodeIssue()
    {
        var contract = new ContractOver(() => Stores.With(transactions: new NoApprovalsStore()));

        var failure = await contract.FailsAsync("Pipeline_StaleEntityAwaitingApproval_KeepsTheCodeHeld");

        failure.Expected.Should().StartWith("a new request with the code of an entity whose request awaits approval refused");
        failure.Found.Should().Be("SUCCESS");
    }

    [Test]
    public async Task TransactionLookupThatFindsNothing_DoesNotReturnTheCertificateOfTheCrashedRequest()
    {
        var contract = new ContractOver(() => Stores.With(certificates: new NoTransactionLookupStore()));

        var failure = await contract.FailsAsync("Pipeline_StaleTransactionWithACertificateOnRecord_IsSettledAsIssued");

        failure.Expected.Should().StartWith("the re-sent request of a transaction left InProcess past the stale timeout answered SUCCESS with the certificate recorded before the crash");
        failure.Found.Should().StartWith("FAILURE BadRequest (");
    }

    [Test]
    public async Task UserLookupThatFindsNothing_LetsASpentCodeIssueASecondCertificate()
    {
        var contract = new ContractOver(() => Stores.With(certificates: new NoUserLookupStore()));

        var failure = await contract.FailsAsync("Pipeline_StaleEntityWithACertificateOnRecord_KeepsTheCodeSpent");

        failure.Found.Should().Be("SUCCESS");
    }
}
