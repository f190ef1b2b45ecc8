using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Scep.Protocol.Server.InMemory;
using Scep.Protocol.Server.Testing.Tests.Infrastructure;

namespace Scep.Protocol.Server.Testing.Tests;

/// <summary>What <see cref="ScepStoreContract"/> promises a fixture: the check lists, fresh stores per check, released afterwards, and clear failures.</summary>
public class ContractRunnerTests
{
    private static readonly string[] CertificateStorePrefixes = ["Certificates_", "Crls_", "Approvals_"];

    private sealed class HangingEndEntityStore : DelegatingEndEntityStore
    {
        public override async ValueTask<EndEntity?> FindAsync(string username, CancellationToken cancellationToken)
        {
            await new TaskCompletionSource().Task;
            return null;
        }
    }

    private sealed class ThrowingEndEntityStore : DelegatingEndEntityStore
    {
        public override ValueTask<bool> TryAddAsync(EndEntity entity, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("duplicate key value violates unique constraint \"end_entities_pkey\"");
    }

    private static bool NeedsCertificateStore(string name) => CertificateStorePrefixes.Any(p => name.StartsWith(p, StringComparison.Ordinal));

    [Test]
    public void CheckNames_AreUniqueAndNamedForTheStoreTheyCheck()
    {
        ScepStoreContract.CheckNames.Should().OnlyHaveUniqueItems();
        ScepStoreContract.CheckNames.Should().OnlyContain(n => n.StartsWith("EndEntities_", StringComparison.Ordinal)
            || n.StartsWith("Transactions_", StringComparison.Ordinal) || n.StartsWith("Pipeline_", StringComparison.Ordinal) || NeedsCertificateStore(n));
        ScepStoreContract.CheckNames.Should().HaveCountGreaterThanOrEqualTo(40);
    }

    [Test]
    public void Checks_HaveOneRowPerName_WithTheNameAsTheOnlyArgument()
    {
        ScepStoreContract.Checks.Select(row => row.Should().ContainSingle().Which).Should().Equal(ScepStoreContract.CheckNames);
    }

    [Test]
    public void ChecksWithoutCertificateStore_LeaveOutExactlyTheCertificateStoreChecks()
    {
        var rows = ScepStoreContract.ChecksWithoutCertificateStore.Select(row => (string)row.Single()).ToList();

        rows.Should().Equal(ScepStoreContract.CheckNames.Where(n => !NeedsCertificateStore(n)));
        rows.Should().Contain(n => n.StartsWith("Pipeline_", StringComparison.Ordinal), "the pipeline checks issue into an in-memory certificate store then");
    }

    [Test]
    public async Task RunAsync_OfACertificateStoreCheck_WithoutACertificateStore_IsNotApplicable()
    {
        var released = 0;
        var contract = new ContractOver(() => Stores.With(noCertificateStore: true, release: () => { released++; return ValueTask.CompletedTask; }));

        foreach (var check in ScepStoreContract.CheckNames.Where(NeedsCertificateStore))
        {
            var skipped = (await FluentActions.Awaiting(() => contract.RunAsync(check)).Should().ThrowAsync<StoreContractNotApplicableException>()).Which;
            skipped.CheckName.Should().Be(check);
            skipped.Message.Should().Contain("no ICertificateStore");
        }

        released.Should().Be(ScepStoreContract.CheckNames.Count(NeedsCertificateStore), "the stores are released also when the check does not apply");
    }

    [Test]
    public async Task RunAsync_MakesStoresOncePerCheck_AndReleasesThemAlsoWhenTheCheckFails()
    {
        var released = 0;
        var contract = new ContractOver(() => Stores.With(entities: new ThrowingEndEntityStore(), release: () => { released++; return ValueTask.CompletedTask; }));

        await contract.RunAsync("Transactions_TryUpdate_WithAStaleVersion_FailsAndChangesNothing");
        await FluentActions.Awaiting(() => contract.RunAsync("EndEntities_TryAdd_WithATakenUsername_FailsAndKeepsTheFirst")).Should().ThrowAsync<StoreContractException>();

        contract.Created.Should().Be(2);
        released.Should().Be(2);
    }

    [Test]
    public async Task RunAsync_WhenAStoreThrows_FailsWithWhatItThrew()
    {
        var contract = new ContractOver(() => Stores.With(entities: new ThrowingEndEntityStore()));

        var failure = await contract.FailsAsync("EndEntities_TryAdd_WithATakenUsername_FailsAndKeepsTheFirst");

        failure.Found.Should().Be("InvalidOperationException: duplicate key value violates unique constraint \"end_entities_pkey\"");
        failure.InnerException.Should().BeOfType<InvalidOperationException>();
    }

    [Test]
    public async Task RunAsync_WhenAStoreNeverAnswers_FailsAfterTheCheckTimeout()
    {
        var contract = new ContractOver(() => Stores.With(entities: new HangingEndEntityStore()), timeout: TimeSpan.FromMilliseconds(200));

        var failure = await contract.FailsAsync("EndEntities_Find_IsByExactCaseSensitiveUsername");

        failure.Expected.Should().Be("the check to finish within 00:00:00.2000000");
        failure.Found.Should().StartWith("it was still running");
    }

    [Test]
    public async Task RunAsync_OfAnUnknownName_SaysWhereTheNamesAre()
    {
        var contract = new ContractOver(() => Stores.With());

        var thrown = await FluentActions.Awaiting(() => contract.RunAsync("EndEntities_NoSuchCheck")).Should().ThrowAsync<ArgumentException>();

        thrown.Which.Message.Should().Contain("'EndEntities_NoSuchCheck'").And.Contain("ScepStoreContract.CheckNames");
        contract.Created.Should().Be(0);
    }

    [Test]
    public async Task RunAsync_WhenCancelled_StopsWithoutBlamingTheStores()
    {
        var contract = new ContractOver(() => Stores.With(entities: new HangingEndEntityStore()));
        using var cancel = new CancellationTokenSource();

        var running = contract.RunAsync("EndEntities_Find_IsByExactCaseSensitiveUsername", cancel.Token);
        await cancel.CancelAsync();

        await FluentActions.Awaiting(() => running).Should().ThrowAsync<OperationCanceledException>();
    }

    [Test]
    public async Task EveryCheck_PassesAgainstFreshInMemoryStores_WhenRunConcurrentlyOnOneFixture()
    {
        var contract = new ContractOver(() => new ScepStores
        {
            EndEntities = new InMemoryEndEntityStore(),
            Transactions = new InMemoryScepTransactionStore(),
            Certificates = new InMemoryCertificateStore(),
        });

        await Task.WhenAll(ScepStoreContract.CheckNames.Select(n => contract.RunAsync(n)));
    }
}
